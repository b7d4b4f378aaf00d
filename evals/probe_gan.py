"""The GAN and avatar probes of `ghostpen eval probes` (registered when probe_cases imports this).

Bad training images (one image, an empty axis, a wrong dtype, an .npz whose header claims
10^11 pixels, a decompression-bomb PNG in a folder), a full disk during `train-gan` (a real
small tmpfs when running as root, else a child whose writes fail with ENOSPC after the first
checkpoint), and `ghostpen avatars` bounds, `--export` onto a file, an empty `--name`.
"""

from __future__ import annotations

import functools
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np

from ghostpen.evals.probes import Outcome, ghostpen, probe, python, refused, snapshot

GAN_TINY = ("--ngf", "4", "--ndf", "4", "--latent", "8", "--batch-size", "2",
            "--progress", "none")  # fmt: skip


def faces(n: int = 6) -> np.ndarray:
    """`n` small coloured squares on a background: uint8 (n, 64, 64, 3)."""
    rng = np.random.default_rng(0)
    out = np.empty((n, 64, 64, 3), np.uint8)
    for i in range(n):
        out[i] = rng.integers(0, 255, 3)
        y, x = rng.integers(8, 40, 2)
        out[i, y : y + 20, x : x + 20] = rng.integers(0, 255, 3)
    return out


def bomb_png(path: Path, side: int = 100_000) -> None:
    """A PNG whose header claims side x side pixels (its data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
                     + chunk(b"IEND", b""))  # fmt: skip


def npz_claiming(path: Path, shape: tuple) -> None:
    """An .npz whose images.npy header claims `shape` (uint8) but holds 16 bytes."""
    import io
    import zipfile

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "|u1", "fortran_order": False, "shape": shape}
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("images.npy", buf.getvalue() + b"\0" * 16)


def _train_refuses(tmp: Path, images: Path, *words: str) -> Outcome:
    before = snapshot(images)
    run = ghostpen("train-gan", "--images", str(images), "--out", str(tmp / "out"), *GAN_TINY)
    out = refused(run, before, snapshot(images), *words)
    if (tmp / "out").exists() and any((tmp / "out").iterdir()):
        out.ok, out.message = False, f"{out.message}; it wrote into --out"
    return out


@probe("gan-one-image", "train-gan on an .npz holding one (64, 64, 3) image")
def _gan_one_image(tmp: Path) -> Outcome:
    np.savez(tmp / "one.npz", images=faces(1)[0])
    return _train_refuses(tmp, tmp / "one.npz", "one image")


@probe("gan-empty-axis", "train-gan on a (4, 0, 5, 3) images array")
def _gan_empty_axis(tmp: Path) -> Outcome:
    np.savez(tmp / "empty.npz", images=np.zeros((4, 0, 5, 3), np.uint8))
    return _train_refuses(tmp, tmp / "empty.npz", "no pixels")


@probe("gan-wrong-dtype", "train-gan on images of strings")
def _gan_wrong_dtype(tmp: Path) -> Outcome:
    np.savez(tmp / "s.npz", images=np.full((4, 64, 64, 3), "x"))
    return _train_refuses(tmp, tmp / "s.npz", "dtype")


@probe("gan-npz-header-bomb", "train-gan on an .npz whose header claims 10^11 pixels")
def _gan_header_bomb(tmp: Path) -> Outcome:
    npz_claiming(tmp / "bomb.npz", (100_000, 1000, 1000, 3))
    out = _train_refuses(tmp, tmp / "bomb.npz", "claims", "GiB")
    return out


@probe("gan-folder-bomb-png", "train-gan on a folder with a decompression-bomb PNG")
def _gan_folder_bomb(tmp: Path) -> Outcome:
    from PIL import Image

    folder = tmp / "pics"
    folder.mkdir()
    for i, im in enumerate(faces(4)):
        Image.fromarray(im).save(folder / f"f{i}.png")
    bomb_png(folder / "bomb.png")
    run = ghostpen("train-gan", "--images", str(folder), "--out", str(tmp / "out"),
                   "--epochs", "1", *GAN_TINY)  # fmt: skip
    ok = run.rc == 0 and not run.traceback and "skipped 1" in run.err and "bomb.png" in run.err
    return Outcome(ok, run.last_line if ok else f"rc {run.rc}: {run.last_line}", [],
                   run.traceback)  # fmt: skip


@functools.lru_cache(maxsize=1)
def _tiny_gan() -> Path:
    root = Path(tempfile.mkdtemp(prefix="ghostpen-probe-gan-"))
    np.savez(root / "faces.npz", images=faces(6))
    run = ghostpen("train-gan", "--images", str(root / "faces.npz"), "--out", str(root / "g"),
                   "--epochs", "1", *GAN_TINY)  # fmt: skip
    if run.rc != 0:
        raise RuntimeError(f"could not train the probes' tiny GAN: {run.last_line}")
    return root / "g"


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    cmd = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _fill(folder: Path, leave: int = 96 * 1024) -> None:
    """Write a filler file until the file system is full, then free `leave` bytes (room for
    the output-folder claim, not for a checkpoint)."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while fh.write(b"\0" * 4096):
                pass
        except OSError:
            pass
    size = filler.stat().st_size
    with open(filler, "r+b") as fh:
        fh.truncate(max(size - leave, 0))


ENOSPC_CHILD = """
import errno, sys
import ghostpen.model.gan_checkpoint as gc
calls = []
real = gc.atomic_write_bytes
def failing(path, data, mode=None):
    calls.append(path)
    if len(calls) >= 2:  # the second weights file of the save: a partial checkpoint
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    real(path, data, mode)
gc.atomic_write_bytes = failing
from ghostpen.cli import main
sys.exit(main(sys.argv[1:]))
"""


@probe("gan-full-disk", "a full disk during train-gan (--resume into a full file system)")
def _gan_full_disk(tmp: Path) -> Outcome:
    mnt = tmp / "small"
    mounted = _mount_tmpfs(mnt, "8m")
    try:
        ckpt = Path(shutil.copytree(_tiny_gan(), (mnt if mounted else tmp) / "g"))
        images = _tiny_gan().parent / "faces.npz"
        args = ["train-gan", "--images", str(images), "--out", str(ckpt), "--resume",
                "--epochs", "3", "--progress", "none", "--batch-size", "2"]  # fmt: skip
        lock = str(ckpt / ".ghostpen.lock")  # the claim's lock names the new pid: not data

        def files() -> dict[str, str]:
            return {k: v for k, v in snapshot(ckpt).items() if k != lock}

        before = files()
        if mounted:
            _fill(mnt)
            run = ghostpen(*args)
        else:  # not root: the child's checkpoint writes fail as on a full disk
            run = python("-c", ENOSPC_CHILD, *args)
        out = refused(run, before, files(), "disk full", "kept")
        extra = sorted(set(files()) - set(before))
        if extra:
            out.ok, out.message = False, f"partial files left: {extra[:3]}"
        how = "tmpfs" if mounted else "ENOSPC injected (not root)"
        out.message = f"{out.message} [{how}]"
        return out
    finally:
        if mounted:
            subprocess.run(["umount", str(mnt)], capture_output=True, timeout=20)


# --- ghostpen avatars ----------------------------------------------------------------------
@probe("avatars-export-onto-file", "avatars --export onto an existing file")
def _avatars_export_file(tmp: Path) -> Outcome:
    target = tmp / "keep.txt"
    target.write_text("keep me", encoding="utf-8")
    before = snapshot(target)
    run = ghostpen("avatars", "--model", str(_tiny_gan()), "--export", str(target))
    return refused(run, before, snapshot(target), "is a file")


def _avatars_bound(tmp: Path, flag: str, value: str) -> Outcome:
    out = tmp / "grid.png"
    run = ghostpen("avatars", "--model", str(_tiny_gan()), flag, value, "--out", str(out))
    result = refused(run, {}, {}, "at most")
    if out.exists():
        result.ok, result.message = False, f"{flag} {value}: it drew {out.stat().st_size} bytes"
    return result


@probe("avatars-n-huge", "avatars --n 1000000")
def _avatars_n(tmp: Path) -> Outcome:
    return _avatars_bound(tmp, "--n", "1000000")


@probe("avatars-steps-huge", "avatars --interpolate 1 2 --steps 1000000")
def _avatars_steps(tmp: Path) -> Outcome:
    return _avatars_bound(tmp, "--steps", "1000000")


@probe("avatars-scale-huge", "avatars --scale 100000")
def _avatars_scale(tmp: Path) -> Outcome:
    return _avatars_bound(tmp, "--scale", "100000")


@probe("avatars-empty-name", "avatars --name '   '")
def _avatars_empty_name(tmp: Path) -> Outcome:
    run = ghostpen("avatars", "--model", str(_tiny_gan()), "--name", "   ", "--out",
                   str(tmp / "a.png"))  # fmt: skip
    return refused(run, {}, {}, "name is empty")
