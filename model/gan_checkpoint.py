"""DCGAN checkpoints: a directory of `.npz` weight files and a meta.json (no pickle, no MXNet).

    CHECKPOINT/
      meta.json                 format "ghostpen-dcgan", GanConfig, dataset, training stats,
                                file names and their sha256, resume position
      generator-<tag>.npz       generator weights ("<layer>.<param>", incl. BatchNorm stats)
      discriminator-<tag>.npz   (training checkpoints only)
      optim-<tag>.npz           (training checkpoints only) Adam moments for --resume
      samples/epoch-NNN.png     sample grids from fixed noise (training only)

Writes are crash-safe as for the text models: new files get a fresh tag, meta.json is replaced
atomically last, then only the files the previous meta.json named are removed. An exported
(shipped) generator holds meta.json and the generator file only, optionally float16.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ghostpen.model.archs.dcgan import GanConfig
from ghostpen.model.atomic import atomic_write, atomic_write_bytes, default_file_mode
from ghostpen.model.metaschema import MetaError, check_dataclass_fields, load_json, plain_file_name

FORMAT = "ghostpen-dcgan"
VERSION = 1
META = "meta.json"
ROLES = ("generator", "generator_train", "discriminator", "optimizer")


class GanCheckpointError(Exception):
    """A GAN checkpoint that cannot be used; the message names the file at fault."""


@dataclass
class GanCheckpoint:
    path: Path
    config: GanConfig
    files: dict[str, str]
    sha256: dict[str, str] = field(default_factory=dict)
    dataset: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    resume: dict = field(default_factory=dict)

    def arrays(self, role: str) -> dict[str, np.ndarray]:
        """The weights of `role` as float32 arrays (checks the file's sha256)."""
        name = self.files.get(role)
        if name is None:
            raise GanCheckpointError(f"{self.path}: no {role} weights in this checkpoint")
        file = self.path / name
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise GanCheckpointError(f"{file}: cannot read ({exc.strerror or exc})") from None
        want = self.sha256.get(name)
        if want and hashlib.sha256(raw).hexdigest() != want:
            raise GanCheckpointError(f"{file}: sha256 does not match meta.json (damaged file?)")
        try:
            import io

            with np.load(io.BytesIO(raw), allow_pickle=False) as data:
                return {k: data[k].astype(np.float32) for k in data.files}
        except (OSError, ValueError, EOFError) as exc:
            raise GanCheckpointError(f"{file}: not a readable weights file ({exc})") from None


def default_avatar_model() -> Path:
    """The generator shipped with ghostpen (assets/models/avatars)."""
    return Path(str(resources.files("ghostpen.assets") / "models" / "avatars"))


def read_gan_checkpoint(path: str | os.PathLike) -> GanCheckpoint:
    path = Path(path)
    meta = path / META
    if not path.is_dir():
        raise GanCheckpointError(f"{path}: not a checkpoint directory (it should hold {META})")
    try:
        data = load_json(meta.read_bytes())
    except FileNotFoundError:
        raise GanCheckpointError(f"{meta}: missing; is {path} a ghostpen avatar model?") from None
    except OSError as exc:
        raise GanCheckpointError(f"{meta}: cannot read ({exc.strerror or exc})") from None
    except MetaError as exc:
        raise GanCheckpointError(f"{meta}: {exc}") from None
    try:
        if not isinstance(data, dict):
            raise MetaError("meta.json must hold an object")
        if data.get("format") != FORMAT:
            raise MetaError(f"format is {data.get('format')!r}, not a {FORMAT} model")
        if data.get("version") != VERSION:
            raise MetaError(f"version {data.get('version')!r} is not supported (expected 1)")
        config = GanConfig.from_dict(
            check_dataclass_fields(data.get("config"), GanConfig, "config")
        )
        files = data.get("files")
        if not isinstance(files, dict) or "generator" not in files:
            raise MetaError("files must be an object naming at least the generator")
        files = {k: plain_file_name(v, f"files.{k}") for k, v in files.items() if k in ROLES}
        sha = data.get("sha256") or {}
        if not isinstance(sha, dict):
            raise MetaError("sha256 must be an object")
        sections = {k: data.get(k) or {} for k in ("dataset", "training", "resume")}
        for k, v in sections.items():
            if not isinstance(v, dict):
                raise MetaError(f"{k} must be an object")
    except (MetaError, ValueError, TypeError) as exc:
        raise GanCheckpointError(f"{meta}: {exc}") from None
    return GanCheckpoint(path, config, files, sha, **sections)


def _npz_bytes(arrays: dict[str, np.ndarray], dtype=None) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(buf, **{k: (v.astype(dtype) if dtype else v) for k, v in arrays.items()})
    return buf.getvalue()


def save_gan_checkpoint(
    path: str | os.PathLike,
    config: GanConfig,
    weights: dict[str, dict[str, np.ndarray]],
    *,
    dataset: dict | None = None,
    training: dict | None = None,
    resume: dict | None = None,
    dtype=None,
) -> None:
    """Write `weights` (role -> arrays) and meta.json crash-safely into `path`."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    previous = {}
    if (path / META).exists():
        try:
            previous = read_gan_checkpoint(path).files
        except GanCheckpointError:
            previous = {}
    tag = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    files, sha = {}, {}
    mode = default_file_mode()
    prefix = {"generator": "generator", "generator_train": "generator-train",
              "discriminator": "discriminator", "optimizer": "optim"}  # fmt: skip
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "arch": "dcgan",
        "config": config.to_dict(),
        "files": files,
        "sha256": sha,
        "dataset": dataset or {},
        "training": training or {},
        "resume": resume or {},
    }

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(meta, fh, indent=1)

    try:
        for role, arrays in weights.items():
            name = f"{prefix[role]}-{tag}.npz"
            raw = _npz_bytes(arrays, dtype if role == "generator" else None)
            files[role] = name  # before writing: a failed write is cleaned up below
            atomic_write_bytes(path / name, raw, mode)
            sha[name] = hashlib.sha256(raw).hexdigest()
        atomic_write(path / META, write, mode)
    except BaseException:  # e.g. a full disk: the previous checkpoint stays whole
        for name in files.values():
            with contextlib.suppress(OSError):
                (path / name).unlink()
        raise
    for name in set(previous.values()) - set(files.values()):
        try:
            (path / name).unlink()
        except OSError:
            pass


def export_generator(
    src: str | os.PathLike, dst: str | os.PathLike, float16: bool = True, credit: str = ""
) -> None:
    """Copy only the generator (optionally float16) and its meta.json from `src` to `dst`;
    `credit` (the training data's attribution line) goes into meta.json's dataset."""
    ckpt = read_gan_checkpoint(src)
    dataset = dict(ckpt.dataset, **({"credit": credit} if credit else {}))
    training = dict(
        ckpt.training, exported_from=str(ckpt.path), dtype="float16" if float16 else "float32"
    )
    save_gan_checkpoint(
        dst,
        ckpt.config,
        {"generator": ckpt.arrays("generator")},
        dataset=dataset,
        training=training,
        dtype=np.float16 if float16 else None,
    )
