"""The one guarded reader for the small files ghostpen reads: meta.json, habits.json, recovery
records, hosts files, settings side files.

Such a file is only ever read when it is a regular file (after following links) and no larger
than a cap the caller names. A FIFO, a socket or a device (`/dev/zero`, a terminal) is refused at
once without blocking: it is opened with O_NONBLOCK and checked with fstat before one byte is
read, and at most `max_bytes + 1` bytes are ever read, so a file that grows meanwhile cannot make
the read unbounded.

`SmallFileError` is an `OSError`, so callers that already turn `OSError` into a message keep
working; its text says what is wrong ("not a regular file (a FIFO)", "too large (70 MB; at most
1 MB)") without the path, which callers add in their own words.
"""

from __future__ import annotations

import errno
import json
import os
import stat

__all__ = ["SmallFileError", "describe_size", "parse_json", "read_small", "read_small_json"]


class SmallFileError(OSError):
    """A small file that is not a regular file, or larger than its cap."""


def describe_size(n: int) -> str:
    """`n` bytes in words a user reads at a glance: "512 bytes", "3 KB", "70 MB"."""
    if n < 2**10:
        return f"{n} bytes"
    if n < 2**20:
        return f"{n // 2**10} KB"
    if n < 2**30:
        return f"{n // 2**20} MB"
    return f"{n / 2**30:.1f} GB"


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a plain file"


def read_small(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of the regular file at `path` (links followed), at most `max_bytes` of them.

    Raises FileNotFoundError and the other OSErrors of opening as usual, and SmallFileError
    for a FIFO, device, socket or folder, or a file over `max_bytes`. Never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise SmallFileError(errno.EISDIR, "not a regular file (a folder)") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SmallFileError(errno.EINVAL, f"not a regular file ({_kind(st.st_mode)})")
        if st.st_size > max_bytes:
            raise SmallFileError(
                errno.EFBIG,
                f"too large ({describe_size(st.st_size)}; at most {describe_size(max_bytes)})",
            )
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise SmallFileError(
                errno.EFBIG, f"too large (it grew past {describe_size(max_bytes)} while read)"
            )
        return b"".join(chunks)
    finally:
        os.close(fd)


def parse_json(raw: bytes) -> object:
    """JSON of `raw`; ValueError with a short reason ("not UTF-8 (…)", "not valid JSON (…)",
    "nested too deeply") for bytes that are not UTF-8 JSON a parser can take."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def read_small_json(path: str | os.PathLike, max_bytes: int) -> object:
    """`read_small` then `parse_json`: SmallFileError/OSError as `read_small`, ValueError with
    a short reason for text that is not UTF-8 JSON or is nested absurdly deep."""
    return parse_json(read_small(path, max_bytes))
