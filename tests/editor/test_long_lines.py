"""Very long lines shown in pieces (`editor/long_lines.py`): the pieces are only display
breaks — saved, copied, recovered and suggested from as the one line they are — and Backspace,
Delete, the arrows and Enter next to a break act on the text as if it were not there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QTextCursor

from ghostpen.editor import dialogs
from ghostpen.editor.app import build_app
from ghostpen.editor.long_lines import LONG_LINE_CHARS, PIECE_CHARS, pieces, split_long_blocks
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.linebreaks import DISPLAY_BREAK, join_blocks

WORDS = "the quick brown fox jumps over the lazy dog "
LONG = (WORDS * (LONG_LINE_CHARS // len(WORDS) * 2))[: 2 * LONG_LINE_CHARS]


def test_pieces_join_back_and_prefer_spaces():
    parts = pieces(LONG)
    assert "".join(parts) == LONG and len(parts) > 50
    assert all(len(p) <= PIECE_CHARS for p in parts)
    assert all(p.endswith(" ") for p in parts[:-1])  # cut after a space where there is one
    marks = ("e\u0301" * PIECE_CHARS) * 3  # no space: never cut between a letter and its mark
    parts = pieces(marks)
    assert "".join(parts) == marks and all(not p.startswith("\u0301") for p in parts)


def test_split_long_blocks_renumbers_the_endings():
    text = "a\n" + LONG + "\nb\nc"
    new, ends = split_long_blocks(text, {0: "\r\n", 2: "\r"})
    blocks = new.split("\n")
    n = len(pieces(LONG))
    assert ends[0] == "\r\n" and ends[n + 1] == "\r"
    assert [ends[i] for i in range(1, n)] == [DISPLAY_BREAK] * (n - 1)
    assert join_blocks(blocks, ends, "\n") == ("a\n" + LONG + "\nb\nc", {0: "\r\n", 2: "\r"})
    assert split_long_blocks("short\nlines", {1: "\r"}) == ("short\nlines", {1: "\r"})


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, text: asked.append(text))
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: asked.append(text))
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    app = build_app(settings_store=store, recovery=RecoveryStore(tmp_path / "r"), suggest=False)
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    app.window.asked = asked  # a modal question offscreen would wait forever
    yield app.window
    for doc in app.window.documents():
        doc.set_modified(False)
    app.window.close()
    app.suggester.stop()


@pytest.fixture
def long_file(tmp_path):
    path = tmp_path / "long.txt"
    path.write_bytes(b"first\r\n" + LONG.encode() + b"\r\nlast\n")
    return path


def open_long(window, path):
    assert window.open_file(str(path))
    doc = window.current_document()
    assert doc.editor.has_display_breaks() and doc.document().blockCount() > 50
    return doc


def differs(a: str, b: str) -> str:
    """'' when equal, else where they first differ (pytest's own diff of 200 KB takes ages)."""
    if a == b:
        return ""
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    near = f"{a[i - 20 : i + 20]!r} vs {b[i - 20 : i + 20]!r}"
    return f"lengths {len(a)}/{len(b)}, first difference at {i}: {near}"


def put_cursor(doc, position: int) -> None:
    cursor = doc.editor.textCursor()
    cursor.setPosition(position)
    doc.editor.setTextCursor(cursor)


def piece_start(doc, piece: int = 2) -> int:
    return doc.document().findBlockByNumber(piece).position()  # block 1 is the line's first


def test_an_unedited_file_saves_back_identical_bytes(window, long_file):
    data = long_file.read_bytes()
    doc = open_long(window, long_file)
    assert not differs(doc.text(), "first\n" + LONG + "\nlast\n")
    assert window.save_document(doc)
    assert long_file.read_bytes() == data


def test_backspace_delete_and_arrows_step_over_a_break(window, long_file, qtbot):
    doc = open_long(window, long_file)
    edit = doc.editor
    start = piece_start(doc)
    before = doc.text()
    offset = start - 1  # the text has no character for the display break
    put_cursor(doc, start)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)  # the character before the break goes
    assert not differs(doc.text(), before[: offset - 1] + before[offset:])
    edit.undo()
    assert not differs(doc.text(), before)
    put_cursor(doc, start - 1)  # the end of the piece before
    qtbot.keyClick(edit, Qt.Key.Key_Delete)  # the character after the break goes
    assert not differs(doc.text(), before[:offset] + before[offset + 1 :])
    edit.undo()
    put_cursor(doc, start)
    qtbot.keyClick(edit, Qt.Key.Key_Left)  # one character back, not onto the break
    qtbot.keyClick(edit, "X")
    assert not differs(doc.text(), before[: offset - 1] + "X" + before[offset - 1 :])
    edit.undo()
    put_cursor(doc, start - 1)
    qtbot.keyClick(edit, Qt.Key.Key_Right)
    qtbot.keyClick(edit, "Y")
    assert not differs(doc.text(), before[: offset + 1] + "Y" + before[offset + 1 :])


def test_enter_next_to_a_break_is_a_real_line_break(window, long_file, qtbot):
    doc = open_long(window, long_file)
    before = doc.text()
    offset = piece_start(doc) - 1  # the text has no character for the display break
    put_cursor(doc, piece_start(doc))
    qtbot.keyClick(doc.editor, Qt.Key.Key_Return)
    qtbot.keyClick(doc.editor, "Z")
    assert not differs(doc.text(), before[:offset] + "\nZ" + before[offset:])
    assert window.save_document(doc)
    saved = long_file.read_bytes().decode()
    expected = "first\r\n" + LONG[: offset - 6] + "\r\nZ" + LONG[offset - 6 :] + "\r\nlast\n"
    assert not differs(saved, expected)  # the typed break gets the file's ending (CRLF)


def test_copy_and_the_engine_context_never_see_a_break(window, long_file):
    doc = open_long(window, long_file)
    edit = doc.editor
    start = piece_start(doc)
    cursor = edit.textCursor()
    cursor.setPosition(start - 30)
    cursor.setPosition(start + 30, QTextCursor.MoveMode.KeepAnchor)
    edit.setTextCursor(cursor)
    edit.copy()
    copied = QGuiApplication.clipboard().text()
    assert "\n" not in copied and copied in LONG and len(copied) == 59  # 60 positions, 1 break
    assert QGuiApplication.clipboard().mimeData().formats() == ["text/plain"]
    put_cursor(doc, start + 5)
    before, after, _ = edit.context()
    assert "\n" not in before[-50:] and (before + after).replace("first\n", "") in LONG


def test_the_gutter_numbers_the_files_lines(window, long_file):
    doc = open_long(window, long_file)
    edit = doc.editor
    last = doc.document().lastBlock()
    middle = doc.document().findBlockByNumber(10)
    assert edit._line_numbers(doc.document().firstBlock(), middle, last) == [0, 1, 3]
    assert edit.display_break_before(middle) and not edit.display_break_before(last)


def test_a_change_on_disk_reloads_a_long_line_file_exactly(window, long_file, qtbot):
    doc = open_long(window, long_file)
    changed = b"first\r\n" + LONG.encode().replace(b"lazy", b"LAZY", 3) + b"\r\nlast\n"
    long_file.write_bytes(changed)
    window.disk.check_all()
    qtbot.waitUntil(lambda: "LAZY" in doc.text(), timeout=5000)
    assert window.save_document(doc)
    assert long_file.read_bytes() == changed


def test_the_recovery_copy_is_the_line_itself(window, long_file, qtbot):
    doc = open_long(window, long_file)
    put_cursor(doc, piece_start(doc, 5))
    qtbot.keyClick(doc.editor, "Q")
    window.keeper.write(wait=True)
    copies = window.recovery.pending()
    (copy,) = [c for c in copies if c.key == doc.key]
    assert copy.text == doc.text() and copy.text.count("\n") == 3


def test_go_to_line_counts_a_long_line_once(window, long_file):
    from ghostpen.editor.documents import go_to_line

    doc = open_long(window, long_file)
    go_to_line(doc.editor, 3)
    assert doc.editor.textCursor().block().text() == "last"
    go_to_line(doc.editor, 2)
    assert doc.editor.textCursor().position() == doc.document().findBlockByNumber(1).position()


def test_the_status_bar_counts_a_long_line_once(window, long_file):
    from ghostpen.editor.textedit import line_column

    doc = open_long(window, long_file)
    start = piece_start(doc, 3)
    put_cursor(doc, start + 4)
    column = start + 4 - piece_start(doc, 1) - 2 + 1  # two display breaks before, 1-based
    assert line_column(doc.editor.textCursor()) == (2, column)
    assert window.status._labels["position"].text() == f"Ln 2, Col {column}"
    go_last = doc.document().lastBlock().previous()
    put_cursor(doc, go_last.position())
    assert line_column(doc.editor.textCursor()) == (3, 1)
