"""`ghostpen eval latency`: keystroke-to-ghost-text latency in the real window, offscreen.

Opens the editor window as `ghostpen edit` builds it (`ghostpen.editor.app.build_app`; offscreen
unless a display platform is set; settings and recovery in a temp folder), loads a buffer holding
`--prefix` characters of a text, then types the next `--chars` characters with QTest key
clicks at `--cps` characters a second (scheduled by a QTimer). It reports, in milliseconds:

- keystroke_to_ghost_ms_p50/p95/max: from a key press to the first paint of a suggestion the
  worker computed for the text after that key (timestamped in GhostTextEdit.paintEvent);
- keystroke_to_any_ghost_ms_p50/p95: the same, also counting the ghost the widget keeps on
  its own when the typed character matches the ghost's first one (what the user sees);
- event_loop_stall_ms_max: the worst lateness of a 5 ms precise timer during the run;
- engine_ms_p50/p95: time spent in `engine.suggest` in the worker thread;
- typed_exactly: whether the buffer then holds exactly the text's first `prefix + chars`
  characters (any character types: non-ASCII ones arrive as key events carrying their text).

    ghostpen eval latency --text ../shared/data/nietzsche.txt --chars 200 --cps 10 --json
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from ghostpen.evals import choices_arg
from ghostpen.report import print_result

DEFAULT_TEXT = Path("..") / "shared" / "data" / "nietzsche.txt"  # relative to the CWD
STALL_TICK_MS = 5
FRAME_MS = 16.0  # a stall longer than this drops a frame at 60 Hz


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--text",
        type=Path,
        default=None,
        help=f"text to type (default: {DEFAULT_TEXT} if it exists)",
    )
    parser.add_argument("--chars", type=int, default=200, help="characters to type (200)")
    parser.add_argument("--cps", type=float, default=10.0, help="typing speed, characters/s")
    parser.add_argument(
        "--prefix",
        type=int,
        default=2000,
        help="characters of the text already in the buffer (2000)",
    )
    parser.add_argument(
        "--model", default=None, help="checkpoint directory (default: the bundled model)"
    )
    choices_arg.add_argument(parser)
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    parser.add_argument("--fake-engine", action="store_true", help=argparse.SUPPRESS)


class FakeEngine:
    """A model-free engine for tests: completes the word being typed from earlier words."""

    name = "fake (document words)"

    def __init__(self) -> None:
        self.settings = None

    def suggest(self, before: str, after: str = "", *, path: str | None = None):
        from ghostpen.suggest.types import Suggestion

        m = re.search(r"\w+$", before)
        if m is None:
            return None
        stem = m.group(0)
        found = None
        for hit in re.finditer(r"\b" + re.escape(stem) + r"(\w+)", before[: m.start()]):
            found = hit.group(1)
        return None if found is None else Suggestion(found, 0.8, "document")

    def update_settings(self, settings) -> None:
        self.settings = settings

    def reset(self) -> None:
        pass


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 2)


def type_text(widget, ch: str) -> None:
    """Type one character into `widget` as a key press and release carrying it as text.
    Printable ASCII goes through `QTest.keyClicks`; anything else (é, €, CJK, a combining mark,
    an emoji outside the BMP as one surrogate pair) as a QKeyEvent with key code Key_unknown, as
    an input method sends it: QTest maps characters to key codes for ASCII only and aborts the
    process on others (`ASSERT ... qasciikey.cpp`)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    if " " <= ch <= "~":
        QTest.keyClicks(widget, ch)
        return
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
        QApplication.sendEvent(widget, event)


def _open_window(engine_factory, model_path, settings, tmp: str):
    """(window, editor, suggester): the real window as `ghostpen edit` builds it (settings and
    recovery in the temp folder `tmp`), with `engine_factory` (None: the checkpoint at
    `model_path`, default the bundled model) and engine `settings` (None: the defaults)."""
    from PySide6.QtCore import QSettings

    from ghostpen.editor.app import build_app
    from ghostpen.editor.recovery import RecoveryStore

    app = build_app(
        model_path,
        engine=engine_factory,
        settings_store=QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat),
        recovery=RecoveryStore(os.path.join(tmp, "recovery")),
    )
    if settings is not None:
        app.suggester.set_settings(settings)
    return app.window, app.window.current_editor(), app.suggester


def measure_latency(
    text: str,
    engine_factory=None,
    *,
    model_path: str | None = None,
    prefix: int = 2000,
    chars: int = 200,
    cps: float = 10.0,
    settings=None,
    load_timeout_s: float = 120.0,
) -> dict:
    """Type `chars` characters of `text` after its first `prefix` into the window; the
    numbers described in the module docstring. The engine: `engine_factory()` if given, else
    the checkpoint at `model_path` (None: the bundled model). Raises RuntimeError if the
    engine fails."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Slot
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    if len(text) < prefix + chars:
        raise ValueError(
            f"the text has {len(text)} characters; --prefix {prefix} + --chars "
            f"{chars} need {prefix + chars}"
        )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    typed = text[prefix : prefix + chars]
    interval_ms = max(1, round(1000.0 / cps))

    class Probe(QObject):  # lives in the GUI thread: cross-thread signals arrive queued
        def __init__(self) -> None:
            super().__init__()
            self.engine_ms: list[float] = []
            self.engine_at: list[tuple[float, float]] = []

        @Slot(int, int, object, float)
        def on_result(self, _doc: int, _rev: int, _s, ms: float) -> None:
            if "t_start" not in state:  # the first result: the engine read the buffer
                state["warmup_ms"] = ms
                loop.quit()
                return
            self.engine_ms.append(ms)
            self.engine_at.append(
                (round(time.perf_counter() - state.get("t_start", 0), 3), round(ms, 1))
            )

    with tempfile.TemporaryDirectory(prefix="ghostpen-latency-") as tmp:
        window, edit, suggester = _open_window(engine_factory, model_path, settings, tmp)
        probe = Probe()
        suggester._worker.result.connect(probe.on_result)
        loop = QEventLoop()
        state = {"error": None, "i": 0, "stall": 0.0, "last_tick": None, "done": False}
        pressed: dict[int, float] = {}  # revision after a key -> perf_counter of the press
        model_ms: dict[int, float] = {}
        any_ms: dict[int, float] = {}
        stalls: list[tuple[float, float]] = []  # (seconds into the run, lateness ms) > FRAME_MS

        def on_painted(revision: int, local: int) -> None:
            t0 = pressed.get(revision)
            if t0 is None:
                return
            ms = (edit.ghost_painted_at - t0) * 1000.0
            any_ms.setdefault(revision, ms)
            if not local:
                model_ms.setdefault(revision, ms)

        def on_failed(message: str) -> None:
            state["error"] = message
            loop.quit()

        def wait(seconds: float) -> None:
            guard = QTimer()
            guard.setSingleShot(True)
            guard.timeout.connect(loop.quit)
            guard.start(int(seconds * 1000))
            loop.exec()
            guard.stop()

        edit.ghostPainted.connect(on_painted)
        suggester.failed.connect(on_failed)
        suggester.ready.connect(lambda _name: loop.quit())
        try:
            window.show()
            edit.setPlainText(text[:prefix])
            edit.moveCursor(QTextCursor.MoveOperation.End)
            edit.setFocus()
            suggester.start()
            suggester.set_enabled(True)
            if not suggester.is_ready and suggester.last_error is None:
                wait(load_timeout_s)
            if state["error"] or suggester.last_error:
                raise RuntimeError(state["error"] or suggester.last_error)
            if not suggester.is_ready:
                raise RuntimeError(f"the model did not load within {load_timeout_s:.0f} s")
            if "warmup_ms" not in state:  # let the engine read the buffer before typing
                edit.suggestionWanted.emit()
                wait(load_timeout_s)
            if state["error"]:
                raise RuntimeError(state["error"])

            stall_timer = QTimer()
            stall_timer.setTimerType(Qt.TimerType.PreciseTimer)
            stall_timer.setInterval(STALL_TICK_MS)

            def tick() -> None:
                now = time.perf_counter()
                if state["last_tick"] is not None:
                    late = (now - state["last_tick"]) * 1000.0 - STALL_TICK_MS
                    state["stall"] = max(state["stall"], late)
                    if late > FRAME_MS:
                        stalls.append((round(now - state["t_start"], 3), round(late, 1)))
                state["last_tick"] = now

            stall_timer.timeout.connect(tick)
            key_timer = QTimer()
            key_timer.setTimerType(Qt.TimerType.PreciseTimer)
            key_timer.setInterval(interval_ms)

            def type_next() -> None:
                i = state["i"]
                if i >= len(typed):
                    key_timer.stop()
                    QTimer.singleShot(max(500, 3 * interval_ms), loop.quit)
                    return
                state["i"] = i + 1
                ch = typed[i]
                t0 = time.perf_counter()
                if ch == "\n":
                    QTest.keyClick(edit, Qt.Key.Key_Return)
                elif ch == "\t":
                    if edit.ghost() is not None:
                        QTest.keyClick(edit, Qt.Key.Key_Escape)  # Tab would accept it
                    QTest.keyClick(edit, Qt.Key.Key_Tab)
                else:
                    type_text(edit, ch)
                pressed[edit.revision()] = t0

            key_timer.timeout.connect(type_next)
            edit.clear_ghost()
            state["t_start"] = time.perf_counter()
            stall_timer.start()
            key_timer.start()
            loop.exec()
            stall_timer.stop()
            if state["error"]:
                raise RuntimeError(state["error"])
            model = suggester.model_name
            typed_exactly = edit.toPlainText() == text[: prefix + chars]
        finally:
            edit.document().setModified(False)
            window.close()
            suggester.stop()
            window.deleteLater()
            app.processEvents()

    lat = list(model_ms.values())
    anyl = list(any_ms.values())
    if os.environ.get("GHOSTPEN_LATENCY_DEBUG"):
        print("stalls (s into the run, ms late):", stalls, file=sys.stderr)
        print("engine (s into the run at result, ms):", probe.engine_at, file=sys.stderr)
    return {
        "keystroke_to_ghost_ms_p50": _percentile(lat, 0.50),
        "keystroke_to_ghost_ms_p95": _percentile(lat, 0.95),
        "keystroke_to_ghost_ms_max": round(max(lat), 2) if lat else None,
        "keystroke_to_any_ghost_ms_p50": _percentile(anyl, 0.50),
        "keystroke_to_any_ghost_ms_p95": _percentile(anyl, 0.95),
        "event_loop_stall_ms_max": round(state["stall"], 2),
        "event_loop_stalls_over_16ms": len(stalls),
        "engine_ms_p50": _percentile(probe.engine_ms, 0.50),
        "engine_ms_p95": _percentile(probe.engine_ms, 0.95),
        "engine_ms_max": round(max(probe.engine_ms), 2) if probe.engine_ms else None,
        "engine_warmup_ms": round(state.get("warmup_ms", 0.0), 1),
        "suggestions_shown": len(lat),
        "ghosts_shown": len(anyl),
        "keystrokes": len(pressed),
        "typed_exactly": typed_exactly,
        "model": model,
        "window": type(window).__name__,
        "cps": cps,
        "prefix": prefix,
    }


def run(args: argparse.Namespace) -> int:
    path = args.text
    if path is None:
        if not DEFAULT_TEXT.exists():
            print(
                f"error: no text to type: pass --text FILE ({DEFAULT_TEXT} does not exist "
                f"relative to {Path.cwd()})",
                file=sys.stderr,
            )
            return 2
        path = DEFAULT_TEXT
    from ghostpen.textio import TextReadError, read_text

    try:
        text = read_text(path)
    except TextReadError as exc:
        print(f"error: cannot read {path}: {exc.reason}", file=sys.stderr)
        return 2
    if args.chars < 1 or args.prefix < 0 or args.cps <= 0:
        print("error: --chars must be >= 1, --prefix >= 0 and --cps > 0", file=sys.stderr)
        return 2
    if len(text) < args.prefix + args.chars:
        print(
            f"error: {path} has {len(text)} characters; --prefix {args.prefix} + --chars "
            f"{args.chars} need {args.prefix + args.chars}",
            file=sys.stderr,
        )
        return 2

    from ghostpen.suggest.types import EngineSettings

    try:
        result = measure_latency(
            text,
            FakeEngine if args.fake_engine else None,
            model_path=args.model,
            prefix=args.prefix,
            chars=args.chars,
            cps=args.cps,
            settings=EngineSettings(choices=args.choices),
        )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    result["text"] = str(path)
    result["choices"] = args.choices
    print_result(result, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "latency"], argv)


if __name__ == "__main__":
    sys.exit(main())
