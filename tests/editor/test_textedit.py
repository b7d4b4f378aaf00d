"""GhostTextEdit: painted ghost text, its keys, revisions, context() and the gutter."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QKeyEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from ghostpen.editor.textedit import GhostTextEdit
from ghostpen.suggest.types import Suggestion
from ghostpen.suggest.window import ALIGN


def make_edit(qtbot, text: str = "", show: bool = True) -> GhostTextEdit:
    edit = GhostTextEdit()
    qtbot.addWidget(edit)
    edit.resize(500, 200)
    if text:
        edit.setPlainText(text)
        edit.moveCursor(QTextCursor.MoveOperation.End)
    if show:
        edit.show()
        qtbot.waitExposed(edit)
    return edit


def sug(text: str, offset: int | None = None) -> Suggestion:
    return Suggestion(text, 0.9, "model", offset)


def test_ghost_is_painted_not_inserted(qtbot, tmp_path):
    edit = make_edit(qtbot, "hel")
    undo_before = edit.document().availableUndoSteps()
    with qtbot.waitSignal(edit.ghostPainted, timeout=2000) as painted:
        edit.set_ghost(sug("lo world"))
    assert painted.args == [edit.revision(), False]
    assert edit.ghost().text == "lo world"
    assert edit.toPlainText() == "hel"
    assert edit.document().availableUndoSteps() == undo_before
    from ghostpen.editor.files import read_text_file, save_text_file

    save_text_file(tmp_path / "a.txt", edit.toPlainText())
    assert read_text_file(tmp_path / "a.txt").text == "hel"


def test_ghost_pixels_appear_after_the_cursor(qtbot):
    edit = make_edit(qtbot, "hello")
    edit.setCursorWidth(0)  # no blinking cursor in the comparison
    plain = edit.viewport().grab().toImage()
    with qtbot.waitSignal(edit.ghostPainted, timeout=2000):
        edit.set_ghost(sug(" world, again"))
    ghosted = edit.viewport().grab().toImage()
    cr = edit.cursorRect()
    changed = [
        x
        for x in range(0, ghosted.width())
        for y in range(cr.top(), cr.bottom() + 1)
        if ghosted.pixelColor(x, y) != plain.pixelColor(x, y)
    ]
    assert changed and min(changed) >= cr.left()  # nothing painted before the cursor
    edit.clear_ghost()
    qtbot.waitUntil(lambda: edit.viewport().grab().toImage() == plain, timeout=2000)


def test_tab_accepts_as_one_undo_step(qtbot):
    edit = make_edit(qtbot)
    qtbot.keyClicks(edit, "hel")
    edit.set_ghost(sug("lo world"))
    accepted = []
    edit.ghostAccepted.connect(accepted.append)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.toPlainText() == "hello world"
    assert edit.textCursor().position() == len("hello world")
    assert accepted == ["lo world"]
    assert edit.ghost() is None
    edit.undo()
    assert edit.toPlainText() == "hel"  # all the accepted text, none of the typed text


def test_tab_keeps_cursor_between_tags(qtbot):
    edit = make_edit(qtbot, "<div>")
    edit.set_ghost(sug("</div>", offset=0))
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.toPlainText() == "<div></div>"
    assert edit.textCursor().position() == len("<div>")


def test_tab_without_ghost_inserts_a_tab(qtbot):
    edit = make_edit(qtbot, "x")
    edit.moveCursor(QTextCursor.MoveOperation.StartOfLine)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.toPlainText() == "\tx"


def test_ctrl_right_accepts_word_by_word(qtbot):
    edit = make_edit(qtbot, "hel")
    edit.set_ghost(sug("lo big world"))
    wanted = []
    edit.suggestionWanted.connect(lambda: wanted.append(1))
    qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert edit.toPlainText() == "hello"
    assert edit.ghost().text == " big world"  # the rest stays, for the new revision
    assert not wanted  # no new request needed
    qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert edit.toPlainText() == "hello big"
    qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert edit.toPlainText() == "hello big world"
    assert edit.ghost() is None
    edit.undo()
    assert edit.toPlainText() == "hello big"


def test_ctrl_right_without_ghost_moves(qtbot):
    edit = make_edit(qtbot, "one two")
    edit.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert edit.toPlainText() == "one two"
    assert edit.textCursor().position() > 0


def _send_esc(edit) -> bool:
    event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(edit, event)
    return event.isAccepted()


def test_esc_dismisses_until_next_edit(qtbot):
    edit = make_edit(qtbot, "abc")
    edit.set_ghost(sug("def"))
    assert _send_esc(edit)
    assert edit.ghost() is None
    edit.set_ghost(sug("def"))  # a late result for the same revision
    assert edit.ghost() is None
    assert not _send_esc(edit)  # no ghost: Esc propagates (dialogs, find bar)
    qtbot.keyClicks(edit, "d")
    edit.set_ghost(sug("ef"))
    assert edit.ghost().text == "ef"


def test_edits_moves_clicks_and_selection_clear_the_ghost(qtbot):
    edit = make_edit(qtbot, "abc def")
    edit.set_ghost(sug("ghi"))
    rev = edit.revision()
    qtbot.keyClick(edit, Qt.Key.Key_Left)
    assert edit.ghost() is None and edit.revision() > rev
    edit.set_ghost(sug("x"))
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert edit.ghost() is None
    edit.set_ghost(sug("x"))
    qtbot.mouseClick(edit.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert edit.ghost() is None
    edit.moveCursor(QTextCursor.MoveOperation.End)
    edit.set_ghost(sug("x"))
    qtbot.keyClick(edit, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert edit.ghost() is None
    edit.set_ghost(sug("x"))  # never with a selection
    assert edit.ghost() is None


def test_typing_the_ghost_keeps_the_rest(qtbot):
    edit = make_edit(qtbot, "hel")
    edit.set_ghost(sug("lo"))
    rev = edit.revision()
    qtbot.keyClicks(edit, "l")
    assert edit.revision() > rev
    assert edit.ghost().text == "o"
    qtbot.keyClicks(edit, "x")  # a different character: gone
    assert edit.ghost() is None


def test_revision_counts_edits_and_moves(qtbot):
    edit = make_edit(qtbot, "abc")
    wanted = []
    edit.suggestionWanted.connect(lambda: wanted.append(edit.revision()))
    r0 = edit.revision()
    qtbot.keyClicks(edit, "d")
    r1 = edit.revision()
    edit.moveCursor(QTextCursor.MoveOperation.Start)
    r2 = edit.revision()
    assert r0 < r1 < r2
    assert wanted and wanted[-1] == r1  # inside a line: no ghost is wanted there
    edit.moveCursor(QTextCursor.MoveOperation.End)
    assert wanted[-1] == edit.revision() > r2


def test_suggestions_off_never_show(qtbot):
    edit = make_edit(qtbot, "abc")
    edit.set_suggestions_enabled(False)
    wanted = []
    edit.suggestionWanted.connect(lambda: wanted.append(1))
    edit.set_ghost(sug("def"))
    assert edit.ghost() is None
    qtbot.keyClicks(edit, "x")
    assert not wanted


def test_context_alignment_and_bounds(qtbot):
    line = "0123456789abcdefghijklmnopqrstuvwxyz" * 3 + "\n"
    text = (line * (100_000 // len(line) + 1))[:100_000]
    edit = make_edit(qtbot, text, show=False)
    for pos in (0, 5, 4095, 4096, 20_000, 50_001, 99_999, 100_000):
        cursor = edit.textCursor()
        cursor.setPosition(pos)
        edit.setTextCursor(cursor)
        before, after, rev = edit.context()
        assert rev == edit.revision()
        start = pos - len(before)
        assert start % ALIGN == 0
        assert len(before) <= 16384 + ALIGN - 1
        assert start <= max(0, pos - 16384)
        assert before == text[start:pos]
        assert after == text[pos : pos + 2000]
    cursor.setPosition(30_000)
    edit.setTextCursor(cursor)
    before, after, _ = edit.context(before_max=100, after_max=10)
    assert before == text[28_672:30_000] and after == text[30_000:30_010]


def test_context_of_empty_and_unicode_documents(qtbot):
    edit = make_edit(qtbot, show=False)
    assert edit.context()[:2] == ("", "")
    edit.setPlainText("héllo\n\twörld")
    edit.moveCursor(QTextCursor.MoveOperation.End)
    assert edit.context()[:2] == ("héllo\n\twörld", "")


def test_zoom_gutter_and_dark(qtbot):
    edit = make_edit(qtbot, "a\n" * 5)
    size = edit.font().pointSizeF()
    width = edit.line_number_area_width()
    edit.zoom_in()
    edit.zoom_in()
    assert edit.font().pointSizeF() > size
    assert edit.line_number_area_width() > width
    edit.zoom_out()
    edit.zoom_reset()
    assert edit.font().pointSizeF() == size
    edit.setPlainText("a\n" * 12_000)
    assert edit.line_number_area_width() > width
    edit.set_dark(True)
    assert edit.palette().color(edit.palette().ColorRole.Base).lightness() < 80
    assert edit._ghost_color().lightness() > 128
    edit.set_dark(False)
    assert edit.palette().color(edit.palette().ColorRole.Base) == QColor("white") or (
        edit.palette().color(edit.palette().ColorRole.Base).lightness() > 128
    )
