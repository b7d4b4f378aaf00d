"""Saving never changes a character: open a file through the window, save it, compare bytes.

Every case of a corpus of tricky characters (NBSP, U+2028/U+2029, U+FEFF inside the text, NUL,
lone CR, CRLF, mixed line endings, emoji outside the BMP, combining marks, RTL text, no final
newline, an empty file) in every encoding the editor opens: an unedited save gives back the
identical bytes, an edit changes only the edited line's bytes, and a recovery copy holds the
exact text. Dialogs are replaced; settings go to a temp INI file.
"""

from __future__ import annotations

import codecs
import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor

from ghostpen.editor import dialogs, recovery
from ghostpen.editor.app import build_app
from ghostpen.editor.files import decode_bytes
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.window import MainWindow
from ghostpen.linebreaks import join_blocks, join_lines, split_blocks

# name -> the decoded text of a file, with its own line endings
CORPUS = {
    "nbsp": "prix\u00a0: 10\u00a0\u20ac\nsecond\u00a0line\n",
    "line-separators": "one\u2028two\u2029three\nfour\u2028\n",
    "bom-inside": "before\ufeffafter\n\ufeffline two\n",
    "nul": "nul\x00inside\nline two\x00\n",
    "lone-cr": "first\rsecond\rthird\r",
    "crlf": "first\r\nsecond\r\nthird\r\n",
    "mixed": "lf\ncrlf\r\ncr\rlf again\n\r\nlast",
    "astral": "emoji \U0001f600\U0001f44d\U0001f3fd and \U0001d11e clef\nrow two \U00020000\n",
    "combining": "e\u0301te\u0301 n\u0303o\u0308\u0332\nZ\u0351\u0353a\u0338\n",
    "rtl": "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 mixed \u200fRTL\u200e\nline\n",
    "frame-marks": "a\ufdd0b\ufdd1c\nd\n",
    "controls": "tab\there\x0bvt\x0cff\x85nel\nsecond\n",
    "no-final-newline": "first line\nlast line without newline",
    "single-line": "only one line",
    "empty": "",
    "blank-lines": "\n\n\r\n\n",
}

# encoding name -> (codec for the body, BOM)
ENCODINGS = {
    "utf-8": ("utf-8", b""),
    "utf-8-sig": ("utf-8", codecs.BOM_UTF8),
    "utf-16-le-bom": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf-16-be-bom": ("utf-16-be", codecs.BOM_UTF16_BE),
    "utf-32-le-bom": ("utf-32-le", codecs.BOM_UTF32_LE),
    "utf-32-be-bom": ("utf-32-be", codecs.BOM_UTF32_BE),
    "latin-1": ("latin-1", b""),
    "cp1252": ("cp1252", b""),
}
EDIT = "EDIT \u00a0\u2028 "  # typed into line 1: NBSP and a typed soft line break


def file_bytes(text: str, encoding: str) -> bytes | None:
    """The file's bytes, or None where the encoding cannot hold the text or the editor refuses
    it (NUL bytes outside UTF-16/32 are taken for a binary file)."""
    codec, bom = ENCODINGS[encoding]
    if "\x00" in text and not bom.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00")):
        return None
    try:
        return bom + text.encode(codec)
    except UnicodeEncodeError:
        return None


def decode(text: str):
    """The TextFile the reader makes of `text` (a UTF-16 file: NUL is text there)."""
    return decode_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


def cases(encoding: str):
    for name, text in CORPUS.items():
        data = file_bytes(text, encoding)
        if data is not None:
            yield name, text, data


@pytest.fixture
def answers(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(dialogs, "ask_restore", lambda parent, docs: ("restore", list(docs)))
    return shown


@pytest.fixture
def make_window(qtbot, tmp_path, answers):
    made: list[MainWindow] = []

    def make(root=None) -> MainWindow:
        store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = build_app(
            settings_store=store,
            recovery=RecoveryStore(root or tmp_path / "recovery"),
            suggest=False,
        ).window
        qtbot.addWidget(
            window, before_close_func=lambda w: [d.set_modified(False) for d in w.documents()]
        )
        made.append(window)
        return window

    yield make
    for window in made:
        for doc in window.documents():
            doc.set_modified(False)
        window.close()
        window.suggester.stop()


def open_doc(window, path):
    assert window.open_file(str(path)), window
    return window.current_document()


def type_at_start(doc, text: str) -> None:
    """Insert `text` at the start of line 1 the way typing does (U+2028 is Shift+Enter's)."""
    cursor = QTextCursor(doc.document())
    cursor.insertText(text)


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_unedited_save_gives_back_identical_bytes(make_window, tmp_path, answers, encoding):
    window = make_window()
    changed = []
    for name, _text, data in cases(encoding):
        path = tmp_path / f"{name}.txt"
        path.write_bytes(data)
        doc = open_doc(window, path)
        assert window.save_document(doc)
        if path.read_bytes() != data:
            changed.append((name, data, path.read_bytes()))
    assert answers == []
    assert [name for name, *_ in changed] == []
    assert changed == []


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_edit_in_line_one_changes_only_line_one(make_window, tmp_path, answers, encoding):
    window = make_window()
    codec, bom = ENCODINGS[encoding]
    changed = []
    for name, _text, data in cases(encoding):
        path = tmp_path / f"{name}.txt"
        path.write_bytes(data)
        doc = open_doc(window, path)
        saved_as = codec if bom else doc.encoding  # an ASCII file opens as UTF-8
        try:  # the typed soft line break is saved as the file's line ending
            edit = EDIT.replace("\u2028", doc.newline).encode(saved_as)
        except UnicodeEncodeError:
            continue
        type_at_start(doc, EDIT)
        assert window.save_document(doc)
        expected = bom + edit + data[len(bom) :]  # the rest byte for byte
        if path.read_bytes() != expected:
            changed.append((name, expected, path.read_bytes()))
    assert answers == []
    assert [name for name, *_ in changed] == []
    assert changed == []


def test_the_issue_example_keeps_its_no_break_spaces(make_window, tmp_path):
    path = tmp_path / "a.txt"
    data = b"prix\xc2\xa0: 10\xc2\xa0\xe2\x82\xac\n"
    path.write_bytes(data)
    window = make_window()
    doc = open_doc(window, path)
    assert doc.text() == "prix\u00a0: 10\u00a0\u20ac\n"
    assert window.save_document(doc)
    assert path.read_bytes() == data


def test_edit_in_the_middle_of_a_mixed_file_changes_only_that_line(make_window, tmp_path):
    lines = [b"zero\n", b"one\r\n", b"two\r", "three\u2028".encode(), b"four\n", b"five\r\n"]
    lines.append(b"six")
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"".join(lines))
    window = make_window()
    doc = open_doc(window, path)
    block = doc.document().findBlockByNumber(2)  # "two", ended by a lone CR
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    cursor.insertText(" and a half")
    assert window.save_document(doc)
    lines[2] = b"two and a half\r"
    assert path.read_bytes() == b"".join(lines)


def test_undo_of_a_join_restores_the_line_ending(make_window, tmp_path, qtbot):
    data = b"one\ntwo\r\nthree\rfour\n"
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    window = make_window()
    doc = open_doc(window, path)
    editor = doc.editor
    cursor = QTextCursor(doc.document().findBlockByNumber(1))  # start of "two"
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # joins "one" and "two"
    cursor = QTextCursor(doc.document().findBlockByNumber(1))  # start of "three"
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # joins "onetwo" and "three"
    assert window.save_document(doc)
    assert path.read_bytes() == b"onetwothree\rfour\n"  # joined: the last part's ending stays
    editor.undo()
    editor.undo()
    assert window.save_document(doc)
    assert path.read_bytes() == data


def test_typed_soft_line_break_is_saved_as_a_line_end(make_window, tmp_path, qtbot):
    path = tmp_path / "dos.txt"
    path.write_bytes(b"ab\r\n")
    window = make_window()
    doc = open_doc(window, path)
    cursor = QTextCursor(doc.document())
    cursor.setPosition(1)
    doc.editor.setTextCursor(cursor)
    qtbot.keyClick(doc.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert "\u2028" in doc.document().toRawText()  # what Qt inserts for Shift+Enter
    assert window.save_document(doc)
    assert path.read_bytes() == b"a\r\nb\r\n"


def test_choosing_a_line_ending_converts_every_line_but_keeps_separators(make_window, tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("a\nb\r\nc\rd\u2028e\u2029f".encode())
    window = make_window()
    doc = open_doc(window, path)
    assert doc.mixed_newlines
    doc.set_newline(doc.newline)  # the one shown: still converts the mixed lines
    assert doc.is_modified() and not doc.mixed_newlines
    assert window.save_document(doc)
    assert path.read_bytes() == "a\nb\nc\nd\u2028e\u2029f".encode()
    doc.set_newline("\r\n")
    assert window.save_document(doc)
    assert path.read_bytes() == "a\r\nb\r\nc\r\nd\u2028e\u2029f".encode()


@pytest.mark.parametrize("encoding", ["utf-16-le-bom", "utf-8"])
def test_recovery_copy_holds_the_exact_text(make_window, tmp_path, encoding):
    root = tmp_path / "recovery"
    codec, bom = ENCODINGS[encoding]
    text = "prix\u00a0: 10\u00a0\u20ac\r\nline\u2028sep\u2029para\nlone\rend\r\n\U0001f600"
    if bom:
        text += "\x00"
    path = tmp_path / "draft.txt"
    path.write_bytes(bom + text.encode(codec))
    crashed = make_window(root)
    doc = open_doc(crashed, path)
    type_at_start(doc, "new\u00a0")
    assert crashed.write_recovery() == 1
    (entry,) = crashed.recovery.pending()
    assert entry.text == ("new\u00a0" + text).replace("\r\n", "\n").replace("\r", "\n")
    recovery._LIVE_SESSIONS.discard(crashed.recovery.session_id)  # as if it had crashed
    later = make_window(root)
    assert later.offer_recovery() == 1
    restored = later.current_document()
    assert restored.path == str(path) and restored.is_modified()
    assert later.save_document(restored)
    assert path.read_bytes() == bom + ("new\u00a0" + text).encode(codec)


@pytest.mark.parametrize("name", list(CORPUS))
def test_blocks_and_lines_are_inverse(name):
    tf = decode(CORPUS[name])
    qt_text, ends = split_blocks(tf.text, tf.newline, tf.endings)
    blocks = qt_text.split("\n")
    assert join_blocks(blocks, ends, tf.newline) == (tf.text, tf.endings)
    assert join_lines(tf.text, tf.newline, tf.endings) == CORPUS[name]


def test_soft_break_typed_in_a_mixed_file_gets_the_dominant_ending(make_window, tmp_path, qtbot):
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"one\ntwo\r\nthree\n")
    window = make_window()
    doc = open_doc(window, path)
    cursor = QTextCursor(doc.document().findBlockByNumber(1))
    cursor.setPosition(cursor.position() + 1)
    doc.editor.setTextCursor(cursor)
    qtbot.keyClick(doc.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(doc.editor, Qt.Key.Key_Return)
    assert window.save_document(doc)
    assert path.read_bytes() == b"one\nt\n\nwo\r\nthree\n"


def test_pasted_line_breaks_are_kept_as_breaks(make_window, tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(b"ab\r\n")
    window = make_window()
    doc = open_doc(window, path)
    cursor = QTextCursor(doc.document())
    cursor.setPosition(1)
    doc.editor.setTextCursor(cursor)
    doc.editor.insertPlainText("1\r2\n3\u20294")  # Qt makes a block of each
    assert window.save_document(doc)
    assert path.read_bytes() == b"a1\r\n2\r\n3\r\n4b\r\n"


def test_recovery_store_keeps_the_line_endings(tmp_path):
    store = RecoveryStore(tmp_path)
    store.save("k", "a\nb\nc\u00a0\u2028", path=None, newline="\r\n", endings={1: "\r", 0: "\n"})
    (doc,) = store.pending()
    assert (doc.text, doc.newline, doc.endings) == (
        "a\nb\nc\u00a0\u2028",
        "\r\n",
        {0: "\n", 1: "\r"},
    )
    with pytest.raises(ValueError, match="line ending"):
        store.save("k", "a", path=None, endings={0: "\u2028"})
    (file,) = tmp_path.glob("*.json")
    record = json.loads(file.read_text("utf-8"))
    del record["endings"]  # an entry written before endings were kept
    file.write_text(json.dumps(record), "utf-8")
    assert store.pending()[0].endings == {}
    record["endings"] = [[0, "x"]]
    file.write_text(json.dumps(record), "utf-8")
    assert store.pending() == []  # corrupt: moved aside
