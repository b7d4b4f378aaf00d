"""Reading text files: the one decoder every part of ghostpen uses (Qt-free, no MXNet).

The editor, the training corpus and the `ghostpen eval` commands all read text through
`decode_bytes` / `read_text_file`, so a file means the same characters everywhere:

- a byte-order mark decides first: UTF-8, UTF-16 LE/BE, UTF-32 LE/BE (a UTF-32 LE BOM whose
  body does not decode is tried as UTF-16 LE; a BOM followed by undecodable bytes is judged like
  any other file);
- binary data is refused (`BinaryFileError`): NUL bytes anywhere (unless a UTF-16/32 BOM
  decoded), or more than 30% control characters in the first 8 KiB;
- then strict UTF-8, then cp1252, then latin-1 (which never fails);
- line endings become "\\n"; `TextFile` remembers the dominant one and whether they were mixed,
  and the encoding and BOM, which the editor needs to save the file back unchanged.

Callers that want only the characters use `read_text(path)`. Every failure is a
`TextReadError` (a `FileError`) whose message names the file and whose `reason` says why in a
few words, for one-line command-line errors ("cannot read PATH: REASON"); nothing here exits.

Encoding names in `TextFile.encoding` are what the editor's saver expects back: BOM'd Unicode
files are "utf-8-sig", "utf-16" (LE with BOM), "utf-16-be-bom", "utf-32" (LE with BOM),
"utf-32-be-bom"; Python's own names ("utf-16-le", "cp1252", "latin-1", ...) mean no BOM.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ghostpen.linebreaks import line_endings

MAX_BYTES = 200 * 1024 * 1024
NEWLINES = ("\n", "\r\n", "\r")

# Our names for BOM'd Unicode encodings -> (Python codec for the body, the BOM bytes).
BOM_ENCODINGS = {
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


class FileError(Exception):
    """A file that cannot be read or saved; the message is for the user and names the file."""

    def __init__(self, message: str, path: str | os.PathLike | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else os.fspath(path)


class TextReadError(FileError):
    """A text file that cannot be read or decoded. `reason` is the why in a few words
    ("it does not exist", "permission denied", "it looks like a binary file (NUL bytes)")."""

    def __init__(self, message: str, path=None, reason: str = "") -> None:
        super().__init__(message, path)
        self.reason = reason or message


class BinaryFileError(TextReadError):
    """The file looks binary (NUL bytes or mostly control characters)."""


class DecodeError(TextReadError):
    """The bytes cannot be decoded with the requested encoding (or it is unknown)."""


@dataclass
class TextFile:
    """A decoded text file: "\\n"-only text plus what is needed to write it back unchanged."""

    text: str
    encoding: str
    newline: str = "\n"
    bom: bool = False
    mixed_newlines: bool = False
    endings: dict[int, str] = field(default_factory=dict)  # line -> its ending, if not `newline`


def label(name: str | os.PathLike | None) -> str:
    """How messages name a file: its base name ("the file" without one)."""
    return "the file" if name is None else (Path(name).name or os.fspath(name))


def canonical_encoding(encoding: str) -> str:
    """Our name for `encoding`; raises LookupError for unknown or non-text codecs."""
    name = encoding.strip().lower().replace("_", "-")
    if name in BOM_ENCODINGS:
        return name
    info = codecs.lookup(name)
    if not getattr(info, "_is_text_encoding", True):
        raise LookupError(f"{encoding!r} is not a text encoding")
    return info.name if info.name in _FAMILY else name


def _match_bom(data: bytes, names=_BOM_ORDER) -> str | None:
    for name in names:
        if data.startswith(BOM_ENCODINGS[name][1]):
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
    return TextFile(lf_text, encoding, newline, encoding in BOM_ENCODINGS, mixed, endings)


def _unknown(encoding: str, name) -> DecodeError:
    return DecodeError(
        f"Cannot open {label(name)}: unknown text encoding {encoding!r}",
        name,
        f"unknown text encoding {encoding!r}",
    )


def _decode_error(err: UnicodeDecodeError, encoding: str, name, offset: int = 0) -> DecodeError:
    bad = err.object[err.start : err.end][:4].hex(" ")
    reason = f"not valid {encoding} (the bytes {bad} at offset {err.start + offset})"
    return DecodeError(
        f"{label(name)} is not valid {encoding}: the bytes {bad} at offset {err.start + offset} "
        f"cannot be decoded; open it with another encoding",
        name,
        reason,
    )


def _binary(name, data: bytes) -> BinaryFileError:
    why = "NUL bytes" if b"\x00" in data else "mostly control characters"
    return BinaryFileError(
        f"{label(name)} looks like a binary file ({why}); ghostpen opens text files only",
        name,
        f"it looks like a binary file ({why})",
    )


def _forced(data: bytes, encoding: str, name) -> TextFile:
    try:
        canon = canonical_encoding(encoding)
    except LookupError:
        raise _unknown(encoding, name) from None
    family = _FAMILY.get(canon)
    body, codec, skip = data, canon, 0
    if family:
        # Within a Unicode family the file's own BOM decides the byte order and whether to keep it.
        bom_name = _match_bom(data, [n for n in _BOM_ORDER if _FAMILY[n] == family])
        if bom_name:
            canon = bom_name
            codec, bom = BOM_ENCODINGS[bom_name]
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
        raise _unknown(encoding, name) from None
    return _make(text, canon)


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
            codec, bom = BOM_ENCODINGS[candidate]
            with contextlib.suppress(UnicodeDecodeError):
                return _make(data[len(bom) :].decode(codec), candidate)
        # A BOM followed by undecodable bytes: judge it like any other file below.
    if _binary_content(data):
        raise _binary(name, data)
    for codec in ("utf-8", "cp1252"):
        with contextlib.suppress(UnicodeDecodeError):
            return _make(data.decode(codec), codec)
    return _make(data.decode("latin-1"), "latin-1")


def size_text(size: int) -> str:
    """A byte count for messages: "2048 bytes", "3.5 MB"."""
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def os_reason(err: OSError) -> str:
    """Why an OSError happened, in a few words."""
    if isinstance(err, FileNotFoundError):
        return "it does not exist"
    if isinstance(err, IsADirectoryError):
        return "it is a folder"
    if isinstance(err, PermissionError):
        return "permission denied"
    return err.strerror or str(err)


def os_error(action: str, path, err: OSError, cls: type[FileError] = FileError) -> FileError:
    """The `cls` error for an OSError: "Could not ACTION NAME (PATH): REASON"."""
    reason = os_reason(err)
    message = f"Could not {action} {label(path)} ({os.fspath(path)}): {reason}"
    if issubclass(cls, TextReadError):
        return cls(message, path, reason)
    return cls(message, path)


def _too_big(path, size: int, limit: int) -> TextReadError:
    return TextReadError(
        f"{label(path)} is {size_text(size)}; ghostpen opens files up to {size_text(limit)}",
        path,
        f"it is {size_text(size)}, more than {size_text(limit)}",
    )


def read_text_file(
    path: str | os.PathLike, encoding: str | None = None, *, max_bytes: int | None = None
) -> TextFile:
    """Read and decode a text file (see `decode_bytes`); TextReadError with a clear message if
    it is missing, unreadable, a folder, binary, larger than `max_bytes` (default MAX_BYTES) or
    undecodable."""
    if max_bytes is None:
        max_bytes = MAX_BYTES
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", os.fspath(path))
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise TextReadError(
                f"Cannot open {label(path)} ({os.fspath(path)}): it is not a regular file",
                path,
                "it is not a regular file",
            )
        if info.st_size > max_bytes:
            raise _too_big(path, info.st_size, max_bytes)
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise os_error("open", path, err, TextReadError) from None
    if len(data) > max_bytes:  # it grew while we read it
        raise _too_big(path, len(data), max_bytes)
    return decode_bytes(data, encoding, name=path)


def read_text(path: str | os.PathLike) -> str:
    """The characters of a text file, "\\n" line endings (see `read_text_file`)."""
    return read_text_file(path).text
