"""Keys the user changes (`editor/shortcuts.py`): the ghost's own keys are actions, rebound in
Help ▸ Keyboard shortcuts, kept in the settings, refused when another action has the key."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QTextCursor

from ghostpen.editor.app import build_app
from ghostpen.editor.help import HelpController, action_of, fill_tree
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.shortcuts import rebind
from ghostpen.suggest.types import Suggestion

CTRL = Qt.KeyboardModifier.ControlModifier


class NoEngine:
    name = "none"

    def suggest(self, before, after="", *, path=None):
        return None

    def update_settings(self, settings) -> None:
        pass


def make_window(qtbot, tmp_path, run="r"):
    """A window on the settings file in `tmp_path`; `run` names its own recovery folder."""
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    app = build_app(engine=NoEngine, settings_store=store, recovery=RecoveryStore(tmp_path / run))
    win = app.window  # closed by close() (not qtbot: it would close it before the fixture)
    win.show()
    qtbot.waitExposed(win)
    return win


def close(win) -> None:
    for doc in win.documents():
        doc.set_modified(False)
    win.close()
    win.suggester.stop()


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path)
    yield win
    close(win)


def ghost_on(qtbot, edit, text="time ") -> None:
    edit.setPlainText("It is almost the same ")
    edit.moveCursor(QTextCursor.MoveOperation.End)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.set_ghost(Suggestion(text, 0.9, "model"))
    assert edit.ghost() is not None


def test_the_ghost_keys_are_named_actions_with_their_defaults(window):
    accept = window.ghost_keys.actions["all"]
    assert accept.objectName() == "action_ghost_accept"
    assert [s.toString() for s in accept.shortcuts()] == ["Tab"]
    assert window.ghost_keys.actions["dismiss"].shortcuts() == [QKeySequence("Esc")]


def test_a_rebound_accept_key_takes_the_ghost_and_tab_indents_again(qtbot, window):
    edit = window.current_editor()
    assert rebind(window, window.ghost_keys.actions["all"], QKeySequence("Ctrl+J")) == ""
    ghost_on(qtbot, edit)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)  # no longer a ghost key: the editor's own Tab
    assert edit.toPlainText() != "It is almost the same time "
    assert "time" not in edit.toPlainText()
    ghost_on(qtbot, edit)
    qtbot.keyClick(edit, Qt.Key.Key_J, CTRL)
    assert edit.toPlainText() == "It is almost the same time "


def test_the_choice_is_kept_and_applied_at_the_next_start(qtbot, tmp_path):
    first = make_window(qtbot, tmp_path)
    rebind(first, first.ghost_keys.actions["word"], QKeySequence("Ctrl+K"))
    rebind(first, first.acts.ghost_next, QKeySequence("Alt+N"))
    first.settings.store.sync()
    close(first)
    second = make_window(qtbot, tmp_path, "r2")
    try:
        assert second.ghost_keys.actions["word"].shortcuts() == [QKeySequence("Ctrl+K")]
        assert second.acts.ghost_next.shortcuts() == [QKeySequence("Alt+N")]
        edit = second.current_editor()
        ghost_on(qtbot, edit, "time and ")
        qtbot.keyClick(edit, Qt.Key.Key_K, CTRL)
        assert edit.toPlainText() == "It is almost the same time"
    finally:
        close(second)


def test_a_key_another_action_has_is_refused_and_reset_gives_the_default(window):
    accept = window.ghost_keys.actions["all"]
    problem = rebind(window, accept, QKeySequence("Ctrl+S"))
    assert "Save" in problem and accept.shortcuts() == [QKeySequence("Tab")]
    assert window.settings.shortcuts("ghost_accept") is None
    rebind(window, accept, QKeySequence("Ctrl+J"))
    assert window.settings.shortcuts("ghost_accept") == ["Ctrl+J"]
    rebind(window, accept, None)
    assert accept.shortcuts() == [QKeySequence("Tab")]
    assert window.settings.shortcuts("ghost_accept") is None


def test_the_shortcuts_dialog_changes_the_selected_action(qtbot, window):
    dialog = window.findChild(HelpController).show_shortcuts()
    tree = dialog.tree
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    heading = rows[0]
    assert action_of(window, heading) is None
    tree.setCurrentItem(heading)
    assert not dialog.change.isEnabled()
    accept_row = next(r for r in rows if r.text(0).strip() == "Accept the whole ghost")
    tree.setCurrentItem(accept_row)
    assert dialog.change.isEnabled()
    keys = dialog.key_dialog()
    keys.edit.setKeySequence(QKeySequence("Ctrl+J"))
    keys._apply(keys.edit.keySequence())
    assert keys.result() == keys.DialogCode.Accepted
    fill_tree(tree, window)
    assert dict(dialog.texts())["Accept the whole ghost"] == QKeySequence("Ctrl+J").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    dialog.close()
