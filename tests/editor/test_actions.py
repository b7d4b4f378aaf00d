"""The window's actions (`editor/actions.py`): shortcuts, menus, what each action calls, the
recent-files menu, the palettes and the icon — against a stand-in window that records calls."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow

from ghostpen.editor import actions
from ghostpen.editor.actions import OWN_SHORTCUTS, SK, build, fill_recent_menu, standard_keys

WINDOW_METHODS = (
    "new_document open_dialog save save_as reopen_with_encoding close_current set_newline "
    "show_find find_next find_previous go_to_line set_word_wrap zoom_in zoom_out zoom_reset "
    "set_dark set_suggestions_enabled edit_settings clear_recent refresh_recent_menu"
).split()
EDITOR_METHODS = ("undo", "redo", "cut", "copy", "paste", "selectAll")


class Recorder:
    """Records calls: `rec.name(*args)` appends (name, args) to `rec.calls`."""

    def __init__(self, calls: list, names) -> None:
        for name in names:
            setattr(self, name, lambda *args, n=name: calls.append((n, args)))


class StandIn(QMainWindow):
    """A window with the methods `actions.build` connects to, recording every call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple]] = []
        self.editor = Recorder(self.calls, EDITOR_METHODS)
        for name in WINDOW_METHODS:
            setattr(self, name, lambda *args, n=name: self.calls.append((n, args)))

    def current_editor(self):
        return self.editor

    def close(self) -> bool:
        self.calls.append(("close", ()))
        return True


@pytest.fixture
def window(qtbot):
    w = StandIn()
    qtbot.addWidget(w)
    w.acts = build(w)
    return w


def test_each_action_calls_its_method(window):
    a = window.acts
    expected = {
        "new": ("new_document", ()),
        "open": ("open_dialog", ()),
        "save": ("save", ()),
        "save_as": ("save_as", ()),
        "reopen": ("reopen_with_encoding", ()),
        "close": ("close_current", ()),
        "quit": ("close", ()),
        "newline_crlf": ("set_newline", ("\r\n",)),
        "newline_cr": ("set_newline", ("\r",)),
        "find": ("show_find", (False,)),
        "replace": ("show_find", (True,)),
        "find_next": ("find_next", ()),
        "find_previous": ("find_previous", ()),
        "goto": ("go_to_line", ()),
        "zoom_in": ("zoom_in", ()),
        "zoom_out": ("zoom_out", ()),
        "zoom_reset": ("zoom_reset", ()),
        "light": ("set_dark", (False,)),
        "dark": ("set_dark", (True,)),
        "settings": ("edit_settings", ()),
        "clear_recent": ("clear_recent", ()),
        "undo": ("undo", ()),
        "redo": ("redo", ()),
        "cut": ("cut", ()),
        "copy": ("copy", ()),
        "paste": ("paste", ()),
        "select_all": ("selectAll", ()),
    }
    for name, call in expected.items():
        window.calls.clear()
        getattr(a, name).trigger()
        assert window.calls == [call], name
    window.calls.clear()
    a.word_wrap.trigger()  # checkable: the slot gets the new state
    a.toggle_suggest.trigger()
    assert window.calls == [("set_word_wrap", (True,)), ("set_suggestions_enabled", (True,))]


def test_no_editor_means_the_edit_actions_do_nothing(window):
    window.current_editor = lambda: None
    window.calls.clear()
    window.acts.undo.trigger()
    window.acts.paste.trigger()
    assert window.calls == []


def test_menus_hold_the_actions_and_names_are_unique(window):
    a = window.acts
    menus = (a.menus.file, a.menus.edit, a.menus.view, a.menus.suggest, a.menus.tools, a.menus.help)
    titles = [m.title() for m in menus]
    assert [act.text() for act in window.menuBar().actions()] == titles
    assert a.save in a.menus.file.actions() and a.undo in a.menus.edit.actions()
    assert a.word_wrap in a.menus.view.actions() and a.settings in a.menus.suggest.actions()
    assert a.menus.newline.actions() == a.newline_group.actions()
    assert a.menus.tools.actions() == [a.avatars]
    assert a.menus.help.actions() == [a.about]
    assert a.menus.theme.actions() == [a.light, a.dark] and a.theme_group.isExclusive()
    names = [act.objectName() for act in window.actions()]
    assert len(names) == len(set(names)) and all(n.startswith("action_") for n in names)


def test_own_shortcuts_and_no_collision(window, monkeypatch):
    a = window.acts
    assert a.toggle_suggest.shortcuts() == OWN_SHORTCUTS["toggle_suggest"]
    assert a.settings.shortcuts() == [QKeySequence("Ctrl+,")]
    assert "Ctrl+Shift+Right its next line" in a.toggle_suggest.statusTip()  # the ghost keys
    taken = {s.toString() for seqs in OWN_SHORTCUTS.values() for s in seqs}
    for act in (a.find_next, a.find_previous, a.new, a.save):
        assert act.shortcuts() and not {s.toString() for s in act.shortcuts()} & taken
    # a standard binding that is one of ours is dropped; the fallback when none is left
    monkeypatch.setattr(
        QKeySequence, "keyBindings", lambda key: [QKeySequence("Ctrl+G"), QKeySequence("F3")]
    )
    assert [k.toString() for k in standard_keys(SK.FindNext, "F4")] == ["F3"]
    monkeypatch.setattr(QKeySequence, "keyBindings", lambda key: [QKeySequence("Ctrl+G")])
    assert [k.toString() for k in standard_keys(SK.FindNext, "F4")] == ["F4"]
    assert [k.toString() for k in standard_keys(SK.FindNext, None, ("Ctrl+=",))] == ["Ctrl+="]


def test_recent_menu(window):
    opened = []
    fill_recent_menu(window.acts, ["/a/one.txt", "/b/two.md"], opened.append)
    entries = [act for act in window.acts.recent_menu.actions() if act.data()]
    assert [e.data() for e in entries] == ["/a/one.txt", "/b/two.md"]
    assert entries[0].text().startswith("&1 one.txt") and "/a" in entries[0].text()
    assert window.acts.clear_recent.isEnabled()
    entries[1].trigger()
    assert opened == ["/b/two.md"]
    fill_recent_menu(window.acts, [], opened.append)
    empty = next(act for act in window.acts.recent_menu.actions() if act.text())
    assert empty.text() == "No recent files" and not empty.isEnabled()
    assert not window.acts.clear_recent.isEnabled()


def test_palettes_and_icon(window):
    dark = actions.dark_palette()
    assert dark.color(QPalette.ColorRole.Base).lightness() < 80
    assert dark.color(QPalette.ColorRole.Text).lightness() > 180
    actions.apply_palette(window, True)
    assert window.palette().color(QPalette.ColorRole.Window) == dark.color(
        QPalette.ColorRole.Window
    )
    assert window.acts.menus.file.palette().color(QPalette.ColorRole.Base) == dark.color(
        QPalette.ColorRole.Base
    )
    actions.apply_palette(window, False)
    light = QApplication.instance().style().standardPalette()
    assert window.palette().color(QPalette.ColorRole.Base) == light.color(QPalette.ColorRole.Base)
    icon = actions.app_icon()
    sizes = sorted(s.width() for s in icon.availableSizes())
    assert sizes == [16, 32, 64, 128, 256]
    image = icon.pixmap(64, 64).toImage()
    assert image.pixelColor(0, 0).alpha() == 0 and image.pixelColor(32, 40).alpha() == 255


def test_about_box_names_the_data_and_its_attribution(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ghostpen.editor import about

    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window.acts.about.trigger()
    assert shown and "nietzsche.txt" in shown[0] and "Beyond Good and Evil" not in shown[0]
    assert "CC BY 4.0" in shown[0] and "Draftbit" in shown[0]  # the shipped generator's data
    assert about.avatar_credit() in shown[0].replace("&quot;", '"')


def test_help_is_the_last_menu_of_the_real_window(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from ghostpen.editor.app import build_app
    from ghostpen.editor.recovery import RecoveryStore

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    app = build_app(settings_store=store, recovery=RecoveryStore(tmp_path / "r"), suggest=False)
    qtbot.addWidget(app.window)
    titles = [act.text() for act in app.window.menuBar().actions()]
    assert "&Model" in titles and titles[-1] == "&Help", titles
    app.suggester.stop()
