"""Folders that really refuse writes, for `ghostpen eval probes`: a read-only folder and a full
disk, made so that they hold for root too (root ignores permission bits, so `chmod 555` tests
nothing in CI, which runs as root).

- `read_only_folder(path)`: as root, a tmpfs mounted at `path` and remounted read-only; as
  another user, permission bits (which then bind). Yields the folder, files written into it by
  `fill` before it is made read-only.
- `small_disk(path, kb)`: as root, a tmpfs of `kb` KB at `path` (writes past it fail with
  ENOSPC, as on a full disk).

Each yields None when it cannot be made here (not root, no `mount`, no tmpfs in this
container); the probe then reports itself skipped with that reason, never passed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

NO_MOUNT = "a tmpfs mount needs root and the mount command (not available here)"


def _mount(*args: str) -> bool:
    if shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    return done.returncode == 0


def _umount(path: Path) -> None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def read_only_folder(path: Path, fill: Callable[[Path], None]) -> Iterator[Path | None]:
    """`path`, holding what `fill` wrote, read-only even for root (see the module doc)."""
    path.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        fill(path)
        os.chmod(path, 0o555)
        try:
            yield path
        finally:
            os.chmod(path, 0o755)
        return
    if not can_mount() or not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path)):
        yield None
        return
    try:
        fill(path)
        if not _mount("-o", "remount,ro", str(path)):
            yield None
            return
        yield path
    finally:
        _umount(path)


@contextlib.contextmanager
def small_disk(path: Path, kb: int) -> Iterator[Path | None]:
    """A file system of `kb` KB mounted at `path` (root only), or None."""
    path.mkdir(parents=True, exist_ok=True)
    if not can_mount() or not _mount("-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", str(path)):
        yield None
        return
    try:
        yield path
    finally:
        _umount(path)


def fill_up(folder: Path, leave_kb: int = 0) -> None:
    """Fill `folder`'s file system until about `leave_kb` KB are left (a file `filler`)."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize - leave_kb * 1024
    if free > 0:
        with open(folder / "filler", "wb") as fh:
            with contextlib.suppress(OSError):
                fh.write(b"\0" * free)
