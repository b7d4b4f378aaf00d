"""Tests for ghostpen.editor.files: encodings, line endings, binary refusal, atomic saves."""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys

import pytest

from ghostpen import textio
from ghostpen.editor import files
from ghostpen.editor.files import (
    BinaryFileError,
    DecodeError,
    EncodeError,
    FileError,
    TextFile,
    decode_bytes,
    detect_binary,
    encode_text,
    read_text_file,
    save_text_file,
)

TEXT = "Grüße, naïve café\nsecond line ½\nthird\n"

ROUND_TRIPS = [
    ("utf-8", b"", TEXT.encode("utf-8")),
    ("utf-8-sig", codecs.BOM_UTF8, TEXT.encode("utf-8")),
    ("utf-16", codecs.BOM_UTF16_LE, TEXT.encode("utf-16-le")),
    ("utf-16-be-bom", codecs.BOM_UTF16_BE, TEXT.encode("utf-16-be")),
    ("utf-32", codecs.BOM_UTF32_LE, TEXT.encode("utf-32-le")),
    ("utf-32-be-bom", codecs.BOM_UTF32_BE, TEXT.encode("utf-32-be")),
    ("cp1252", b"", (TEXT + "\u20ac \u201cquoted\u201d").encode("cp1252")),
    ("latin-1", b"", TEXT.encode("latin-1") + b"\x81\x8d\x90"),  # bytes cp1252 leaves undefined
]


def no_temp_files(folder) -> bool:
    return not [name for name in os.listdir(folder) if name.endswith(".tmp")]


@pytest.mark.parametrize("encoding, bom, body", ROUND_TRIPS, ids=[r[0] for r in ROUND_TRIPS])
def test_encoding_detected_and_round_trips(tmp_path, encoding, bom, body):
    path = tmp_path / "doc.txt"
    path.write_bytes(bom + body)
    tf = read_text_file(path)
    assert tf.encoding == encoding
    assert tf.bom == bool(bom)
    assert not tf.text.startswith("\ufeff")
    assert tf.text.startswith("Grüße")
    save_text_file(path, tf.text, encoding=tf.encoding, newline=tf.newline)
    assert path.read_bytes() == bom + body


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_preserved(tmp_path, newline):
    path = tmp_path / "lines.txt"
    original = newline.join(["one", "two", "three", ""]).encode("utf-8")
    path.write_bytes(original)
    tf = read_text_file(path)
    assert tf.text == "one\ntwo\nthree\n"
    assert tf.newline == newline
    assert not tf.mixed_newlines
    save_text_file(path, tf.text + "four", encoding=tf.encoding, newline=tf.newline)
    assert path.read_bytes() == original + b"four"


def test_crlf_utf16_round_trip(tmp_path):
    path = tmp_path / "win.txt"
    original = codecs.BOM_UTF16_LE + "a\r\nb\r\n".encode("utf-16-le")
    path.write_bytes(original)
    tf = read_text_file(path)
    assert (tf.text, tf.encoding, tf.newline) == ("a\nb\n", "utf-16", "\r\n")
    save_text_file(path, tf.text, encoding=tf.encoding, newline=tf.newline)
    assert path.read_bytes() == original


def test_mixed_newlines_pick_the_dominant_one():
    tf = decode_bytes(b"a\r\nb\r\nc\nd\re\r\n")
    assert tf.text == "a\nb\nc\nd\ne\n"
    assert tf.newline == "\r\n"
    assert tf.mixed_newlines
    assert decode_bytes(b"a\nb\nc\r\n").newline == "\n"
    assert decode_bytes(b"a\rb\rc\n").newline == "\r"


def test_no_newline_and_empty_file(tmp_path):
    assert decode_bytes(b"no newline") == TextFile("no newline", "utf-8", "\n", False, False)
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    tf = read_text_file(path)
    assert (tf.text, tf.encoding, tf.newline) == ("", "utf-8", "\n")
    save_text_file(path, "", encoding=tf.encoding, newline=tf.newline)
    assert path.read_bytes() == b""


def test_binary_refused(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    assert detect_binary(png)
    assert detect_binary(b"text\x00more")
    assert detect_binary(bytes(range(1, 9)) * 100)  # control characters, no NUL
    assert not detect_binary(b"plain text\twith tabs\r\n\x1b[1mbold\x1b[0m\n")
    assert not detect_binary(codecs.BOM_UTF16_LE + "hi".encode("utf-16-le"))
    assert not detect_binary(b"")
    path = tmp_path / "x.png"
    path.write_bytes(png)
    with pytest.raises(BinaryFileError, match=r"x\.png looks like a binary file \(NUL bytes\)"):
        read_text_file(path)
    # Forcing a single-byte encoding does not open a binary file either.
    with pytest.raises(BinaryFileError):
        read_text_file(path, encoding="latin-1")


def test_utf16_without_bom_needs_the_encoding_chosen():
    data = "hi\r\n".encode("utf-16-le")
    with pytest.raises(BinaryFileError):
        decode_bytes(data)
    tf = decode_bytes(data, "utf-16-le")
    assert (tf.text, tf.encoding, tf.newline, tf.bom) == ("hi\n", "utf-16-le", "\r\n", False)
    assert encode_text(tf.text, tf.encoding, tf.newline) == data
    # "utf-16" without a BOM in the data reads little-endian and does not add a BOM on save.
    assert decode_bytes(data, "utf-16").encoding == "utf-16-le"


def test_forced_encoding_follows_the_files_bom():
    data = codecs.BOM_UTF16_BE + "é".encode("utf-16-be")
    tf = decode_bytes(data, "UTF-16")
    assert (tf.text, tf.encoding) == ("é", "utf-16-be-bom")
    assert encode_text(tf.text, tf.encoding, tf.newline) == data
    tf = decode_bytes(codecs.BOM_UTF8 + b"x", "utf-8")
    assert (tf.text, tf.encoding, tf.bom) == ("x", "utf-8-sig", True)
    assert decode_bytes(b"x", "utf-8-sig").encoding == "utf-8"
    assert decode_bytes("€".encode("cp1252"), "Windows-1252").text == "€"


def test_invalid_utf8_falls_back_and_reports_the_encoding(tmp_path):
    path = tmp_path / "legacy.txt"
    data = b"caf\xe9 \x93quoted\x94\n"
    path.write_bytes(data)
    tf = read_text_file(path)
    assert tf.encoding == "cp1252"
    assert tf.text == "café \u201cquoted\u201d\n"
    assert decode_bytes(b"\x81 \xff").encoding == "latin-1"  # 0x81 is undefined in cp1252
    save_text_file(path, tf.text, encoding=tf.encoding, newline=tf.newline)
    assert path.read_bytes() == data


def test_forced_wrong_encoding_gives_decode_error(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes(b"ok\ncaf\xe9\n")
    with pytest.raises(DecodeError, match=r"legacy\.txt is not valid utf-8.*offset 6"):
        read_text_file(path, encoding="utf-8")
    with pytest.raises(DecodeError, match="unknown text encoding 'klingon'"):
        read_text_file(path, encoding="klingon")
    with pytest.raises(DecodeError, match="unknown text encoding"):
        read_text_file(path, encoding="base64")  # a codec, but not a text encoding
    assert issubclass(DecodeError, FileError) and issubclass(BinaryFileError, FileError)


def test_unencodable_character_gives_clear_error(tmp_path):
    with pytest.raises(EncodeError) as info:
        encode_text("abc\nde\u20acf\n", "latin-1", "\r\n")
    err = info.value
    assert (err.char, err.line, err.column, err.encoding) == ("\u20ac", 2, 3, "latin-1")
    assert "'€' (U+20AC EURO SIGN) at line 2, column 3" in str(err)
    assert "UTF-8" in str(err)
    path = tmp_path / "notes.txt"
    path.write_bytes(b"old")
    with pytest.raises(FileError, match=r"notes\.txt as cp1252.*U\+4E2D.*line 1, column 1"):
        save_text_file(path, "\u4e2d", encoding="cp1252")
    assert path.read_bytes() == b"old"
    assert no_temp_files(tmp_path)
    save_text_file(path, "\u4e2d", encoding="utf-8")  # what the editor offers next
    assert path.read_bytes() == "\u4e2d".encode()


def test_encode_text_rejects_bad_arguments():
    with pytest.raises(FileError, match="line ending"):
        encode_text("x", "utf-8", "\n\r")
    with pytest.raises(FileError, match="unknown text encoding"):
        encode_text("x", "nope", "\n")
    assert encode_text("a\r\nb", "utf-8", "\n") == b"a\nb"  # stray CRs are normalised first


def test_missing_folder_and_oversized_files(tmp_path, monkeypatch):
    with pytest.raises(FileError, match=r"nothere\.txt.*does not exist"):
        read_text_file(tmp_path / "nothere.txt")
    with pytest.raises(FileError, match="is a folder"):
        read_text_file(tmp_path)
    with pytest.raises(FileError, match="not a regular file"):
        save_text_file(tmp_path, "x")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        with pytest.raises(FileError, match="not a regular file"):  # and does not block
            read_text_file(tmp_path / "pipe")
    with pytest.raises(FileError, match="does not exist"):
        save_text_file(tmp_path / "no" / "such.txt", "x")
    big = tmp_path / "big.log"
    big.write_bytes(b"x" * 2048)
    monkeypatch.setattr(textio, "MAX_BYTES", 1024)  # the editor reads with textio
    with pytest.raises(FileError, match=r"big\.log is 2048 bytes; ghostpen opens files up to"):
        read_text_file(big)


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_failed_save_keeps_the_original_and_leaves_no_temp_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "precious.txt"
    original = b"precious\r\ncontents\r\n"
    path.write_bytes(original)
    before = sorted(os.listdir(tmp_path))
    real_write = os.write
    calls = []

    def write_then_fail(fd, data):
        calls.append(len(data))
        if len(calls) > 1:  # the first chunk reaches the disk, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    def fail(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    if failing == "write":
        monkeypatch.setattr(files, "_CHUNK", 4)
        monkeypatch.setattr(os, "write", write_then_fail)
    else:
        monkeypatch.setattr(os, failing, fail)
    with pytest.raises(FileError, match=r"precious\.txt.*the file on disk is unchanged"):
        save_text_file(path, "new text that is long enough for several chunks\n")
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == before
    if failing == "write":
        assert len(calls) == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_permissions_kept(tmp_path):
    path = tmp_path / "shared.txt"
    path.write_bytes(b"a")
    path.chmod(0o640)
    save_text_file(path, "b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    path.chmod(0o755)
    save_text_file(path, "c")
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert path.read_bytes() == b"c"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX umask")
def test_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        save_text_file(tmp_path / "new.txt", "hello")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640
    assert (tmp_path / "new.txt").read_bytes() == b"hello"


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_target_replaced(tmp_path):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "target.txt"
    target.write_bytes(b"old\r\n")
    target.chmod(0o600)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    tf = read_text_file(link)
    save_text_file(link, tf.text + "new\n", encoding=tf.encoding, newline=tf.newline)
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert target.read_bytes() == b"old\r\nnew\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert no_temp_files(tmp_path) and no_temp_files(real_dir)


def test_ten_megabyte_round_trip(tmp_path):
    line = "The quick brown fox jumps over the lazy dog – ünïcödé ✓\r\n"
    original = (line * (10 * 1024 * 1024 // len(line.encode()) + 1)).encode("utf-8")
    assert len(original) > 10 * 1024 * 1024
    path = tmp_path / "big.txt"
    path.write_bytes(original)
    tf = read_text_file(path)
    assert tf.newline == "\r\n" and tf.encoding == "utf-8" and "\r" not in tf.text
    save_text_file(path, tf.text, encoding=tf.encoding, newline=tf.newline)
    assert path.read_bytes() == original


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_hard_linked_file_is_written_in_place(tmp_path):
    first = tmp_path / "first.txt"
    first.write_bytes(b"old text\r\n")
    first.chmod(0o640)
    other = tmp_path / "other.txt"
    os.link(first, other)
    inode = first.stat().st_ino
    save_text_file(first, "new text\nand more\n", newline="\r\n")
    assert other.read_bytes() == b"new text\r\nand more\r\n"  # the other name sees it
    assert first.stat().st_ino == inode and first.stat().st_nlink == 2
    assert stat.S_IMODE(first.stat().st_mode) == 0o640
    save_text_file(other, "short")  # shorter than before: the rest is cut off
    assert first.read_bytes() == b"short"
    assert sorted(os.listdir(tmp_path)) == ["first.txt", "other.txt"]  # no backup left


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_failed_write_through_a_hard_link_restores_the_backup(tmp_path, monkeypatch):
    first = tmp_path / "first.txt"
    original = b"precious\ncontents\n" * 50
    first.write_bytes(original)
    os.link(first, tmp_path / "other.txt")
    real_write_all = files._write_all
    calls = []

    def write_half_then_fail(fd, data):
        calls.append(len(data))
        if len(calls) == 1:  # the new text: half of it reaches the file, then the disk is full
            os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_all(fd, data)  # copying the backup back

    monkeypatch.setattr(files, "_write_all", write_half_then_fail)
    with pytest.raises(
        FileError, match=r"first\.txt.*No space left.*the file on disk is unchanged"
    ):
        save_text_file(first, "new text " * 100)
    assert len(calls) == 2
    assert first.read_bytes() == original
    assert (tmp_path / "other.txt").read_bytes() == original
    assert first.stat().st_nlink == 2
    assert sorted(os.listdir(tmp_path)) == ["first.txt", "other.txt"]


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_hard_link_reached_through_a_symlink(tmp_path):
    real = tmp_path / "real.txt"
    real.write_bytes(b"a\n")
    os.link(real, tmp_path / "twin.txt")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    save_text_file(link, "b\n")
    assert link.is_symlink() and (tmp_path / "twin.txt").read_bytes() == b"b\n"


def test_mixed_line_endings_round_trip_line_by_line(tmp_path):
    raw = "a\r\nb\nc\rd\r\n\r\n\u2028e\u00a0".encode()
    path = tmp_path / "mixed.txt"
    path.write_bytes(raw)
    tf = read_text_file(path)
    assert tf.text == "a\nb\nc\nd\n\n\u2028e\u00a0" and tf.newline == "\r\n"
    assert tf.endings == {1: "\n", 2: "\r"}
    save_text_file(path, tf.text, encoding=tf.encoding, newline=tf.newline, endings=tf.endings)
    assert path.read_bytes() == raw
    assert encode_text("x\ny\nz", "utf-8", "\n", endings={1: "\r"}) == b"x\ny\rz"
    with pytest.raises(FileError, match="line ending"):
        encode_text("x\ny", "utf-8", "\n", endings={0: "\u2028"})


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_failed_backup_of_a_hard_linked_file_leaves_it_untouched(tmp_path, monkeypatch):
    first = tmp_path / "first.txt"
    first.write_bytes(b"precious\n")
    os.link(first, tmp_path / "other.txt")

    def fail(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)  # the backup copy is the first thing synced
    with pytest.raises(FileError, match="the file on disk is unchanged"):
        save_text_file(first, "new")
    monkeypatch.undo()
    assert first.read_bytes() == b"precious\n"
    assert sorted(os.listdir(tmp_path)) == ["first.txt", "other.txt"]


# --- UTF-8 with stray bytes: kept exactly on save -------------------------------------------------
STRAY_DATA = "café – naïve\r\n".encode() + b"it\x92s \xff\r\n" + "日本語\r\n".encode()[:-3]


def test_unedited_stray_bytes_file_saves_identical_bytes(tmp_path):
    path = tmp_path / "stray.txt"
    path.write_bytes(STRAY_DATA)
    tf = read_text_file(path)
    assert (tf.encoding, tf.newline) == ("utf-8 (stray bytes)", "\r\n")
    save_text_file(path, tf.text, encoding=tf.encoding, newline=tf.newline)
    assert path.read_bytes() == STRAY_DATA
    assert encode_text(tf.text, tf.encoding, tf.newline) == STRAY_DATA


def test_an_edit_elsewhere_changes_only_that_edit(tmp_path):
    path = tmp_path / "stray.txt"
    path.write_bytes(STRAY_DATA)
    tf = read_text_file(path)
    save_text_file(path, tf.text.replace("naïve", "naïf ✓"), encoding=tf.encoding, newline="\r\n")
    assert path.read_bytes() == STRAY_DATA.replace("naïve".encode(), "naïf ✓".encode())


def test_stray_encoding_name_and_its_bytes():
    assert encode_text("a\uf780\uf7ffé", "utf-8 (stray bytes)", "\n") == b"a\x80\xff\xc3\xa9"
    assert encode_text("x\n", "UTF-8 (Stray Bytes)", "\r\n") == b"x\r\n"
    # in plain UTF-8 the same characters are just private-use characters
    assert encode_text("\uf792", "utf-8", "\n") == "\uf792".encode()


def _xattrs_supported(folder) -> str:
    """'' when user extended attributes work in `folder`, else why not (the reason to skip)."""
    if not hasattr(os, "setxattr"):
        return "this system has no extended attributes (os.setxattr)"
    probe = folder / ".xattr-probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.ghostpen.probe", b"1")
    except OSError as err:
        return f"the file system of {folder} refuses user extended attributes ({err.strerror})"
    finally:
        probe.unlink()
    return ""


@pytest.mark.parametrize("links", [1, 2], ids=["atomic", "hard-linked"])
def test_extended_attributes_are_kept_on_save(tmp_path, links):
    why = _xattrs_supported(tmp_path)
    if why:
        pytest.skip(why)
    path = tmp_path / "tagged.txt"
    path.write_text("old\n", encoding="utf-8")
    if links == 2:
        os.link(path, tmp_path / "other-name.txt")
    os.setxattr(path, "user.xdg.origin.url", b"https://example.org/notes")
    os.setxattr(path, "user.tag", b"\x00binary\xff")
    save_text_file(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert os.getxattr(path, "user.xdg.origin.url") == b"https://example.org/notes"
    assert os.getxattr(path, "user.tag") == b"\x00binary\xff"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
