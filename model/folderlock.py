"""The one lock of a model folder: whatever writes, renames or deletes a model folder holds it.

A training holds it for its whole run (`training.outdir.claim_output`); `ghostpen wordlm build`
while it adds a word model; *Manage models ▸ Rename/Delete* while it moves or removes the
folder. It is an exclusive, non-blocking `fcntl.flock` (`msvcrt.locking` on Windows) on
`.ghostpen.lock` inside the folder, so it is released when the holder closes it or dies (a
SIGKILLed training leaves no stale lock). The holder writes "pid N on HOST, since TIME" into the
file, which the refusal quotes.

    with hold_folder(path) as lock:   # FolderBusy (an OSError) when someone else holds it
        ...write into path...

The lock file stays in the folder after use (removing it would race with a second process that
already opened it); it is ghostpen's own, and folder checks ignore it (`LOCK_NAME`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".ghostpen.lock"


class FolderBusy(OSError):
    """The folder's lock is held by another process; `holder` says which ("pid N on …")."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(errno.EBUSY, f"{path} is in use by another ghostpen process ({holder})")
        self.path, self.holder = path, holder

    def __str__(self) -> str:
        return self.strerror


class FolderLock:
    """An exclusive, non-blocking lock on one file (released when closed or the process dies)."""

    def __init__(self, file: Path) -> None:
        self.file = file
        flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        try:
            self.fd = os.open(file, flags, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a link put there: never write through it
                raise OSError(errno.ELOOP, f"{file.name} is a link, not ghostpen's lock") from None
            raise
        if not stat.S_ISREG(os.fstat(self.fd).st_mode):  # a FIFO or device put there
            os.close(self.fd)
            raise OSError(errno.EINVAL, f"{file.name} is not a regular file")

    def acquire(self) -> bool:
        try:
            if os.name == "nt":  # pragma: no cover - exercised on Windows only
                import msvcrt

                msvcrt.locking(self.fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def holder(self) -> str:
        """What the holding process wrote into the lock file ("pid 123 on host, since …")."""
        with contextlib.suppress(OSError):
            os.lseek(self.fd, 0, os.SEEK_SET)
            text = os.read(self.fd, 200).decode("utf-8", "replace").strip()
            if text:
                return text
        return "pid unknown"

    def write_owner(self) -> None:
        since = time.strftime("%Y-%m-%d %H:%M:%S")
        info = f"pid {os.getpid()} on {socket.gethostname()}, since {since}\n".encode()
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, info)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def take_folder(path: str | os.PathLike) -> FolderLock:
    """Lock the existing folder `path` (close the result to release it). FolderBusy when another
    process holds it; the OSError of creating the lock file when the folder is not writable."""
    path = Path(path)
    lock = FolderLock(path / LOCK_NAME)
    if not lock.acquire():
        holder = lock.holder()
        lock.close()
        raise FolderBusy(path, holder)
    try:
        lock.write_owner()
    except OSError:
        lock.close()
        raise
    return lock


@contextlib.contextmanager
def hold_folder(path: str | os.PathLike) -> Iterator[FolderLock]:
    """`take_folder` for the length of a `with` block."""
    lock = take_folder(path)
    try:
        yield lock
    finally:
        lock.close()


# folders no model belongs in: the root and the system's own trees (a model folder directly in
# one of _NOT_PARENTS, or anywhere under _NOT_UNDER, is refused)
_NOT_PARENTS = ("/", "/home", "/var", "/run", "/opt", "/srv", "/mnt", "/media", "/snap")
_NOT_UNDER = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc",
              "/sbin", "/sys", "/usr")  # fmt: skip


def system_folder(path: str | os.PathLike) -> str | None:
    """The system folder a model folder at `path` would be written into ("/", "/usr", …), or
    None when `path` is a place of the user's own (the GHOSTPEN_MODELS_DIR=/ mistake)."""
    if os.name == "nt":  # pragma: no cover - POSIX layout only
        return None
    full = Path(os.path.abspath(os.path.expanduser(os.fspath(path))))
    with contextlib.suppress(OSError):
        full = full.parent.resolve() / full.name  # a link to / is / (the name itself may be new)
    if str(full) == "/" or str(full.parent) in _NOT_PARENTS or str(full) in _NOT_PARENTS:
        return str(full.parent) if str(full) != "/" else "/"
    for top in _NOT_UNDER:
        if str(full) == top or str(full).startswith(top + "/"):
            return top
    return None
