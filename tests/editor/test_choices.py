"""A suggestion's alternatives in the editor (`editor/ghost.py`, `editor/choices_ui.py`): cycling
with a "2/3" badge, the strip with Alt+1/2/3, the setting, and rebindable actions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QTextCursor

from ghostpen.editor.app import build_app
from ghostpen.editor.ghost import typed_through
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.settings import AppSettings
from ghostpen.editor.textedit import GhostTextEdit
from ghostpen.suggest.types import Suggestion

ALT = Qt.KeyboardModifier.AltModifier


def three(a="time ", b="thing ", c="as ") -> Suggestion:
    first = Suggestion(a, 0.4, "model")
    return first.with_alternatives([Suggestion(b, 0.3, "model"), Suggestion(c, 0.2, "model")])


class ChoicesEngine:
    """Three choices after a space, none elsewhere; records the settings it was given."""

    name = "choices"
    settings = None

    def suggest(self, before, after="", *, path=None):
        return three() if before.endswith(" ") else None

    def update_settings(self, settings) -> None:
        ChoicesEngine.settings = settings


def test_a_suggestion_carries_its_choices_as_a_value():
    s = three()
    assert [c.text for c in s.choices()] == ["time ", "thing ", "as "]
    assert s == Suggestion("time ", 0.4, "model")  # alternatives do not change equality
    assert all(not a.alternatives for a in s.alternatives)
    with pytest.raises(ValueError):
        Suggestion("a", 0.5, "model", None, tuple(three().choices()))


def test_typing_through_keeps_the_choices_that_go_on():
    s = three()
    rest = typed_through(s, "t", s.alternatives)
    assert [c.text for c in rest.choices()] == ["ime ", "hing "]
    assert typed_through(s, "a", s.alternatives) is None  # not the ghost's next character


def make_edit(qtbot, text="It is almost the same "):
    edit = GhostTextEdit()
    qtbot.addWidget(edit)
    edit.resize(500, 120)
    edit.setPlainText(text)
    edit.moveCursor(QTextCursor.MoveOperation.End)
    edit.show()
    qtbot.waitExposed(edit)
    return edit


def test_cycling_shows_each_choice_and_tab_takes_the_shown_one(qtbot):
    edit = make_edit(qtbot)
    edit.set_ghost(three())
    plain = edit.viewport().grab().toImage()
    assert edit.cycle_ghost(1) and edit.ghost().text == "thing " and edit.ghost_index() == 1
    badge = edit.viewport().grab().toImage()
    assert badge != plain  # another ghost, and "2/3"
    assert edit.cycle_ghost(1) and edit.ghost().text == "as "
    assert edit.cycle_ghost(1) and edit.ghost().text == "time "  # wraps around
    assert edit.cycle_ghost(-1) and edit.ghost().text == "as "
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.toPlainText() == "It is almost the same as " and edit.ghost() is None
    edit.undo()  # one undo step
    assert edit.toPlainText() == "It is almost the same "


def test_the_one_view_offers_no_alternatives(qtbot):
    edit = make_edit(qtbot)
    edit.set_choices_view("one")
    edit.set_ghost(three())
    assert len(edit.ghost_choices()) == 1 and not edit.cycle_ghost(1)
    assert edit.take_choice(1) == "" and edit.toPlainText().endswith("same ")


@pytest.fixture
def app(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    AppSettings(store).set_shortcuts("ghost_take_3", ["Alt+9"])
    built = build_app(
        engine=ChoicesEngine,
        settings_store=store,
        recovery=RecoveryStore(tmp_path / "recovery"),
    )
    window = built.window
    qtbot.addWidget(window, before_close_func=forget_changes)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    yield built
    forget_changes(window)
    window.close()
    built.suggester.stop()


def forget_changes(window) -> None:
    """Mark every document saved so closing the window asks nothing."""
    for doc in window.documents():
        doc.set_modified(False)


def ghost_after(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    qtbot.waitUntil(lambda: edit.ghost() is not None, timeout=10000)


def test_window_keys_cycle_and_the_strip_takes(qtbot, app):
    window, choices = app.window, app.choices
    assert choices.view == "cycle" and not choices.strip.isVisible()
    assert app.suggester.settings.choices == 3  # the engine computes alternatives
    names = {a.objectName() for a in window.actions()}
    for name in ("next", "previous", "take_1", "take_2", "take_3"):
        assert f"action_ghost_{name}" in names  # listed with the window's actions
    edit = window.current_editor()
    ghost_after(qtbot, edit, "It is ")
    qtbot.keyClick(edit, Qt.Key.Key_Period, ALT)  # Alt+. (the AltGr layouts' key)
    assert edit.ghost().text == "thing "
    window.acts.ghost_next.trigger()  # Alt+]
    assert edit.ghost().text == "as "
    qtbot.keyClick(edit, Qt.Key.Key_Comma, ALT)
    assert edit.ghost().text == "thing "

    choices.view_actions["strip"].trigger()
    assert choices.strip.isVisible() and AppSettings(window.settings.store).choices_view() == (
        "strip"
    )
    ghost_after(qtbot, edit, "x ")
    shown = choices.strip.texts()
    assert "time" in shown[0] and "thing" in shown[1] and "as" in shown[2]
    assert "Alt+9" in shown[2]  # the user's own key for slot 3
    qtbot.keyClick(edit, Qt.Key.Key_2, ALT)
    assert edit.toPlainText() == "It is x thing "
    ghost_after(qtbot, edit, "y ")
    qtbot.keyClick(edit, Qt.Key.Key_9, ALT)
    assert edit.toPlainText() == "It is x thing y as "


def test_one_view_asks_the_engine_for_one_choice(qtbot, app):
    app.choices.view_actions["one"].trigger()
    assert app.suggester.settings.choices == 1
    qtbot.waitUntil(lambda: getattr(ChoicesEngine.settings, "choices", 0) == 1, timeout=10000)
    assert app.window.settings.suggest_prefs().engine.choices == 1
    action = app.window.acts.ghost_take_3
    assert action.shortcuts() == [QKeySequence("Alt+9")]
    assert QKeySequence("Alt+.") in app.window.acts.ghost_next.shortcuts()
