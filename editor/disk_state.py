"""What an open file looks like on disk, and whether it changed since we read or wrote it (Qt-free).

A `Fingerprint` is the file's size, mtime_ns, device and inode plus the sha256 of its bytes.
`compare(base, path)` looks at the file now: when size, mtime and inode all match the base it is
`UNCHANGED` without reading a byte; when any of them differs it only *may* have changed (a
`touch`, a copy with the same bytes, our own atomic save), so the bytes are hashed and only a
different hash is `CHANGED`. Right before a save the bytes are hashed even when the stat
matches (`compare(..., strict=True)`): another program may rewrite a file in place with the
same size and put its mtime back (`cp -p`, `rsync -t --inplace`, a coarse clock), and only the
hash of the bytes last loaded or saved tells that apart. A file that is gone is `DELETED`;
one that exists again after it was gone (or was never there) is `APPEARED`.

`unified_diff` is the text of the Compare view: disk version against the buffer.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
from dataclasses import dataclass

UNCHANGED = "unchanged"
CHANGED = "changed"
DELETED = "deleted"
APPEARED = "appeared"

_CHUNK = 1 << 20
_TRIES = 3  # re-read when the file changes while it is hashed


@dataclass(frozen=True)
class Fingerprint:
    """One version of a file on disk. `sha256` is "" when the bytes could not be read."""

    size: int
    mtime_ns: int
    dev: int
    inode: int
    sha256: str

    def same_stat(self, info: os.stat_result) -> bool:
        return (self.size, self.mtime_ns, self.dev, self.inode) == (
            info.st_size,
            info.st_mtime_ns,
            info.st_dev,
            info.st_ino,
        )


def _stat(path: str) -> os.stat_result | None:
    """The file's stat (following symlinks), or None when there is no regular file there."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def sha256_of_file(path: str) -> str:
    """Hex sha256 of the file's bytes, read in chunks; "" if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def sha256_of_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _make(info: os.stat_result, sha: str) -> Fingerprint:
    return Fingerprint(info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino, sha)


def fingerprint(path: str) -> Fingerprint | None:
    """The file's fingerprint now, or None when it does not exist (or is not a regular file).
    If the file changes while it is being hashed, it is hashed again (a few times)."""
    info = _stat(path)
    for _ in range(_TRIES):
        if info is None:
            return None
        sha = sha256_of_file(path)
        after = _stat(path)
        if after is not None and _make(info, sha).same_stat(after):
            return _make(info, sha)
        info = after
    return None if info is None else _make(info, sha256_of_file(path))


def compare(
    base: Fingerprint | None, path: str, *, strict: bool = False
) -> tuple[str, Fingerprint | None]:
    """(verdict, the fingerprint now) for the file at `path` against `base`, the version the
    buffer came from (None: there was no file). The fingerprint now is `base` itself when the
    stat says nothing changed, so nothing is read, unless `strict` (before a save): then the
    bytes are hashed whenever `base` has a hash to compare with."""
    info = _stat(path)
    if info is None:
        return (UNCHANGED if base is None else DELETED), None
    if base is None:
        return APPEARED, fingerprint(path)
    if base.same_stat(info) and not (strict and base.sha256):
        return UNCHANGED, base
    now = fingerprint(path)
    if now is None:
        return DELETED, None
    if base.sha256 and now.sha256 == base.sha256:
        return UNCHANGED, now  # touched, copied over with the same bytes, ...
    return CHANGED, now


def unified_diff(disk_text: str, buffer_text: str, name: str) -> str:
    """A unified diff from the version on disk to the buffer ("" when they are equal)."""
    lines = difflib.unified_diff(
        disk_text.splitlines(keepends=True),
        buffer_text.splitlines(keepends=True),
        fromfile=f"{name} (on disk)",
        tofile=f"{name} (your version)",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def common_ends(old: str, new: str) -> tuple[int, int]:
    """(length of the common prefix, length of the common suffix that does not overlap it) of
    two strings, found by halving with slice comparisons (C speed, no per-character loop)."""
    limit = min(len(old), len(new))
    lo, hi = 0, limit
    while lo < hi:  # the longest prefix length p with old[:p] == new[:p]
        mid = (lo + hi + 1) // 2
        if old[lo:mid] == new[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, limit - prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid : len(old) - lo] == new[len(new) - mid : len(new) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return prefix, lo
