"""The ghost suggestion (`editor/ghost.py`): what each key accepts, type-through, and accepting
the next line with Ctrl+Shift+Right (one undo step; the ghost never in the text or the file)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ghostpen.editor.files import read_text_file, save_text_file
from ghostpen.editor.ghost import accept_length, next_line_len, rest_after, typed_through
from ghostpen.editor.textedit import GhostTextEdit
from ghostpen.suggest.types import Suggestion

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def sug(text: str, offset: int | None = None) -> Suggestion:
    return Suggestion(text, 0.9, "model", offset)


def make_edit(qtbot, text: str = "", parent: QWidget | None = None) -> GhostTextEdit:
    edit = GhostTextEdit(parent)
    if parent is None:
        qtbot.addWidget(edit)
    edit.resize(500, 200)
    edit.setPlainText(text)
    edit.moveCursor(QTextCursor.MoveOperation.End)
    edit.show()
    qtbot.waitExposed(edit)
    return edit


def test_how_much_each_part_accepts():
    assert next_line_len("one two\nthree") == len("one two")
    assert next_line_len("\nthree\nfour") == len("\nthree")  # starts with a break: progress
    assert next_line_len("\n") == 1 and next_line_len("no break") == len("no break")
    assert accept_length("lo big\nworld", "all") == len("lo big\nworld")
    assert accept_length("lo big\nworld", "word") == 2
    assert accept_length("lo big\nworld", "line") == 6
    assert accept_length("  ", "word") == 2


def test_what_stays_after_accepting_or_typing():
    tag = sug("</li>", offset=0)
    assert rest_after(tag, 2) == Suggestion("li>", 0.9, "model", None)
    assert rest_after(sug("ab", offset=2), 1).cursor_offset == 1
    assert rest_after(sug("ab"), 2) is None
    assert typed_through(sug("lo"), "l") == sug("o")
    assert typed_through(sug("lo"), "x") is None
    assert typed_through(sug("l"), "l") is None  # nothing would be left
    assert typed_through(tag, "<") is None  # the cursor must stay before the end tag


def test_ctrl_shift_right_accepts_line_by_line(qtbot, tmp_path):
    edit = make_edit(qtbot, "hel")
    edit.set_ghost(sug("lo world\nsecond line\nthird"))
    wanted, accepted = [], []
    edit.suggestionWanted.connect(lambda: wanted.append(1))
    edit.ghostAccepted.connect(accepted.append)
    qtbot.keyClick(edit, Qt.Key.Key_Right, CTRL_SHIFT)
    assert edit.toPlainText() == "hello world"  # the ghost's rest is not in the text
    assert edit.ghost().text == "\nsecond line\nthird"
    assert not edit.textCursor().hasSelection() and not wanted
    edit.undo()  # one undo step takes all of the accepted line, none of the typed text
    assert edit.toPlainText() == "hel" and edit.ghost() is None
    edit.redo()
    assert edit.toPlainText() == "hello world"
    edit.moveCursor(QTextCursor.MoveOperation.End)
    edit.set_ghost(sug("\nsecond line\nthird"))
    save_text_file(tmp_path / "a.txt", edit.toPlainText())
    assert read_text_file(tmp_path / "a.txt").text == "hello world"
    qtbot.keyClick(edit, Qt.Key.Key_Right, CTRL_SHIFT)
    assert edit.toPlainText() == "hello world\nsecond line"
    assert edit.ghost().text == "\nthird"
    qtbot.keyClick(edit, Qt.Key.Key_Right, CTRL_SHIFT)
    assert edit.toPlainText() == "hello world\nsecond line\nthird" and edit.ghost() is None
    assert accepted == ["lo world", "\nsecond line", "\nthird"]
    edit.undo()
    assert edit.toPlainText() == "hello world\nsecond line"
    edit.undo()
    assert edit.toPlainText() == "hello world"
    edit.undo()
    assert edit.toPlainText() == "hel"


def test_ctrl_shift_right_without_ghost_selects_the_next_word(qtbot):
    assert QKeySequence("Ctrl+Shift+Right") in QKeySequence.keyBindings(
        QKeySequence.StandardKey.SelectNextWord
    )  # the platform key this test presses
    edit = make_edit(qtbot, "one two")
    edit.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClick(edit, Qt.Key.Key_Right, CTRL_SHIFT)
    assert edit.textCursor().selectedText().strip() == "one"
    assert edit.toPlainText() == "one two"


def test_ghost_keys_win_over_window_shortcuts_only_while_a_ghost_shows(qtbot):
    # Tab and the Ctrl+arrow keys the editor claims anyway; Esc only while a ghost shows
    window = QWidget()
    qtbot.addWidget(window)
    QVBoxLayout(window)
    fired = []
    action = QAction("close", window)
    action.setShortcut(QKeySequence("Esc"))
    action.triggered.connect(lambda: fired.append("Esc"))
    window.addAction(action)
    edit = make_edit(qtbot, "say hel", parent=window)
    window.layout().addWidget(edit)
    window.show()
    qtbot.waitExposed(window)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=2000)
    edit.set_ghost(sug("lo there, you"))
    qtbot.keyClick(edit, Qt.Key.Key_Right, CTRL_SHIFT)
    assert edit.toPlainText() == "say hello there, you" and edit.ghost() is None
    edit.set_ghost(sug("!"))
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert fired == [] and edit.ghost() is None  # dismissed, not the window's Esc
    qtbot.keyClick(edit, Qt.Key.Key_Escape)  # no ghost: the window's shortcut has Esc
    assert fired == ["Esc"]


def test_accept_ghost_method_and_type_through(qtbot):
    edit = make_edit(qtbot, "a")
    assert edit.accept_ghost("line") == ""  # no ghost: nothing happens
    edit.set_ghost(sug("bc de\nf"))
    qtbot.keyClicks(edit, "b")  # type-through keeps the rest
    assert edit.ghost().text == "c de\nf"
    assert edit.accept_ghost("word") == "c"
    assert edit.accept_ghost("line") == " de"
    assert edit.accept_ghost() == "\nf"
    assert edit.toPlainText() == "abc de\nf" and edit.ghost() is None


def test_a_trailing_space_is_typed_through_and_taken_word_by_word(qtbot):
    # prose suggestions end with the space after the word ("lo " after "hel")
    edit = make_edit(qtbot, "hel")
    edit.set_ghost(sug("lo "))
    qtbot.keyClicks(edit, "lo")  # typing the word itself keeps the space as the ghost
    assert edit.ghost().text == " "
    qtbot.keyClicks(edit, " ")  # typing the separator consumes it: nothing is left
    assert edit.toPlainText() == "hello " and edit.ghost() is None
    edit.set_ghost(sug("the same "))
    assert edit.accept_ghost("word") == "the"  # Ctrl+Right: the word, then the next word...
    assert edit.accept_ghost("word") == " same"
    assert edit.ghost().text == " "  # ...and the trailing space alone
    qtbot.keyClicks(edit, ".")  # punctuation instead of the space: the ghost goes
    assert edit.toPlainText() == "hello the same." and edit.ghost() is None
    edit.set_ghost(sug(" and "))
    qtbot.keyClick(edit, Qt.Key.Key_Tab)  # Tab takes the space too
    assert edit.toPlainText() == "hello the same. and " and edit.ghost() is None
