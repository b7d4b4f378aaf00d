"""The typing history's file on disk: read guarded, written through links, merged under a lock.

Several editors may keep one typing history (`habits.json`) at once. Each `HabitsStore` keeps
what it added since it last read or wrote the file, and `save` is a read-modify-write under an
exclusive lock (`locked`: `fcntl.flock` on a side file `habits.json.lock` beside the real file,
never on the history itself, so replacing the history atomically does not drop the lock): the
file as it is now, plus what this store added, bounded, then written atomically. So window A's
words survive window B's save, and a history forgotten in one window is not brought back by
another (only what that one typed since is saved).

The lock is taken with a timeout (`LOCK_TIMEOUT_S`): a stuck holder makes a save fail with a
message, never a thread that waits forever. Where `fcntl` does not exist (Windows) saves are
not locked.

`habits.json` may be a symbolic link (a dotfiles repository, a synced folder): the file it
points to is what is read, replaced and forgotten, and the link stays a link (`real_path`).
Reading goes through `ghostpen.smallfile.read_small`: a FIFO, a device or a socket is refused
at once (never read, never replaced), and at most a capped number of bytes is read.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import time
from pathlib import Path

from ghostpen.smallfile import SmallFileError, parse_json, read_small

LOCK_SUFFIX = ".lock"
LOCK_TIMEOUT_S = 10.0  # a save waits this long at most for another editor's save
LOCK_POLL_S = 0.02  # between two tries to take the lock


class LockTimeout(OSError):
    """Another process held the typing history's lock for longer than the timeout."""


def real_path(path: str | os.PathLike) -> Path:
    """The file `path` stands for: links followed (a dangling link names where it points)."""
    return Path(os.path.realpath(os.fspath(path)))


def lock_path(path: str | os.PathLike) -> Path:
    """The side file whose lock guards the history at `path` (beside the real file)."""
    real = real_path(path)
    return real.with_name(real.name + LOCK_SUFFIX)


def _open_lock(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SmallFileError(errno.EINVAL, f"the lock file {path} is not a regular file")
    return fd


@contextlib.contextmanager
def locked(path: str | os.PathLike, timeout: float | None = None):
    """Hold the exclusive lock of the history at `path` (creating its folder and lock file).
    Raises LockTimeout when another process holds it for more than `timeout` seconds (default
    LOCK_TIMEOUT_S), and OSError when the lock file cannot be made."""
    timeout = LOCK_TIMEOUT_S if timeout is None else timeout
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; saves are atomic, not merged safely
        yield
        return
    where = lock_path(path)
    where.parent.mkdir(parents=True, exist_ok=True)
    fd = _open_lock(where)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        errno.ETIMEDOUT,
                        f"another ghostpen kept the typing history locked ({where}) "
                        f"for {timeout:.0f} s",
                    ) from None
                time.sleep(LOCK_POLL_S)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def read_raw(path: str | os.PathLike, max_bytes: int) -> bytes | None:
    """The history's bytes (links followed), or None when there is no file. Raises
    SmallFileError (a FIFO, a device, a folder, larger than `max_bytes`) and other OSErrors."""
    try:
        return read_small(path, max_bytes)
    except FileNotFoundError:
        return None


def digest(raw: bytes | None) -> str | None:
    """What identifies one version of the file (None: no file)."""
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def parse(raw: bytes) -> object:
    """JSON of `raw`; ValueError with a short reason (`ghostpen.smallfile.parse_json`)."""
    return parse_json(raw)
