"""The run-time weights of a text model: what `FastModel` decodes with, as a plain `.npz`.

    CHECKPOINT/weights-<tag>.npz   one array per name of the architecture's `weights(net)`
                                   ("emb", "l0_i2h_weight", …, "dec_b"), float16 or float32

Every checkpoint save and every export writes it beside the `.params` (which training keeps
for --resume and fine-tuning); meta.json names it (`files.runtime`, and "runtime" with its
dtype). Reading it needs numpy only, never MXNet and never pickle: each array's header is
checked against the architecture's `shapes(config)` and the allowed dtypes before its data is
read, so a wrong, truncated, oversized or pickled file is refused with the file's name.

A checkpoint written before this format has no such file: with MXNet present it is converted
once (the file is added to the checkpoint, everything else kept); without MXNet the error says
which model it is and how to convert it.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import numpy as np

from ghostpen.model.archs import get
from ghostpen.model.checkpoint import CheckpointError
from ghostpen.model.config import ModelConfig

ROLE = "runtime"  # its role in meta.json's "files"
DTYPES = ("float16", "float32")  # what may be stored; decoding is always float32
log = logging.getLogger(__name__)


class RuntimeWeightsError(CheckpointError):
    """The run-time weights cannot be used; the message names the file (or the model)."""


def to_bytes(arrays: dict[str, np.ndarray], dtype: str = "float32") -> bytes:
    """The `.npz` (uncompressed, no pickle) of `arrays` stored as `dtype`."""
    if dtype not in DTYPES:
        raise ValueError(f"run-time weights are stored as {' or '.join(DTYPES)}, not {dtype}")
    buffer = io.BytesIO()
    np.savez(buffer, **{k: np.ascontiguousarray(v, dtype=dtype) for k, v in arrays.items()})
    return buffer.getvalue()


def meta_entry(name: str, dtype: str) -> dict:
    """meta.json's "runtime" entry for the file `name`."""
    return {"file": name, "dtype": dtype}


def read(file: Path, config: ModelConfig) -> dict[str, np.ndarray]:
    """The arrays of `file` as float32, checked against `config`'s architecture."""
    expected = get(config.arch).shapes(config)
    limit = sum(4 * int(np.prod(s)) + 4096 for s in expected.values()) + 65536
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise RuntimeWeightsError(f"{file}: cannot read ({exc.strerror or exc})") from None
    if size > limit:
        raise RuntimeWeightsError(f"{file}: too large ({size:,} bytes) for this model's weights")
    try:
        loaded = np.load(file, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise RuntimeWeightsError(f"{file}: not an .npz of weights (a single array)")
        with loaded as npz:
            return _arrays(npz, expected, file)
    except RuntimeWeightsError:
        raise
    except zipfile.BadZipFile:
        raise RuntimeWeightsError(f"{file}: truncated, or not an .npz of weights") from None
    except (OSError, ValueError, EOFError, KeyError) as exc:
        why = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        if "pickle" in why:
            why = "it holds pickled data, which ghostpen never loads"
        raise RuntimeWeightsError(f"{file}: not a valid weights file ({why})") from None


def _arrays(npz, expected: dict[str, tuple], file: Path) -> dict[str, np.ndarray]:
    names = set(npz.files)
    if names != set(expected):
        missing, extra = sorted(set(expected) - names), sorted(names - set(expected))
        what = f"lacks {missing[:3]}" if missing else f"has unexpected arrays {extra[:3]}"
        raise RuntimeWeightsError(f"{file}: {what}; it does not belong to this model")
    out = {}
    for name, shape in expected.items():
        _check_header(npz, name, shape, file)  # before any data is read
        value = npz[name]
        if value.shape != shape:  # the header said so, but the data is what counts
            raise RuntimeWeightsError(f"{file}: {name} has shape {value.shape}, not {shape}")
        out[name] = value.astype(np.float32)
    return out


def _check_header(npz, name: str, shape: tuple, file: Path) -> None:
    """The .npy header of `name`: the expected shape and an allowed dtype (else refused)."""
    with npz.zip.open(f"{name}.npy") as fh:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            got, _, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            got, _, dtype = np.lib.format.read_array_header_2_0(fh)
    if dtype.hasobject:
        why = "holds pickled objects, which ghostpen never loads"
        raise RuntimeWeightsError(f"{file}: {name} {why}")
    if dtype.name not in DTYPES:
        raise RuntimeWeightsError(f"{file}: {name} is {dtype}, not {' or '.join(DTYPES)}")
    if tuple(got) != tuple(shape):
        raise RuntimeWeightsError(f"{file}: {name} has shape {tuple(got)}, not {shape}")


def load_weights(ckpt) -> dict[str, np.ndarray]:
    """The decoding weights of a checkpoint (a `Checkpoint`): its run-time file, or an older
    checkpoint converted with MXNet; RuntimeWeightsError (one line) when neither works."""
    from ghostpen.mxcompat import MXNetMissing

    if ROLE in ckpt.files:
        return read(ckpt.path / ckpt.files[ROLE], ckpt.config)
    try:
        return convert(ckpt)
    except MXNetMissing:
        raise RuntimeWeightsError(missing_message(ckpt.name, ckpt.path)) from None


def missing_message(name: str, path: Path) -> str:
    """One line: the model has no run-time weights and MXNet is not here to convert it."""
    from ghostpen.mxcompat import TRAINING_PYTHONS

    return (
        f"model {name!r} ({path}) was saved by an older ghostpen and has no run-time weights "
        f"(weights-*.npz); open it once with ghostpen on {TRAINING_PYTHONS} with MXNet "
        f"installed to convert it (e.g. `ghostpen sample --model {path}`)"
    )


def convert(ckpt) -> dict[str, np.ndarray]:
    """Weights of an older checkpoint, read with MXNet; written into it as the run-time file
    when the folder is writable (once), else used from memory. MXNetMissing when no MXNet."""
    from ghostpen.model.archs import build_model
    from ghostpen.model.checkpoint import attach_runtime, load_params
    from ghostpen.model.folderlock import hold_folder
    from ghostpen.model.library import is_bundled
    from ghostpen.mxcompat import require_mxnet

    require_mxnet()
    net = build_model(ckpt.config)
    load_params(net, ckpt.path / ckpt.files["params"])
    arrays = get(ckpt.config.arch).weights(net)
    dtype = "float16" if ckpt.stats.stored_dtype == "float16" else "float32"
    try:
        if is_bundled(ckpt.path):  # bundled models are never written
            raise PermissionError(f"{ckpt.path} is a bundled model")
        with hold_folder(ckpt.path):  # no training or wordlm build writes it meanwhile
            attach_runtime(ckpt.path, to_bytes(arrays, dtype), dtype)
    except OSError as exc:  # read-only, busy or bundled: decode from memory, convert next time
        log.info("could not add run-time weights to %s: %s", ckpt.path, exc)
    return {k: np.asarray(v, dtype=dtype).astype(np.float32) for k, v in arrays.items()}
