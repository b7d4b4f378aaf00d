"""What a new user meets in the window (issue 17): ghosts only where they belong, help, word
wrap by file type, find counts, closing many tabs, an emptied Untitled buffer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextCursor

from ghostpen.editor import dialogs
from ghostpen.editor.app import build_app
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.textedit import ghost_fits
from ghostpen.suggest.types import Suggestion


class AlwaysEngine:
    """Suggests "IR" everywhere it is asked."""

    name = "always"

    def suggest(self, before: str, after: str = "", *, path: str | None = None):
        return Suggestion("IR", 0.9, "model") if before else None

    def update_settings(self, settings) -> None:
        self.settings = settings


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda p, name: asked.append(name) or "x")
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    app = build_app(
        engine=AlwaysEngine, settings_store=store, recovery=RecoveryStore(tmp_path / "r")
    )
    win = app.window
    win.asked = asked
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    for doc in win.documents():
        doc.set_modified(False)
    win.close()
    win.suggester.stop()


def test_ghost_fits_only_at_line_end_or_before_closers():
    assert ghost_fits("") and ghost_fits(")") and ghost_fits("”.") and ghost_fits("]; ")
    assert not ghost_fits(" the rest") and not ghost_fits("x)") and not ghost_fits("word")


def test_ghost_at_line_end_not_inside_a_line(qtbot, window):
    edit = window.current_editor()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, "one two")
    qtbot.waitUntil(lambda: edit.ghost() is not None)
    wanted = []
    edit.suggestionWanted.connect(lambda: wanted.append(edit.revision()))
    cursor = edit.textCursor()
    cursor.setPosition(3)  # "one| two"
    edit.setTextCursor(cursor)
    qtbot.keyClicks(edit, "s")
    assert wanted == [] and edit.ghost() is None  # never asked for inside the line
    edit.set_ghost(Suggestion("IR", 0.9, "model"))  # nor shown there, if a result came
    assert edit.ghost() is None
    edit.moveCursor(QTextCursor.MoveOperation.End)
    assert wanted  # at the end it is


def test_no_ghost_after_replace_all_with_focus_in_the_replace_field(qtbot, window):
    edit = window.current_editor()
    edit.setFocus()
    qtbot.keyClicks(edit, "a b a c a")
    qtbot.waitUntil(lambda: edit.ghost() is not None)  # the engine does answer here
    window.show_find(replace=True)
    bar = window.find_bar
    bar.find_edit.setText("a")
    bar.replace_edit.setText("IR")
    bar.replace_edit.setFocus()
    qtbot.waitUntil(bar.replace_edit.hasFocus)
    edit.moveCursor(QTextCursor.MoveOperation.Start)
    bar.replace_all()
    assert edit.toPlainText() == "IR b IR c IR"
    edit.moveCursor(QTextCursor.MoveOperation.End)  # even at the line's end: not focused
    assert not edit.ghost_allowed()
    edit.set_ghost(Suggestion("IR", 0.9, "model"))
    assert edit.ghost() is None
