"""One text window: what the editor sends the engine is what the evals cut.

The evals (`eval bpc/ksr/speed`) cut `text[window_start(i):i]` with the engine's re-exported
`window_start`; the editor's `GhostTextEdit.context()` and the worker's requests must give
the same text for a plain document, and the whole markup window for an HTML one.
"""

from __future__ import annotations

import threading

import pytest

from ghostpen.editor.textedit import GhostTextEdit
from ghostpen.editor.worker import Suggester
from ghostpen.suggest.engine import window_start  # as the evals import it
from ghostpen.suggest.window import AFTER, before_size, cut

LINE = "The quick brown fox jumps over the lazy dog; 0123456789.\n"
PLAIN = (LINE * (70_000 // len(LINE) + 1))[:70_000]
HTML = "<html><body>\n<section>\n" + "<p>Some text here.</p>\n" * 3000
CURSORS = (0, 7, 4095, 16_384, 20_479, 20_480, 33_333, 69_999)


class Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self.lock = threading.Lock()

    def suggest(self, before, after="", *, path=None):
        with self.lock:
            self.calls.append((before, after, path))
        return None

    def update_settings(self, settings) -> None:
        pass


def place(edit: GhostTextEdit, pos: int) -> None:
    cursor = edit.textCursor()
    cursor.setPosition(pos)
    edit.setTextCursor(cursor)


@pytest.mark.parametrize("text, markup", [(PLAIN, False), (HTML, True)])
def test_editor_context_is_the_evals_window(qtbot, text, markup):
    edit = GhostTextEdit()
    qtbot.addWidget(edit)
    edit.setPlainText(text)
    for pos in [c for c in CURSORS if c < len(text)] + [len(text)]:
        place(edit, pos)
        before, after, _ = edit.context(before_size(markup))
        assert (pos - len(before), before) == cut(text, pos, markup)
        assert after == text[pos : pos + AFTER]
        plain_before, _, _ = edit.context()  # the default is the plain window
        assert plain_before == text[window_start(pos) : pos]
        # the engine cuts a markup window back to the plain one for the model
        assert before[window_start(len(before)) :] == text[window_start(pos) : pos]


@pytest.mark.parametrize(
    "path, text, markup", [("/tmp/a.txt", PLAIN, False), ("/tmp/a.html", HTML, True)]
)
def test_worker_requests_carry_the_window(qtbot, path, text, markup):
    engine = Recorder()
    sugg = Suggester(lambda: engine, delay_ms=0)
    edit = GhostTextEdit()
    qtbot.addWidget(edit)
    try:
        with qtbot.waitSignal(sugg.ready, timeout=5000):
            sugg.start()
        sugg.attach(edit, lambda: path)
        edit.setPlainText(text)
        for pos in (33_333, len(text)):
            place(edit, pos)
            want_after = text[pos : pos + AFTER]  # tells this request from earlier ones
            qtbot.waitUntil(
                lambda a=want_after: bool(engine.calls) and engine.calls[-1][1] == a, timeout=5000
            )
            before, _, seen_path = engine.calls[-1]
            assert before == cut(text, pos, markup)[1] and seen_path == path
            if markup:
                assert before == text[:pos]  # far more than the plain window
            else:
                assert before == text[window_start(pos) : pos]
    finally:
        sugg.stop()
