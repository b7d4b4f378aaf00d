"""UTF-8 files with stray bytes in the editor (`ghostpen.straybytes`, `editor/encoding_flow.py`):
they open as UTF-8, the status bar says how many stray bytes there are, Save keeps them byte for
byte, Reopen with Encoding still reads them another way, Save with Encoding converts them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextCursor, QTextDocument

from ghostpen import straybytes
from ghostpen.editor import dialogs, encoding_flow
from ghostpen.editor.app import build_app
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.straybytes import REPLACE_CHOICE, STRAY_ENCODING

# UTF-8 text with two stray bytes: 0x92 (cp1252's ’) and 0xFF (cp1252's ÿ)
DATA = "café – naïve Grüße 😀\n".encode() + b"it\x92s fine\nend \xff\n"
TEXT = "café – naïve Grüße 😀\nit\uf792s fine\nend \uf7ff\n"


class NoEngine:
    name = "none"

    def suggest(self, before: str, after: str = "", *, path: str | None = None):
        return None

    def update_settings(self, settings) -> None:
        pass


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, text: True)
    return shown


def forget_changes(win) -> None:
    for doc in win.documents():
        doc.set_modified(False)


@pytest.fixture
def window(qtbot, tmp_path, errors):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = build_app(
        engine=NoEngine, settings_store=store, recovery=RecoveryStore(tmp_path / "recovery")
    ).window
    qtbot.addWidget(win, before_close_func=forget_changes)
    yield win
    forget_changes(win)
    win.close()
    win.suggester.stop()


@pytest.fixture
def stray_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(DATA)
    return path


def test_qt_drops_lone_surrogates_but_keeps_private_use_characters(qapp):
    # why stray bytes are not held as surrogateescape's U+DC80-U+DCFF
    doc = QTextDocument()
    doc.setPlainText("x\udc92y")
    assert doc.toPlainText() == "xy"
    doc.setPlainText("x\uf792y")
    assert doc.toPlainText() == "x\uf792y"


def test_every_stray_byte_round_trips():
    data = "é".encode() * 128 + bytes(range(0x80, 0x100))  # 128 valid, 128 invalid bytes
    text = straybytes.decode_stray(data)
    assert text is not None and straybytes.count_stray(text) == 128
    assert straybytes.encode_stray(text) == data
    assert straybytes.resolve_stray("it\uf792s \uf781") == "it\u2019s \ufffd"  # 0x81: no cp1252
    assert straybytes.decode_stray("café".encode() + b"\xe9\xe9") is None  # 1 valid, 2 invalid
    assert straybytes.describe(1) == "UTF-8 with 1 stray byte (kept as is)"
    assert straybytes.describe(3) == "UTF-8 with 3 stray bytes (kept as is)"


def test_open_shows_utf8_and_counts_the_stray_bytes(window, stray_file):
    assert window.open_file(str(stray_file))
    doc = window.current_document()
    assert (doc.encoding, doc.text()) == (STRAY_ENCODING, TEXT)  # not "cafÃ©"
    assert window.status.text_of("encoding") == "UTF-8 with 2 stray bytes (kept as is)"
    tip = window.status.tip_of("encoding")
    assert "U+F780-U+F7FF" in tip and "saved back as the original bytes" in tip


def test_save_keeps_the_stray_bytes_exactly(window, stray_file):
    window.open_file(str(stray_file))
    doc = window.current_document()
    assert window.save_document(doc)  # unedited: identical bytes
    assert stray_file.read_bytes() == DATA
    cursor = doc.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("more ✓\n")
    assert window.save_document(doc)  # an edit elsewhere: only that edit changes
    assert stray_file.read_bytes() == DATA + "more ✓\n".encode()
    assert doc.encoding == STRAY_ENCODING


def test_reopen_as_cp1252_still_shows_what_cp1252_gives(window, stray_file):
    window.open_file(str(stray_file))
    assert window.reopen_with_encoding("cp1252")
    doc = window.current_document()
    assert (doc.encoding, doc.text()) == ("cp1252", DATA.decode("cp1252"))
    assert window.status.text_of("encoding") == "CP1252"
    assert window.status.tip_of("encoding") == "Encoding the file is read and saved with " + (
        "(File ▸ Reopen with Encoding…)"
    )
    assert window.reopen_with_encoding(STRAY_ENCODING)
    assert (doc.encoding, doc.text()) == (STRAY_ENCODING, TEXT)


def test_save_as_utf8_no_longer_double_encodes(window, stray_file):
    # the bug: opened as cp1252, "Save as UTF-8" wrote the mojibake (café -> cafÃ©)
    window.open_file(str(stray_file))
    doc = window.current_document()
    assert encoding_flow.save_with_encoding(window, REPLACE_CHOICE)
    saved = stray_file.read_bytes()
    assert saved == TEXT.replace("\uf792", "’").replace("\uf7ff", "ÿ").encode()
    assert "cafÃ©".encode() not in saved
    assert doc.encoding == "utf-8" and doc.text() == saved.decode()  # shows what was saved
    assert not doc.is_modified()
    assert window.status.text_of("encoding") == "UTF-8"
    doc.document().undo()  # the conversion is one undo step
    assert doc.text() == TEXT


def test_converting_to_another_encoding_replaces_the_stray_bytes(window, stray_file):
    stray_file.write_bytes("café\n".encode() + b"\x92")
    window.open_file(str(stray_file))
    assert encoding_flow.save_with_encoding(window, "cp1252")
    assert stray_file.read_bytes() == "café\n’".encode("cp1252")
    assert window.current_document().encoding == "cp1252"


def test_a_failed_conversion_loses_nothing(window, stray_file, monkeypatch):
    window.open_file(str(stray_file))
    doc = window.current_document()
    monkeypatch.setattr(window, "save_document", lambda doc, *a, **k: False)
    assert not encoding_flow.save_with_encoding(window, REPLACE_CHOICE)
    assert (doc.encoding, doc.text()) == (STRAY_ENCODING, TEXT)
    assert not doc.is_modified()
    assert stray_file.read_bytes() == DATA


def test_unknown_encoding_is_an_error(window, stray_file, errors):
    window.open_file(str(stray_file))
    assert not encoding_flow.save_with_encoding(window, "klingon")
    assert "klingon" in errors[-1]
    assert window.current_document().text() == TEXT


def test_the_dialog_offers_keeping_or_replacing_the_stray_bytes(window, stray_file, monkeypatch):
    asked = []

    def get_item(parent, title, prompt, items, current, editable):
        asked.append((title, prompt, list(items), current))
        return items[1], True

    monkeypatch.setattr(dialogs.QInputDialog, "getItem", get_item)
    window.open_file(str(stray_file))
    assert window.acts.save_encoding in window.acts.menus.file.actions()
    window.acts.save_encoding.trigger()  # File ▸ Save with Encoding…
    title, prompt, items, current = asked[-1]
    assert title == "Save with Encoding" and current == 0
    assert items[:3] == [STRAY_ENCODING, REPLACE_CHOICE, "utf-8"]
    assert "cp1252 reading" in prompt and "keeps the stray bytes" in prompt
    assert window.current_document().encoding == "utf-8"
    assert stray_file.read_bytes().decode() == TEXT.replace("\uf792", "’").replace("\uf7ff", "ÿ")
    monkeypatch.setattr(dialogs, "ask_save_path", lambda parent, suggested: None)
    window.new_document()
    window.acts.save_encoding.trigger()  # cancelled at the file dialog: nothing changes
    assert window.current_document().encoding == "utf-8"
    assert asked[-1][2][0] == "utf-8" and REPLACE_CHOICE not in asked[-1][2]
    assert "stray" not in asked[-1][1]
