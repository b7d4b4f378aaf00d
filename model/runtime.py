"""The run-time weights of a text model: what `FastModel` decodes with, as a plain `.npz`.

    CHECKPOINT/weights-<tag>.npz   one array per name of the architecture's `weights(net)`
                                   ("emb", "l0_i2h_weight", …, "dec_b"), float16 or float32

Every checkpoint save and every export writes it beside the `.params` (which training keeps
for --resume and fine-tuning); meta.json names it (`files.runtime`, and "runtime" with its
dtype). Reading it needs numpy only, never MXNet and never pickle: each array's header is
checked against the architecture's `shapes(config)` and the allowed dtypes before its data is
read, so a wrong, truncated, oversized or pickled file is refused with the file's name.

A checkpoint written before this format has no such file: `model/weights.py` converts it once
with MXNet (the file is added to the checkpoint, everything else kept); without MXNet the error
says which model it is and how to convert it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ghostpen.model.archs import get
from ghostpen.model.meta import RuntimeEntry, to_json
from ghostpen.model.metaschema import CheckpointError

if TYPE_CHECKING:
    from ghostpen.model.config import ModelConfig

ROLE = "runtime"  # its role in meta.json's "files"
DTYPES = ("float16", "float32")  # what may be stored; decoding is always float32


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
    return to_json(RuntimeEntry(file=name, dtype=dtype))


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
