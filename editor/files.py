"""Reading and saving the user's text files so that nothing is ever lost (Qt-free).

Reading detects the encoding (byte-order mark, strict UTF-8, cp1252, then latin-1, which never
fails), refuses binary and oversized files with a clear message, and normalises line endings to
"\\n" while remembering the file's dominant one and, in a file that mixes them, each line's own
(`TextFile.endings`; the rules are in `ghostpen.editor.linebreaks`). Saving restores every line's
ending and the BOM, so an unedited file is written back byte for byte, and writes atomically
(temporary file beside the target, fsync, rename, fsync the folder), keeping the file's
permission bits and following symlinks, so a failed save leaves the old file intact. A file with
more than one hard link is written in place instead (after a backup copy beside it, removed once
the write succeeded and copied back if it failed), so every name keeps seeing the same file.

Encoding names in `TextFile.encoding` are what `encode_text`/`save_text_file` expect back, so a
file saved with the encoding it was read with round-trips byte for byte. BOM'd Unicode files get
names that say so: "utf-8-sig", "utf-16" (little-endian with BOM), "utf-16-be-bom", "utf-32"
(little-endian with BOM), "utf-32-be-bom". Python's own names ("utf-16-le", "cp1252",
"latin-1", "shift_jis", ...) mean what they mean to Python (no BOM written).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ghostpen.editor.linebreaks import join_lines, line_endings
from ghostpen.model.atomic import atomic_write

MAX_BYTES = 200 * 1024 * 1024
NEWLINES = ("\n", "\r\n", "\r")

# Our names for BOM'd Unicode encodings -> (Python codec for the body, the BOM bytes).
_BOM_ENCODINGS = {
    "utf-8-sig": ("utf-8", codecs.BOM_UTF8),
    "utf-16": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf-16-be-bom": ("utf-16-be", codecs.BOM_UTF16_BE),
    "utf-32": ("utf-32-le", codecs.BOM_UTF32_LE),
    "utf-32-be-bom": ("utf-32-be", codecs.BOM_UTF32_BE),
}
# Checked in this order: UTF-32 LE's BOM (FF FE 00 00) starts with UTF-16 LE's (FF FE).
_BOM_ORDER = ("utf-32", "utf-32-be-bom", "utf-8-sig", "utf-16", "utf-16-be-bom")
# Canonical Unicode names -> their family; BOM'd names -> the same encoding without the BOM.
_FAMILY = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16",
    "utf-16-be": "utf-16",
    "utf-16-be-bom": "utf-16",
    "utf-32": "utf-32",
    "utf-32-le": "utf-32",
    "utf-32-be": "utf-32",
    "utf-32-be-bom": "utf-32",
}
_NO_BOM = {
    "utf-16": "utf-16-le",
    "utf-32": "utf-32-le",
    "utf-16-be-bom": "utf-16-be",
    "utf-32-be-bom": "utf-32-be",
    "utf-8-sig": "utf-8",
}

# Bytes that do not occur in text: C0 controls other than \t \n \v \f \r and ESC (ANSI logs), DEL.
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1b") + b"\x7f"
_SAMPLE = 8192
_CONTROL_RATIO = 0.30
_CHUNK = 1 << 20
_LINE_BREAK = re.compile("[\n\u2028\u2029\ufdd0\ufdd1]")


class FileError(Exception):
    """A file that cannot be read or saved; the message is for the user and names the file."""

    def __init__(self, message: str, path: str | os.PathLike | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else os.fspath(path)


class BinaryFileError(FileError):
    """The file looks binary (NUL bytes or mostly control characters)."""


class DecodeError(FileError):
    """The bytes cannot be decoded with the requested encoding (or it is unknown)."""


class EncodeError(FileError):
    """The text has a character the chosen encoding cannot represent (offer UTF-8 instead)."""

    def __init__(
        self,
        message: str,
        path=None,
        *,
        encoding: str = "",
        char: str = "",
        line: int = 0,
        column: int = 0,
    ) -> None:
        super().__init__(message, path)
        self.encoding, self.char, self.line, self.column = encoding, char, line, column


@dataclass
class TextFile:
    """A decoded text file: "\\n"-only text plus what is needed to write it back unchanged."""

    text: str
    encoding: str
    newline: str = "\n"
    bom: bool = False
    mixed_newlines: bool = False
    endings: dict[int, str] = field(default_factory=dict)  # line -> its ending, if not `newline`


def _label(name: str | os.PathLike | None) -> str:
    return "the file" if name is None else (Path(name).name or os.fspath(name))


def _canonical(encoding: str) -> str:
    """Our name for `encoding`; raises LookupError for unknown or non-text codecs."""
    name = encoding.strip().lower().replace("_", "-")
    if name in _BOM_ENCODINGS:
        return name
    info = codecs.lookup(name)
    if not getattr(info, "_is_text_encoding", True):
        raise LookupError(f"{encoding!r} is not a text encoding")
    return info.name if info.name in _FAMILY else name


def _match_bom(data: bytes, names=_BOM_ORDER) -> str | None:
    for name in names:
        if data.startswith(_BOM_ENCODINGS[name][1]):
            return name
    return None


def _binary_content(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:_SAMPLE]
    if not sample:
        return False
    control = len(sample) - len(sample.translate(None, _CONTROL))
    return control / len(sample) > _CONTROL_RATIO


def detect_binary(data: bytes) -> bool:
    """True if `data` looks binary: NUL bytes (unless it opens with a UTF-16/32 BOM) or a high
    share of control characters in its first 8 KiB."""
    if _match_bom(data, ("utf-32", "utf-32-be-bom", "utf-16", "utf-16-be-bom")):
        return False
    return _binary_content(data)


def split_newlines(text: str) -> tuple[str, str, bool]:
    """(text with "\\n" line endings, the dominant ending, whether endings were mixed)."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    counts = {"\n": lf, "\r\n": crlf, "\r": cr}
    newline = max(NEWLINES, key=lambda nl: counts[nl]) if crlf or cr else "\n"
    mixed = sum(1 for n in counts.values() if n) > 1
    if crlf:
        text = text.replace("\r\n", "\n")
    if cr:
        text = text.replace("\r", "\n")
    return text, newline, mixed


def _make(text: str, encoding: str) -> TextFile:
    lf_text, newline, mixed = split_newlines(text)
    endings = line_endings(text, newline) if mixed else {}
    return TextFile(lf_text, encoding, newline, encoding in _BOM_ENCODINGS, mixed, endings)


def _decode_error(err: UnicodeDecodeError, encoding: str, name, offset: int = 0) -> DecodeError:
    bad = err.object[err.start : err.end][:4].hex(" ")
    return DecodeError(
        f"{_label(name)} is not valid {encoding}: the bytes {bad} at offset {err.start + offset} "
        f"cannot be decoded; open it with another encoding",
        name,
    )


def _forced(data: bytes, encoding: str, name) -> TextFile:
    try:
        canon = _canonical(encoding)
    except LookupError:
        raise DecodeError(
            f"Cannot open {_label(name)}: unknown text encoding {encoding!r}", name
        ) from None
    family = _FAMILY.get(canon)
    body, codec, skip = data, canon, 0
    if family:
        # Within a Unicode family the file's own BOM decides the byte order and whether to keep it.
        bom_name = _match_bom(data, [n for n in _BOM_ORDER if _FAMILY[n] == family])
        if bom_name:
            canon = bom_name
            codec, bom = _BOM_ENCODINGS[bom_name]
            body, skip = data[len(bom) :], len(bom)
        else:
            canon = codec = _NO_BOM.get(canon, canon)
    if family in (None, "utf-8") and _binary_content(data):
        raise _binary(name, data)
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as err:
        raise _decode_error(err, canon, name, skip) from None
    except LookupError:
        raise DecodeError(
            f"Cannot open {_label(name)}: unknown text encoding {encoding!r}", name
        ) from None
    return _make(text, canon)


def _binary(name, data: bytes) -> BinaryFileError:
    why = "NUL bytes" if b"\x00" in data else "mostly control characters"
    return BinaryFileError(
        f"{_label(name)} looks like a binary file ({why}); ghostpen opens text files only", name
    )


def decode_bytes(data: bytes, encoding: str | None = None, *, name=None) -> TextFile:
    """Decode a file's bytes. Without `encoding`: BOM, strict UTF-8, cp1252, then latin-1 (never
    fails). With `encoding`: that one, or DecodeError. Binary data raises BinaryFileError.
    `name` (a path or file name) is used in error messages."""
    if encoding is not None:
        return _forced(data, encoding, name)
    bom_name = _match_bom(data)
    if bom_name:
        candidates = [bom_name] + (["utf-16"] if bom_name == "utf-32" else [])
        for candidate in candidates:
            codec, bom = _BOM_ENCODINGS[candidate]
            with contextlib.suppress(UnicodeDecodeError):
                return _make(data[len(bom) :].decode(codec), candidate)
        # A BOM followed by undecodable bytes: judge it like any other file below.
    if _binary_content(data):
        raise _binary(name, data)
    for codec in ("utf-8", "cp1252"):
        with contextlib.suppress(UnicodeDecodeError):
            return _make(data.decode(codec), codec)
    return _make(data.decode("latin-1"), "latin-1")


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _os_error(action: str, path, err: OSError) -> FileError:
    if isinstance(err, FileNotFoundError):
        reason = "it does not exist"
    elif isinstance(err, IsADirectoryError):
        reason = "it is a folder"
    elif isinstance(err, PermissionError):
        reason = "permission denied"
    else:
        reason = err.strerror or str(err)
    return FileError(f"Could not {action} {_label(path)} ({os.fspath(path)}): {reason}", path)


def read_text_file(path: str | os.PathLike, encoding: str | None = None) -> TextFile:
    """Read and decode a text file (see `decode_bytes`); FileError with a clear message if it
    is missing, unreadable, a folder, binary, larger than MAX_BYTES or undecodable."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", os.fspath(path))
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise FileError(
                f"Cannot open {_label(path)} ({os.fspath(path)}): it is not a regular file", path
            )
        if info.st_size > MAX_BYTES:
            raise _too_big(path, info.st_size)
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as err:
        raise _os_error("open", path, err) from None
    if len(data) > MAX_BYTES:  # it grew while we read it
        raise _too_big(path, len(data))
    return decode_bytes(data, encoding, name=path)


def _too_big(path, size: int) -> FileError:
    return FileError(
        f"{_label(path)} is {_size_text(size)}; ghostpen opens files up to {_size_text(MAX_BYTES)}",
        path,
    )


def _encode_error(text: str, encoding: str, index: int, name) -> EncodeError:
    char = text[index]
    breaks = list(_LINE_BREAK.finditer(text, 0, index))  # the editor's lines
    line = len(breaks) + 1
    column = index - (breaks[-1].end() if breaks else 0) + 1
    described = unicodedata.name(char, "") if len(char) == 1 else ""
    detail = f"U+{ord(char):04X}" + (f" {described}" if described else "")
    what = f"{_label(name)} as {encoding}" if name is not None else f"the text as {encoding}"
    return EncodeError(
        f"Cannot save {what}: the character {char!r} ({detail}) at line {line}, column {column} "
        f"cannot be represented in {encoding}; save as UTF-8 to keep it",
        name,
        encoding=encoding,
        char=char,
        line=line,
        column=column,
    )


def _first_unencodable(text: str, codec: str) -> int:
    """Index in `text` of the first character `codec` cannot encode (only called after a failure;
    the line endings are single characters in every supported codec, so the failure is here)."""
    try:
        text.encode(codec)
    except UnicodeEncodeError as err:
        return err.start
    return 0


def encode_text(
    text: str, encoding: str, newline: str, *, endings: dict[int, str] | None = None, name=None
) -> bytes:
    """The bytes of `text` in `encoding` with each "\\n" turned into its line's ending (`endings`
    for the lines that have their own, else `newline`) and the encoding's BOM (if it has one) in
    front. Raises EncodeError (a FileError) naming the first character the encoding cannot
    represent and its line:column; FileError for an unknown encoding."""
    if newline not in NEWLINES or any(e not in NEWLINES for e in (endings or {}).values()):
        raise FileError(f"Cannot save {_label(name)}: unknown line ending {newline!r}", name)
    try:
        canon = _canonical(encoding)
    except LookupError:
        raise FileError(
            f"Cannot save {_label(name)}: unknown text encoding {encoding!r}", name
        ) from None
    if "\r" in text:  # the caller's text should be "\n"-only; make it so
        text = split_newlines(text)[0]
    codec, bom = _BOM_ENCODINGS.get(canon, (canon, b""))
    converted = join_lines(text, newline, endings)
    try:
        body = converted.encode(codec)
    except UnicodeEncodeError:
        index = _first_unencodable(text, codec)
        raise _encode_error(text, canon, index, name) from None
    except LookupError:
        raise FileError(
            f"Cannot save {_label(name)}: unknown text encoding {encoding!r}", name
        ) from None
    return bom + body


def _default_mode() -> int:
    """The mode a new file gets: 0o666 less the umask."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    mask = os.umask(0o022)  # no other way to read it; set it straight back
    os.umask(mask)
    return 0o666 & ~mask


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:_CHUNK])
        view = view[written:]


def _overwrite(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    _write_all(fd, data)  # over the old bytes, then cut: never needs more space than both
    os.ftruncate(fd, len(data))
    os.fsync(fd)


def _write_in_place(target: Path, data: bytes) -> None:
    """Overwrite `target` (a file with other hard links, which must see the new text too), after
    a backup copy beside it that is removed once the write succeeded. If the write fails, the
    backup is copied back and removed; if even that fails, FileError says where the backup is."""
    fd = os.open(target, os.O_RDWR | getattr(os, "O_BINARY", 0))  # not writable: nothing changed
    try:
        bfd, backup = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".bak", dir=target.parent)
        try:
            with os.fdopen(bfd, "wb") as out, open(target, "rb") as src:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:  # no backup: the file was not touched
            with contextlib.suppress(OSError):
                os.unlink(backup)
            raise
        try:
            _overwrite(fd, data)
        except BaseException as err:
            try:
                _overwrite(fd, Path(backup).read_bytes())
            except OSError:
                reason = getattr(err, "strerror", None) or err
                raise FileError(
                    f"Could not save {_label(target)} ({target}): {reason}; "
                    f"its old content is kept in {backup}",
                    target,
                ) from err
            with contextlib.suppress(OSError):
                os.unlink(backup)
            raise
        with contextlib.suppress(OSError):
            os.unlink(backup)
    finally:
        os.close(fd)


def save_text_file(
    path: str | os.PathLike,
    text: str,
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    endings: dict[int, str] | None = None,
) -> None:
    """Save `text` atomically: the file on disk is either the old one or the new one, never a
    mix, and no temporary file is left behind. Keeps the existing file's permission bits (and
    owner, where allowed); a symlink keeps pointing at its target, which is what gets replaced.
    A file with more than one hard link is written in place instead (see `_write_in_place`), as
    Vim's backupcopy=auto does, so that the other names see the new text. `endings` are the
    lines' own endings (`TextFile.endings`). Raises EncodeError when the text cannot be
    represented in `encoding`, FileError otherwise."""
    data = encode_text(text, encoding, newline, endings=endings, name=path)
    target = Path(os.path.realpath(path))
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    except OSError as err:
        raise _os_error("save", path, err) from None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise FileError(
            f"Cannot save {_label(path)} ({os.fspath(path)}): it is not a regular file", path
        )
    if not target.parent.is_dir():
        raise FileError(
            f"Cannot save {_label(path)}: the folder {target.parent} does not exist", path
        )
    mode = stat.S_IMODE(old.st_mode) if old is not None else _default_mode()

    def write(tmp: str) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_BINARY", 0))
        try:
            _write_all(fd, data)
            if old is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):
                    st = os.fstat(fd)
                    if (st.st_uid, st.st_gid) != (old.st_uid, old.st_gid):
                        os.fchown(fd, old.st_uid, old.st_gid)
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            else:
                os.chmod(tmp, mode)
        finally:
            os.close(fd)

    try:
        if old is not None and old.st_nlink > 1:
            _write_in_place(target, data)
        else:
            atomic_write(target, write)
    except OSError as err:
        if isinstance(err, PermissionError) and old is not None and os.access(target, os.W_OK):
            reason = (
                f"the folder {target.parent} is not writable (ghostpen saves through a "
                "temporary file beside the file)"
            )
        else:
            reason = err.strerror or str(err)
        raise FileError(
            f"Could not save {_label(path)} ({os.fspath(path)}): {reason}; "
            "the file on disk is unchanged",
            path,
        ) from err
