"""Claiming a training run's output folder: nothing of anyone else's is overwritten or deleted.

`claim_output(path, resume=…, force=…)` runs before any training step and either returns an
`OutputClaim` (hold it for the whole run; it keeps an exclusive lock) or raises `OutputError`
with one sentence saying what is wrong and what to do:

- `path` is a file, or lies under a file, or cannot be written: said up front, not after an epoch;
- `path` lies in a system folder (`/NAME`, `/usr/…`: `GHOSTPEN_MODELS_DIR=/`): refused;
- another training holds the folder: "… is in use by another training (pid N)" — an exclusive
  `fcntl.flock` (`msvcrt.locking` on Windows) on `.ghostpen.lock` inside it;
- the folder already holds a ghostpen model and neither `--resume` nor `--force` was given:
  "… already holds a model; pass --resume to continue it or --force to replace it";
- the folder holds other files (not a ghostpen checkpoint): refused, whatever the flags — a
  training never deletes a file it did not write;
- `--resume` with nothing to resume.

The lock is the model folder's one lock (`model/folderlock.py`): `ghostpen wordlm build` and
*Manage models ▸ Rename/Delete* take it too, so none of them touches a folder a training is
writing. The lock file stays in the folder after the run; it is ghostpen's own and the checks
below ignore it.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from ghostpen.model.folderlock import LOCK_NAME, system_folder
from ghostpen.model.folderlock import FolderLock as _Lock
from ghostpen.model.metaschema import checkpoint_format
from ghostpen.oserrors import describe_os_error

OWN_NAMES = (LOCK_NAME,)  # files in an output folder that ghostpen itself keeps there
META_NAME = "meta.json"


class OutputError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


@dataclass
class OutputClaim:
    """A claimed output folder; `existing` is the checkpoint format found there (or None)."""

    path: Path
    existing: str | None
    _lock: _Lock

    def release(self) -> None:
        self._lock.close()

    def __enter__(self) -> OutputClaim:
        return self

    def __exit__(self, *_exc) -> None:
        self.release()


def _make_folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} is a file, not a folder; choose a folder for the model")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"{path} cannot be created: {parent} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path} cannot be created ({describe_os_error(exc)})") from None


def _check_writable(path: Path) -> None:
    probe = path / f".ghostpen-write-test-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"ghostpen")
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):  # also after a failed write (a full disk)
                probe.unlink()
    except OSError as exc:
        raise OutputError(f"{path} is not writable ({describe_os_error(exc)})") from None


def claim_output(
    path: str | os.PathLike, *, resume: bool = False, force: bool = False, kind: str | None = None
) -> OutputClaim:
    """Claim `path` for a training run (see the module docstring); `kind` is the checkpoint
    format this training writes, so resuming a different kind of model is refused."""
    path = Path(path)
    system = system_folder(path)
    if system is not None:
        env = os.environ.get("GHOSTPEN_MODELS_DIR")
        hint = f" (GHOSTPEN_MODELS_DIR is {env})" if env else ""
        raise OutputError(f"{path} lies in the system folder {system}{hint}; a model belongs in "
                          "a folder of your own")  # fmt: skip
    _make_folder(path)
    try:
        lock = _Lock(path / LOCK_NAME)
    except OSError as exc:
        raise OutputError(f"{path} is not writable ({describe_os_error(exc)})") from None
    if not lock.acquire():
        holder = lock.holder()
        lock.close()
        raise OutputError(f"{path} is in use by another training ({holder}); wait for it or "
                          f"choose another folder")  # fmt: skip
    try:
        existing = _check_contents(path, resume=resume, force=force, kind=kind)
        _check_writable(path)
        lock.write_owner()
    except (OutputError, OSError) as exc:
        lock.close()
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"{path} is not writable ({describe_os_error(exc)})") from None
    return OutputClaim(path, existing, lock)


def _check_contents(path: Path, *, resume: bool, force: bool, kind: str | None) -> str | None:
    fmt = checkpoint_format(path)
    others = sorted(e.name for e in path.iterdir() if e.name not in OWN_NAMES)
    if fmt is None:
        if resume:
            raise OutputError(f"{path} holds no ghostpen model to resume (no valid {META_NAME})")
        if others:
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            raise OutputError(
                f"{path} is not empty and is not a ghostpen checkpoint ({shown}); training "
                f"never writes into someone else's folder: choose a new or empty one"
            )
        return None
    if kind is not None and fmt != kind:
        raise OutputError(f"{path} holds a {fmt} model, not a {kind} one; choose another folder")
    if not resume and not force:
        raise OutputError(
            f"{path} already holds a model; pass --resume to continue it or --force to replace it"
        )
    return fmt
