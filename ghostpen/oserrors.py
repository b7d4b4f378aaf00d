"""What a failed read or write says to the user, in words: "disk full", not "[Errno 28]" or
MXNet's "Check failed: std::fwrite(ptr, 1, size, fp_) == size".

`describe_os_error(exc)` turns an OSError into a short reason. `describe_write_error(exc, folder,
need)` also takes the errors of writers that lose errno (MXNet's C++ streams raise MXNetError
with the failed condition only): when such a write failed and the folder's file system has less
free space than the write needed, the reason is "disk full"; otherwise the writer's own last
line, cut short.
"""

from __future__ import annotations

import errno
import os

from ghostpen.smallfile import describe_size

__all__ = ["describe_os_error", "describe_write_error", "free_bytes"]

_WORDS = {
    errno.ENOSPC: "disk full",
    getattr(errno, "EDQUOT", -1): "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EFBIG: "file too large for this file system",
}


def describe_os_error(exc: OSError) -> str:
    """Say "disk full", "read-only file system", … or the error's own words."""
    if exc.errno in _WORDS:
        return _WORDS[exc.errno]
    return exc.strerror or str(exc) or type(exc).__name__


def free_bytes(folder: str | os.PathLike) -> int | None:
    """Bytes an unprivileged writer may still use in `folder`'s file system (None: unknown)."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    return st.f_bavail * st.f_frsize


def describe_write_error(exc: BaseException, folder: str | os.PathLike, need: int = 0) -> str:
    """Why writing `need` bytes or so into `folder` failed, in words (see the module doc)."""
    if isinstance(exc, OSError):
        return describe_os_error(exc)
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    last = (lines[-1] if lines else type(exc).__name__).removeprefix("MXNetError: ")
    free = free_bytes(folder)
    wrote = "fwrite" in last or "write" in last.lower() or "Check failed" in last
    if wrote and free is not None and free <= max(2 * need, 1 << 20):
        return f"disk full: {describe_size(free)} free"
    return last[:200]
