"""What a new user meets in the window (issue 17): ghosts only where they belong, help, word
wrap by file type, find counts, closing many tabs, an emptied Untitled buffer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextBrowser

from ghostpen.editor import dialogs
from ghostpen.editor.app import build_app
from ghostpen.editor.help import HelpController
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
    win.asked, win.help_controller = asked, win.findChild(HelpController)
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


def test_help_menu_has_getting_started_and_shortcuts_before_about(window):
    texts = [a.text() for a in window.acts.menus.help.actions() if not a.isSeparator()]
    assert texts == ["&Getting started", "&Keyboard shortcuts", "&About ghostpen"]


def test_keyboard_shortcuts_lists_ghost_keys_and_new_actions_as_bound_now(qtbot, window):
    from PySide6.QtGui import QAction, QKeySequence

    help_ = window.help_controller
    extra = QAction("Next alternative", window)  # as another part of the editor may add
    extra.setObjectName("action_ghost_next_alternative")
    extra.setShortcut(QKeySequence("Alt+]"))
    window.addAction(extra)
    window.acts.find.setShortcut(QKeySequence("Ctrl+Alt+F"))  # the user rebound Find
    dialog = help_.show_shortcuts()
    rows = dict(dialog.texts())
    assert rows["Next alternative"] == QKeySequence("Alt+]").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert rows["Accept the whole ghost"] == "Tab" and "Dismiss it (until the next edit)" in rows
    assert rows["Find"] == QKeySequence("Ctrl+Alt+F").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    names = [name for name, _ in dialog.texts()]
    assert names[0] == "Ghost text" and names.index("Next alternative") < names.index("File")


def test_ghost_keys_are_shown_once_the_first_time_a_ghost_appears(qtbot, window):
    edit = window.current_editor()
    edit.setFocus()
    qtbot.keyClicks(edit, "hello")
    help_ = window.help_controller
    qtbot.waitUntil(lambda: help_.first_ghost is not None and help_.first_ghost.isVisible())
    assert edit.hasFocus()  # the typing goes on
    rows = dict(help_.first_ghost.texts())
    assert "Accept the whole ghost" in rows and "Find" not in rows
    assert window.settings.store.value("help/ghost_keys_shown") == "true"
    help_.first_ghost.close()
    first = help_.first_ghost
    help_.first_ghost = None
    help_._ghost_painted()  # a later ghost, or the next start: remembered, not shown again
    assert help_.first_ghost is None and not first.isVisible()


def test_getting_started_and_about_say_what_is_true(window):
    from ghostpen.editor.about import about_text

    dialog = window.help_controller.show_getting_started()
    text = dialog.findChild(QTextBrowser).toPlainText()
    for use in ("Train on my documents", "Generate Avatars", "Tab takes all"):
        assert use in text
    about = about_text()
    assert "Beyond Good and Evil" not in about and "nietzsche.txt" in about
    assert "pd-base" in about and "bpc" in about


def _wraps(doc) -> bool:
    return doc.editor.lineWrapMode() != doc.editor.LineWrapMode.NoWrap


def test_word_wrap_on_for_prose_off_for_code_and_remembered_per_kind(window, tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    (tmp_path / "notes.md").write_text("# notes\n")
    untitled = window.current_document()
    assert _wraps(untitled) and window.acts.word_wrap.isChecked()
    window.new_document()
    assert window.open_file(str(tmp_path / "a.py"))
    code = window.current_document()
    assert not _wraps(code) and not window.acts.word_wrap.isChecked()
    window.acts.word_wrap.trigger()  # wrap code too, from now on
    assert window.open_file(str(tmp_path / "b.py"))
    assert _wraps(code) and _wraps(window.current_document()) and _wraps(untitled)
    window.acts.word_wrap.trigger()  # and off again: prose keeps wrapping
    assert not _wraps(code) and _wraps(untitled)
    assert window.open_file(str(tmp_path / "notes.md"))
    assert _wraps(window.current_document()) and window.acts.word_wrap.isChecked()
    window.tabs.setCurrentWidget(code.editor)
    assert not window.acts.word_wrap.isChecked()
    assert window.settings.word_wrap(prose=False) is False and window.settings.word_wrap()


def test_the_status_bar_does_not_set_the_window_minimum_width(qtbot, window):
    window.status.set_model("model: nietzsche-pd-lstm-2x512 " + "x" * 60)
    window.status.set_latency(12.0)
    window.status.set_position(12345, 678, 90)
    assert window.minimumSizeHint().width() < 400
    window.resize(420, 300)
    qtbot.waitUntil(lambda: window.width() <= 430)


def test_dark_theme_reaches_menus_made_later_and_context_menus(window):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QMenu

    def dark(widget) -> bool:
        return widget.palette().color(QPalette.ColorRole.Window).lightness() < 100

    window.set_dark(True)
    try:
        model_menu = window.menuBar().findChild(QMenu, "menu_model")  # made after the window
        assert dark(model_menu) and dark(window.acts.menus.help)
        context = window.current_editor().createStandardContextMenu()
        assert dark(context)
        context.deleteLater()
    finally:
        window.set_dark(False)
    assert not dark(window.acts.menus.help)


def test_find_highlights_every_match_and_says_which_while_typing(qtbot, window):
    edit = window.current_editor()
    edit.setPlainText("cat dog cat\nbird cat\ncatalog\n")
    edit.moveCursor(QTextCursor.MoveOperation.Start)
    window.show_find()
    bar = window.find_bar
    qtbot.keyClicks(bar.find_edit, "cat")  # typed: no Enter
    qtbot.waitUntil(lambda: bar.message.text() == "1 of 4")
    assert edit.find_marks() == 4 and edit.textCursor().selectedText() == "cat"
    bar.find_next()
    bar.find_next()
    assert bar.message.text() == "3 of 4"
    bar.find_next()
    bar.find_next()
    assert bar.message.text() == "1 of 4 (wrapped around)"
    bar.whole.setChecked(True)  # "catalog" no longer counts
    qtbot.waitUntil(lambda: bar.message.text().endswith("of 3"))
    cursor = edit.textCursor()  # an edit elsewhere: recounted
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("cat\n")
    qtbot.waitUntil(lambda: edit.find_marks() == 4)
    bar.close_bar()
    assert edit.find_marks() == 0


def test_an_untitled_buffer_emptied_again_closes_without_asking(qtbot, window):
    edit = window.current_editor()
    qtbot.keyClicks(edit, "ab")
    doc = window.current_document()
    assert doc.is_modified() and window.isWindowModified()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert not doc.is_modified() and not window.isWindowModified()
    edit.undo()  # "a" again: something to save
    assert doc.is_modified()
    edit.redo()
    assert not doc.is_modified()
    assert window.close_current() and window.asked == []


def test_closing_with_several_modified_tabs_offers_save_all_and_discard_all(
    qtbot, window, tmp_path, monkeypatch
):
    paths = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for p in paths:
        p.write_text("old\n")
        assert window.open_file(str(p))
        window.current_editor().textCursor().insertText("new ")
    offered = []
    answers = ["cancel", "save_all"]
    monkeypatch.setattr(
        dialogs, "ask_save_all", lambda w, names: offered.append(names) or answers.pop(0)
    )
    assert not window.close() and window.isVisible()  # Cancel: stays open, nothing saved
    assert offered == [["a.txt", "b.txt"]] and paths[0].read_text() == "old\n"
    assert window.close()
    assert [p.read_text() for p in paths] == ["new old\n", "new old\n"] and window.asked == []


def test_discard_all_closes_without_saving(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text("old\n")
    assert window.open_file(str(path))
    window.current_editor().textCursor().insertText("new ")
    window.new_document()
    window.current_editor().textCursor().insertText("scratch")
    monkeypatch.setattr(dialogs, "ask_save_all", lambda w, names: "discard_all")
    assert window.close() and path.read_text() == "old\n" and window.asked == []


def test_ask_save_all_maps_its_buttons(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    for text, answer in (
        ("Save All", "save_all"),
        ("Discard All", "discard_all"),
        ("Ask for Each…", "each"),
        ("Cancel", "cancel"),
    ):

        def click(box, text=text):
            button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
            button.click()
            return 0

        monkeypatch.setattr(QMessageBox, "exec", click)
        assert dialogs.ask_save_all(None, ["a.txt", "b.txt"]) == answer


def test_a_file_without_a_final_newline_stays_exact(qtbot, window, tmp_path):
    path = tmp_path / "no-newline.txt"
    path.write_bytes(b"first line\r\nlast line")
    assert window.open_file(str(path))
    assert window.save() and path.read_bytes() == b"first line\r\nlast line"
    edit = window.current_editor()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(edit, " ends here")
    assert window.save() and path.read_bytes() == b"first line\r\nlast line ends here"
