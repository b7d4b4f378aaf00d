"""The decoding weights of a checkpoint: `load_weights(ckpt)`, what `FastModel` decodes with.

A checkpoint's run-time weights file (`model/runtime.py`) is read with numpy alone. A checkpoint
written before that format has none: with MXNet present it is converted once (`convert`: the
file is added to the checkpoint, everything else kept; a read-only, busy or bundled folder is
decoded from memory and converted next time); without MXNet the error says which model it is
and how to convert it (`missing_message`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ghostpen.model import checkpoint, runtime
from ghostpen.model.archs import build_model, get
from ghostpen.model.folderlock import hold_folder
from ghostpen.model.library import is_bundled
from ghostpen.model.runtime import ROLE, RuntimeWeightsError, to_bytes
from ghostpen.mxcompat import TRAINING_PYTHONS, MXNetMissing, require_mxnet

log = logging.getLogger(__name__)


def load_weights(ckpt) -> dict[str, np.ndarray]:
    """The decoding weights of a checkpoint (a `Checkpoint`): its run-time file, or an older
    checkpoint converted with MXNet; RuntimeWeightsError (one line) when neither works."""
    if ROLE in ckpt.files:
        return runtime.read(ckpt.path / ckpt.files[ROLE], ckpt.config)
    try:
        return convert(ckpt)
    except MXNetMissing:
        raise RuntimeWeightsError(missing_message(ckpt.name, ckpt.path)) from None


def missing_message(name: str, path: Path) -> str:
    """One line: the model has no run-time weights and MXNet is not here to convert it."""
    return (
        f"model {name!r} ({path}) was saved by an older ghostpen and has no run-time weights "
        f"(weights-*.npz); open it once with ghostpen on {TRAINING_PYTHONS} with MXNet "
        f"installed to convert it (e.g. `ghostpen sample --model {path}`)"
    )


def convert(ckpt) -> dict[str, np.ndarray]:
    """Weights of an older checkpoint, read with MXNet; written into it as the run-time file
    when the folder is writable (once), else used from memory. MXNetMissing when no MXNet."""
    require_mxnet()
    net = build_model(ckpt.config)
    checkpoint.load_params(net, ckpt.path / ckpt.files["params"])
    arrays = get(ckpt.config.arch).weights(net)
    dtype = "float16" if ckpt.stats.stored_dtype == "float16" else "float32"
    try:
        if is_bundled(ckpt.path):  # bundled models are never written
            raise PermissionError(f"{ckpt.path} is a bundled model")
        with hold_folder(ckpt.path):  # no training or wordlm build writes it meanwhile
            checkpoint.attach_runtime(ckpt.path, to_bytes(arrays, dtype), dtype)
    except OSError as exc:  # read-only, busy or bundled: decode from memory, convert next time
        log.info("could not add run-time weights to %s: %s", ckpt.path, exc)
    return {k: np.asarray(v, dtype=dtype).astype(np.float32) for k, v in arrays.items()}
