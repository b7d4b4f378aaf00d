"""ghostpen.textio, the one text reader: BOMs, UTF-16/32, the cp1252/latin-1 fallback, binary
refusal, newline normalisation, and a typed error naming the file for every unreadable input."""

from __future__ import annotations

import codecs
import errno
import os

import pytest

from ghostpen import textio
from ghostpen.textio import (
    BinaryFileError,
    DecodeError,
    FileError,
    TextFile,
    TextReadError,
    decode_bytes,
    detect_binary,
    read_text,
    read_text_file,
)

TEXT = "Grüße, naïve café ½ €\nzweite Zeile\n"

BOMMED = [
    ("utf-8-sig", codecs.BOM_UTF8, "utf-8"),
    ("utf-16", codecs.BOM_UTF16_LE, "utf-16-le"),
    ("utf-16-be-bom", codecs.BOM_UTF16_BE, "utf-16-be"),
    ("utf-32", codecs.BOM_UTF32_LE, "utf-32-le"),
    ("utf-32-be-bom", codecs.BOM_UTF32_BE, "utf-32-be"),
]


@pytest.mark.parametrize(("name", "bom", "codec"), BOMMED)
def test_byte_order_marks_decide_the_encoding(tmp_path, name, bom, codec):
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + TEXT.replace("\n", "\r\n").encode(codec))
    tf = read_text_file(path)
    assert (tf.text, tf.encoding, tf.bom, tf.newline) == (TEXT, name, True, "\r\n")
    assert "\ufeff" not in tf.text
    assert read_text(path) == TEXT


def test_utf32_bom_that_is_utf16_falls_back():
    # FF FE 00 00 is the UTF-32 LE BOM and also UTF-16 LE's BOM then a NUL character
    data = codecs.BOM_UTF16_LE + "\x00ab".encode("utf-16-le")  # 3 code units: not UTF-32
    tf = decode_bytes(data)
    assert (tf.text, tf.encoding) == ("\x00ab", "utf-16")


def test_utf16_without_bom_is_binary_unless_asked_for():
    data = "hello".encode("utf-16-le")
    with pytest.raises(BinaryFileError, match="NUL bytes"):
        decode_bytes(data, name="u16.txt")
    assert decode_bytes(data, "utf-16-le").text == "hello"


def test_utf8_then_cp1252_then_latin1():
    assert decode_bytes(TEXT.encode("utf-8")) == TextFile(TEXT, "utf-8")
    quoted = "“smart” quotes – €5"
    tf = decode_bytes(quoted.encode("cp1252"))
    assert (tf.text, tf.encoding) == (quoted, "cp1252")
    tf = decode_bytes(b"\x81 caf\xe9")  # 0x81 is undefined in cp1252: latin-1 takes every byte
    assert (tf.text, tf.encoding) == ("\x81 café", "latin-1")


def test_forced_encoding_that_does_not_fit():
    with pytest.raises(DecodeError, match=r"notes\.txt is not valid utf-8") as info:
        decode_bytes(b"caf\xe9", "utf-8", name="notes.txt")
    assert info.value.path == "notes.txt" and "not valid utf-8" in info.value.reason
    with pytest.raises(DecodeError, match="unknown text encoding"):
        decode_bytes(b"x", "klingon")


def test_binary_detection():
    assert detect_binary(b"abc\x00def")
    assert not detect_binary("text".encode("utf-16"))
    assert not detect_binary(b"plain text\n\ttabbed")
    assert detect_binary(bytes(range(1, 9)) * 100)  # control characters, no NUL
    assert not detect_binary(b"\x1b[1mbold\x1b[0m and some text around it\n")  # ANSI colours
    assert not detect_binary(b"")


def test_binary_files_are_refused_with_their_name(tmp_path):
    path = tmp_path / "x.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    with pytest.raises(BinaryFileError, match=r"x\.png looks like a binary file") as info:
        read_text_file(path)
    assert info.value.path == os.fspath(path)
    assert info.value.reason == "it looks like a binary file (NUL bytes)"
    assert isinstance(info.value, TextReadError) and isinstance(info.value, FileError)


def test_newlines_are_normalised_and_remembered():
    tf = decode_bytes(b"a\r\nb\r\nc\nd\re\r\n")
    assert (tf.text, tf.newline, tf.mixed_newlines) == ("a\nb\nc\nd\ne\n", "\r\n", True)
    tf = decode_bytes(b"old\rmac\r")
    assert (tf.text, tf.newline, tf.mixed_newlines) == ("old\nmac\n", "\r", False)
    tf = decode_bytes(b"unix\n")
    assert (tf.text, tf.newline, tf.mixed_newlines) == ("unix\n", "\n", False)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert read_text_file(path) == TextFile("", "utf-8")
    assert read_text(path) == ""


def test_missing_file(tmp_path):
    path = tmp_path / "nothere.txt"
    with pytest.raises(TextReadError, match=r"nothere\.txt.*it does not exist") as info:
        read_text(path)
    assert info.value.path == os.fspath(path) and info.value.reason == "it does not exist"


def test_a_folder(tmp_path):
    with pytest.raises(TextReadError, match="is a folder") as info:
        read_text(tmp_path)
    assert info.value.reason == "it is a folder"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(TextReadError, match="not a regular file"):
        read_text(tmp_path / "pipe")


def test_permission_denied(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("hidden")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads it anyway: refuse the open as the OS would

        def refuse(file, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))

        monkeypatch.setattr(textio, "open", refuse, raising=False)
    try:
        with pytest.raises(TextReadError, match=r"secret\.txt.*permission denied") as info:
            read_text(path)
    finally:
        path.chmod(0o600)
    assert info.value.reason == "permission denied"


def test_oversized_files(tmp_path, monkeypatch):
    path = tmp_path / "big.log"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(TextReadError, match=r"big\.log is 2048 bytes") as info:
        read_text_file(path, max_bytes=1024)
    assert info.value.reason == "it is 2048 bytes, more than 1024 bytes"
    monkeypatch.setattr(textio, "MAX_BYTES", 2048)
    assert read_text(path) == "x" * 2048
