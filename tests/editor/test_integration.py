"""The real engine in the real worker: closing tags of a long HTML page, model ghosts in text."""

import pytest
from PySide6.QtCore import Qt

from ghostpen.editor.textedit import GhostTextEdit
from ghostpen.editor.worker import Suggester
from ghostpen.suggest.engine import SuggestionEngine
from ghostpen.suggest.types import EngineSettings


@pytest.fixture
def typing(qtbot, tiny_model):
    """typing(path, text, typed) -> (ghost, edit): a real engine, the worker, a GhostTextEdit."""
    started: list[Suggester] = []

    def run(path, text, typed):
        sugg = Suggester(
            lambda: SuggestionEngine.from_checkpoint(tiny_model, EngineSettings()), delay_ms=1
        )
        started.append(sugg)
        edit = GhostTextEdit()
        qtbot.addWidget(edit)
        edit.show()
        qtbot.waitExposed(edit)
        sugg.attach(edit, lambda: path)
        with qtbot.waitSignal(sugg.ready, timeout=20000):
            sugg.start()
        edit.setPlainText(text)
        cursor = edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        edit.setTextCursor(cursor)
        qtbot.keyClicks(edit, typed)
        qtbot.waitUntil(lambda: edit.ghost() is not None, timeout=10000)
        return edit.ghost(), edit

    yield run
    for sugg in started:
        sugg.stop()


def test_end_tag_of_an_element_opened_far_before_the_cursor(qtbot, typing):
    # the <section> start tag lies ~40,000 characters before the cursor: far outside the
    # 16k-character window plain text gets, so this needs the whole-document markup window
    page = "<!doctype html>\n<html><body>\n<section id=main>\n" + "<p>Some text.</p>\n" * 2200
    ghost, edit = typing("/tmp/page.html", page, "</")
    assert (ghost.text, ghost.source) == ("section>", "html")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.toPlainText().endswith("</section>")


def test_start_tag_gets_its_end_tag_with_the_cursor_between(qtbot, typing):
    ghost, edit = typing("/tmp/page.html", "<ul>\n  ", "<li>")
    assert ghost.text == "</li>" and ghost.cursor_after == 0
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(edit, "item")
    assert edit.toPlainText() == "<ul>\n  <li>item</li>"


def test_model_ghost_in_a_text_document(qtbot, typing):
    text = "Now you must know that a Town Mouse once upon a time went on a visit to his cousin. "
    ghost, edit = typing("/tmp/notes.txt", text, "The Town Mo")
    assert ghost.source in ("model", "document") and ghost.text.startswith("use")
    assert "Mouse" not in edit.toPlainText()[len(text) :]  # painted, not inserted
