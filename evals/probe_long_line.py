"""How long one key takes in a file that is one very long line (the editor, offscreen).

    python -m ghostpen.evals.probe_long_line [--mb 1 5] [--keys 30] [--wrap on|off|both]

opens a file holding one line of `--mb` megabytes of prose in a real window (suggestions
off), puts the cursor in the middle of the line and types `--keys` characters, each followed
by the event loop's work (layout and painting, as a user waits for it), then Backspace as many
times. Prints one JSON line per file size and wrap setting: the median and slowest key in
milliseconds. `ghostpen eval probes` runs it as `editor-long-line-typing` (the median and
the 90th percentile key under `KEY_BUDGET_MS`, the text unchanged after the Backspaces).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

KEY_BUDGET_MS = 100.0  # a key slower than this is a frozen window
WORDS = "the quick brown fox jumps over the lazy dog while zarathustra speaks "


def _time_keys(session, keys: int) -> list[float]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    edit = session.window.current_editor()
    times = []
    for i in range(2 * keys):
        key = Qt.Key.Key_Backspace if i >= keys else Qt.Key.Key_A + (i % 26)
        start = time.perf_counter()
        if i < keys:
            QTest.keyClicks(edit, chr(ord("a") + i % 26))
        else:
            QTest.keyClick(edit, key)
        session.qapp.processEvents()  # the layout and the repaint the key caused
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(folder: Path, megabytes: float, keys: int, wrap: bool) -> dict:
    """Type `keys` keys (and as many Backspaces) into the middle of a one-line file."""
    from PySide6.QtGui import QTextCursor

    from ghostpen.evals.probe_editor import Session

    chars = int(megabytes * 1_000_000)
    text = (WORDS * (chars // len(WORDS) + 1))[:chars]
    path = folder / f"line-{megabytes:g}mb.txt"
    path.write_text(text, encoding="utf-8")
    session = Session(folder)
    window = session.window
    window.resize(1000, 700)
    window.show()
    session.settle(ms=200)
    start = time.perf_counter()
    window.open_file(str(path))
    session.settle(ms=200)
    opened_s = time.perf_counter() - start
    edit = window.current_editor()
    edit.set_word_wrap(wrap)
    cursor = edit.textCursor()
    cursor.setPosition(chars // 2)
    edit.setTextCursor(cursor)
    edit.setFocus()
    session.settle(ms=200)
    times = _time_keys(session, keys)
    same = window.current_document().text() == text
    cursor.movePosition(QTextCursor.MoveOperation.End)
    session.close()
    return {
        "megabytes": megabytes,
        "wrap": wrap,
        "keys": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(statistics.quantiles(times, n=10)[-1], 1),
        "max_ms": round(max(times), 1),
        "open_s": round(opened_s, 2),
        "text_intact": same,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="probe_long_line", description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0], help="line sizes in MB")
    parser.add_argument("--keys", type=int, default=30, help="characters typed (then erased)")
    parser.add_argument("--wrap", choices=("on", "off", "both"), default="on")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    wraps = {"on": [True], "off": [False], "both": [True, False]}[args.wrap]
    with tempfile.TemporaryDirectory(prefix="ghostpen-long-line-") as tmp:
        for mb in args.mb:
            for wrap in wraps:
                print(json.dumps(measure(Path(tmp), mb, max(1, args.keys), wrap)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
