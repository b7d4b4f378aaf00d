"""Checkpoints: a directory with the parameters and a meta.json that rebuilds the model.

    CHECKPOINT/
      meta.json             format version, ModelConfig, vocabulary, training stats, file names
      model-<tag>.params    best weights (Gluon save_parameters: NDArray format, no pickle)
      weights-<tag>.npz     the same weights for decoding (model/runtime.py: numpy, no MXNet,
                            no pickle; meta.json's "runtime" says its dtype)
      last-<tag>.params     (optional) latest weights, for --resume
      optim-<tag>.nd        (optional) Adam moments, for --resume (mx.nd.save: no pickle)
      wordlm-<tag>.npz      (optional) the word n-gram model (model/wordlm.py; meta.json's
                            "word_model" says its order and token count)

Writes are crash-safe: new files get a fresh tag, meta.json is replaced atomically last and
only then are unreferenced files removed, so a run killed at any moment leaves the previous
checkpoint loadable. Loading reads meta.json and the files it names, checks their sha256, and
never needs the corpus.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ghostpen.model.archs import build_model, get
from ghostpen.model.atomic import atomic_write, atomic_write_bytes, default_file_mode, fsync_dir
from ghostpen.model.config import ModelConfig
from ghostpen.model.meta import TrainingStats, extra_sections, read_section, to_json
from ghostpen.model.metaschema import (  # CheckpointError: imported from here by everyone
    CheckpointError,
    MetaError,
    load_json,
    parse_meta,
    plain_file_name,
    read_meta,
)
from ghostpen.model.runtime import meta_entry as runtime_entry
from ghostpen.model.runtime import to_bytes as runtime_bytes
from ghostpen.model.vocab import Vocab
from ghostpen.mxcompat import require_mxnet

FORMAT = "ghostpen-charlm"
FORMAT_VERSION = 1
META = "meta.json"


@dataclass
class Checkpoint:
    """What a checkpoint directory describes (the network itself is built by `load_model`)."""

    path: Path
    config: ModelConfig
    vocab: Vocab
    files: dict[str, str]  # role -> file name inside the directory ("params" is required)
    training: dict = field(default_factory=dict)  # stats: best_val_bpc, epochs, corpus sha...
    resume: dict = field(default_factory=dict)  # loop position for --resume (optional)
    word_model: dict = field(default_factory=dict)  # meta.json's "word_model" (when one)
    runtime: dict = field(default_factory=dict)  # meta.json's "runtime" (file, dtype) when one
    extra: dict = field(default_factory=dict)  # top-level keys this ghostpen does not know

    @property
    def stats(self) -> TrainingStats:
        """`training` typed (model/meta.py); mistyped values are left out."""
        return read_section(TrainingStats, self.training, "training")

    @property
    def name(self) -> str:
        return self.stats.name or self.path.name


# atomic_write's temporary files for the names save_checkpoint writes
_OWN_TEMP = re.compile(
    r"^\.(?:(?:model|last)-[0-9-]+\.params|optim-[0-9-]+\.nd|(?:wordlm|weights)-[0-9-]+\.npz"
    r"|meta\.json)"
    r"\.[^./]+\.tmp$"
)


def _named_files(path: Path) -> set[str]:
    """Plain file names the checkpoint's current meta.json names (empty when there is none)."""
    try:
        meta = load_json(read_meta(path / META))
        names = meta["files"].values() if isinstance(meta, dict) else ()
    except (OSError, MetaError, KeyError, AttributeError, TypeError):
        return set()
    found = set()
    for name in names:
        try:
            found.add(plain_file_name(name, "files"))
        except MetaError:
            continue
    return found


def bundled_models_dir() -> Path:
    """The folder of the models bundled with the package (assets/models)."""
    return Path(str(resources.files("ghostpen.assets") / "models"))


def default_model_path() -> Path:
    """The model bundled with the package (assets/models/default)."""
    return bundled_models_dir() / "default"


def file_sha256(path: Path) -> str:
    """The sha256 of a file (hex), read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read and validate meta.json (and the files it names) without building the network."""
    path = Path(path)
    meta_path = path / META
    if not path.is_dir():
        raise CheckpointError(f"{path}: not a checkpoint directory (it should hold {META})")
    try:
        raw = read_meta(meta_path)
    except FileNotFoundError:
        raise CheckpointError(f"{meta_path}: missing; is {path} a ghostpen checkpoint?") from None
    except OSError as exc:
        raise CheckpointError(f"{meta_path}: cannot read ({exc.strerror or exc})") from None
    try:
        meta = parse_meta(raw, FORMAT, FORMAT_VERSION, ModelConfig)
        config = ModelConfig.from_json(meta["model"])
        vocab = Vocab.from_json(meta["vocab"])
    except (TypeError, ValueError) as exc:  # MetaError is a ValueError
        raise CheckpointError(f"{meta_path}: {exc}") from None
    files, hashes = dict(meta["files"]), dict(meta.get("sha256", {}))
    if config.vocab_size != len(vocab):
        raise CheckpointError(
            f"{meta_path}: vocabulary has {len(vocab)} entries but the model expects "
            f"{config.vocab_size}"
        )
    if "params" not in files:
        raise CheckpointError(f"{meta_path}: names no parameter file")
    for role, name in files.items():
        file = path / name
        if not file.is_file():
            what = "not a regular file" if os.path.lexists(file) else "missing"
            raise CheckpointError(f"{file}: {what} ({role} file named in {META})")
        if file.resolve().parent != path.resolve():
            raise CheckpointError(f"{file}: links outside the checkpoint folder; not read")
        if name in hashes and file_sha256(file) != hashes[name]:
            raise CheckpointError(f"{file}: corrupt or truncated (sha256 does not match {META})")
    return Checkpoint(path, config, vocab, files, meta.get("training", {}), meta.get("resume", {}),
                      meta.get("word_model", {}), meta.get("runtime", {}),
                      extra_sections(meta))  # fmt: skip


def load_params(net, file: Path) -> None:
    """Load Gluon parameters with a clear error for a corrupt or mismatched file."""
    mx = require_mxnet()

    try:
        net.load_parameters(str(file), ctx=mx.cpu(), cast_dtype=True, dtype_source="current")
    except (mx.base.MXNetError, AssertionError, ValueError, KeyError) as exc:
        raise CheckpointError(f"{file}: cannot load parameters ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    """The sentence of an MXNet error that says what is wrong (its message starts with a
    C++ "Traceback" header and file lines): "Invalid NDArray file format", not "Traceback"."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Traceback", "File ", "[bt]"))]
    if not lines:
        return type(exc).__name__
    reason = lines[-1].removeprefix("MXNetError: ")
    if reason.startswith("Check failed:") and ": " in reason[len("Check failed:") :]:
        reason = reason.rsplit(": ", 1)[1]  # the explanation after the failed condition
    if "NDArray file format" in reason:
        reason += ": truncated, or not a parameter file"
    return reason[:300]


def load_model(path: str | os.PathLike, role: str = "params"):
    """Build the network described by a checkpoint and load its weights: (net, Checkpoint)."""
    ckpt = read_checkpoint(path)
    if role not in ckpt.files:
        raise CheckpointError(f"{ckpt.path / META}: holds no {role!r} file")
    net = build_model(ckpt.config)
    load_params(net, ckpt.path / ckpt.files[role])
    return net, ckpt


def save_checkpoint(
    path: str | os.PathLike,
    config: ModelConfig,
    vocab: Vocab,
    *,
    params=None,
    training: TrainingStats | dict | None = None,
    resume: dict | None = None,
    last_params=None,
    optimizer_state: dict | None = None,
    keep: dict[str, str] | None = None,
    word_model=None,
    extra: dict | None = None,
) -> dict[str, str]:
    """Write a checkpoint crash-safely; returns the files its meta.json names (role -> name).

    `params` / `last_params` are Gluon blocks whose weights to save as the best / latest
    weights; `optimizer_state` a dict of NDArrays (mx.nd.save). `keep` names files of the
    existing checkpoint to carry over unchanged (role -> name), e.g. the best weights when only
    the resume state changed; a kept "wordlm" keeps its meta.json entry. `word_model`: a
    `WordLM` to write as the checkpoint's word model. `training` is a `TrainingStats` (or its
    JSON); `extra`: top-level sections to keep as they are (`Checkpoint.extra`). With
    `params` the run-time weights (`model/runtime.py`) are written too, in the dtype of
    `params`; a kept "params" keeps the run-time file that goes with it. A failed write
    (OSError, e.g. a full disk) removes the files this call wrote and re-raises: the previous
    checkpoint stays as it was.
    """
    mx = require_mxnet()

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    training = training or {}
    tag = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9:09d}"
    files: dict[str, str] = dict(keep or {})
    writes = []
    runtime = None
    if params is not None:
        writes.append(("params", f"model-{tag}.params", params.save_parameters))
        runtime = _runtime_of(params, config)
        writes.append(("runtime", f"weights-{tag}.npz", lambda f: Path(f).write_bytes(runtime[0])))
    elif keep and "params" in keep and "runtime" not in keep:
        files.update(_kept_runtime(path, keep["params"]))
    if last_params is not None:
        writes.append(("last", f"last-{tag}.params", last_params.save_parameters))
    if optimizer_state is not None:
        writes.append(("optimizer", f"optim-{tag}.nd", lambda f: mx.nd.save(f, optimizer_state)))
    if word_model is not None:
        data = word_model.to_bytes()
        writes.append(("wordlm", f"wordlm-{tag}.npz", lambda f: Path(f).write_bytes(data)))
    mode = default_file_mode()
    written: list[Path] = []
    try:
        for role, name, writer in writes:
            atomic_write(path / name, writer, mode)
            written.append(path / name)
            files[role] = name
        if "params" not in files:
            raise ValueError("a checkpoint needs best weights: pass params= or keep={'params': …}")
        previous = _named_files(path)
        word_entry = (
            word_model.meta_entry(files["wordlm"])
            if word_model is not None
            else _kept_entry(path, "word_model", files.get("wordlm"))
        )
        runtime_entry = (
            runtime_meta(files["runtime"], runtime[1])
            if runtime is not None
            else _kept_entry(path, "runtime", files.get("runtime"))
        )
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "model": config.to_json(),
            "vocab": vocab.to_json(),
            "files": files,
            "sha256": {name: file_sha256(path / name) for name in files.values()},
            "training": to_json(training)
            if isinstance(training, TrainingStats)
            else training or {},
            "resume": resume or {},
            **({"word_model": word_entry} if word_entry else {}),
            **({"runtime": runtime_entry} if runtime_entry else {}),
            **(extra or {}),
        }
        data = json.dumps(meta, indent=1, ensure_ascii=False).encode("utf-8")
        atomic_write_bytes(path / META, data, mode)
    except BaseException:
        # a failed save (a full disk, an interrupt) leaves the previous checkpoint as it was:
        # the files this call wrote are named by no meta.json, so they go
        for file in written:
            with contextlib.suppress(OSError):
                file.unlink()
        raise
    # only now is it safe to remove what the new meta.json no longer names: files the previous
    # meta.json named (ghostpen wrote them) and ghostpen's own temporary files, nothing else
    referenced = set(files.values()) | {META}
    with contextlib.suppress(OSError):
        for name in previous - referenced:
            (path / name).unlink(missing_ok=True)
        for entry in path.iterdir():
            if _OWN_TEMP.match(entry.name) and entry.is_file():
                entry.unlink(missing_ok=True)
        fsync_dir(path)
    return files


def _kept_entry(path: Path, key: str, name: str | None) -> dict:
    """The current meta.json's `key` entry ("word_model", "runtime") when it describes the
    kept file `name`."""
    if name is None:
        return {}
    try:
        entry = load_json(read_meta(path / META)).get(key, {})
    except (OSError, MetaError, AttributeError):
        return {}
    return entry if isinstance(entry, dict) and entry.get("file") == name else {}


def _kept_runtime(path: Path, params_name: str) -> dict[str, str]:
    """{"runtime": name} when the current meta.json's run-time file goes with `params_name`."""
    try:
        files = load_json(read_meta(path / META))["files"]
        if files.get("params") == params_name and isinstance(files.get("runtime"), str):
            return {"runtime": plain_file_name(files["runtime"], "files.runtime")}
    except (OSError, MetaError, KeyError, AttributeError, TypeError):
        pass
    return {}


def runtime_meta(name: str, dtype: str) -> dict:
    return runtime_entry(name, dtype)


def _runtime_of(net, config: ModelConfig) -> tuple[bytes, str]:
    """The run-time weights file of a Gluon net (its bytes, dtype): float16 if the net is."""
    params = net.collect_params().values()
    dtype = "float16" if any(np.dtype(p.dtype) == np.float16 for p in params) else "float32"
    return runtime_bytes(get(config.arch).weights(net), dtype), dtype


def attach_runtime(path: str | os.PathLike, data: bytes, dtype: str) -> str:
    """Add the run-time weights file (`data`, an .npz of `dtype`) to the checkpoint at `path`,
    keeping everything else (an older checkpoint's conversion); returns the file's name."""
    return _attach(path, "runtime", "weights", data, runtime_meta, dtype)


def attach_word_model(path: str | os.PathLike, word_model) -> str:
    """Add (or replace) the word model of the checkpoint at `path`, keeping everything else:
    the new file is written under a new name, meta.json is replaced atomically, then the old
    word model file goes. Returns the new file's name; CheckpointError for a bad checkpoint."""
    return _attach(path, "wordlm", "wordlm", word_model.to_bytes(), word_model.meta_entry)


def _attach(path, role: str, stem: str, data: bytes, entry, *entry_args) -> str:
    """Write `data` as a new `stem-<tag>.npz`, name it as `role` in meta.json (replaced
    atomically, with the `entry(name, *entry_args)` block), then remove the old file."""
    key = {"wordlm": "word_model", "runtime": "runtime"}[role]
    path = Path(path)
    read_checkpoint(path)  # a checkpoint that loads
    meta = load_json(read_meta(path / META))
    tag = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9:09d}"
    name, old = f"{stem}-{tag}.npz", meta["files"].get(role)
    mode = default_file_mode()
    atomic_write_bytes(path / name, data, mode)
    try:
        meta["files"][role] = name
        hashes = {k: v for k, v in meta.get("sha256", {}).items() if k != old}
        meta["sha256"] = {**hashes, name: file_sha256(path / name)}
        meta[key] = entry(name, *entry_args)
        data = json.dumps(meta, indent=1, ensure_ascii=False).encode("utf-8")
        atomic_write_bytes(path / META, data, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            (path / name).unlink()
        raise
    if old and old != name:
        with contextlib.suppress(OSError):
            (path / old).unlink()
    return name
