"""Saving the user's text files so that nothing is ever lost, and reading them (Qt-free).

Reading is `ghostpen.textio` (re-exported here for the editor): the encoding is detected
(byte-order mark, strict UTF-8, cp1252, then latin-1, which never fails), binary and oversized
files are refused with a clear message, and line endings become "\\n" while the file's dominant
one is remembered and, in a file that mixes them, each line's own (`TextFile.endings`; the rules
are in `ghostpen.linebreaks`). Saving restores every line's ending and the BOM, so an unedited
file is written back byte for byte, and writes atomically (temporary file beside the target,
fsync, rename, fsync the folder), keeping the file's permission bits and extended attributes
(as `cp --preserve=xattr` would, where the system has them) and following symlinks, so a failed
save leaves the old file intact. A file with more than one hard link is written in
place instead (after a backup copy beside it, removed once the write succeeded and copied back
if it failed), so every name keeps seeing the same file.

Encoding names in `TextFile.encoding` are what `encode_text`/`save_text_file` expect back, so a
file saved with the encoding it was read with round-trips byte for byte. BOM'd Unicode files get
names that say so: "utf-8-sig", "utf-16" (little-endian with BOM), "utf-16-be-bom", "utf-32"
(little-endian with BOM), "utf-32-be-bom". Python's own names ("utf-16-le", "cp1252",
"latin-1", "shift_jis", ...) mean what they mean to Python (no BOM written).
"utf-8 (stray bytes)" (`ghostpen.straybytes`) writes each U+F780-U+F7FF character back as the
stray byte it stands for.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import unicodedata
from pathlib import Path

from ghostpen.linebreaks import join_lines
from ghostpen.model.atomic import atomic_write
from ghostpen.straybytes import STRAY_ENCODING, encode_stray
from ghostpen.textio import BOM_ENCODINGS as _BOM_ENCODINGS
from ghostpen.textio import (
    MAX_BYTES,
    NEWLINES,
    BinaryFileError,
    DecodeError,
    FileError,
    TextFile,
    TextReadError,
    decode_bytes,
    detect_binary,
    read_text_file,
    split_newlines,
)
from ghostpen.textio import canonical_encoding as _canonical
from ghostpen.textio import label as _label
from ghostpen.textio import os_error as _os_error

__all__ = [
    "MAX_BYTES",
    "NEWLINES",
    "BinaryFileError",
    "DecodeError",
    "EncodeError",
    "FileError",
    "TextFile",
    "TextReadError",
    "decode_bytes",
    "detect_binary",
    "encode_text",
    "read_text_file",
    "save_text_file",
    "split_newlines",
]

_CHUNK = 1 << 20
_LINE_BREAK = re.compile("[\n\u2028\u2029\ufdd0\ufdd1]")


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
        body = encode_stray(converted) if canon == STRAY_ENCODING else converted.encode(codec)
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


def _copy_xattrs(source: Path, fd: int) -> None:
    """Give the open file `fd` the extended attributes of `source` (as `cp --preserve=xattr`):
    user tags, a download's origin, ACLs. Attributes this process may not set (`security.*`
    for a user) are left out, as cp leaves them; where there are none, nothing happens."""
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(source)
    except OSError:
        return  # the file system has none (or refuses to list them)
    for name in names:
        with contextlib.suppress(OSError):
            os.setxattr(fd, name, os.getxattr(source, name))


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
    owner, where allowed) and its extended attributes; a symlink keeps pointing at its target,
    which is what gets replaced.
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
            if old is not None:
                _copy_xattrs(target, fd)
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
