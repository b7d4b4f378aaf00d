"""The schema of a checkpoint's meta.json, checked before any value is used.

`parse_meta(raw)` turns the bytes of meta.json into a dict whose every key the loader reads has
the right type, or raises `MetaError` with one sentence saying which key is wrong. It is safe on
hostile input: deep nesting, non-dict JSON, wrong types, file names that leave the checkpoint
folder (`../x.params`, `/etc/passwd`, `sub/x`) and huge numbers all become messages.

Files it names ("files"): "params" (required, the Gluon weights), "runtime" (the decoding
weights, `model/runtime.py`; its "runtime" entry gives the dtype), "last" and "optimizer"
(resume state), "wordlm" (the word model; its "word_model" entry).
"""

from __future__ import annotations

import math
import re
from dataclasses import MISSING, fields

from ghostpen.smallfile import parse_json, read_small

MAX_META_BYTES = 64 * 1024 * 1024  # a real meta.json is a few KB; refuse to parse giants
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class CheckpointError(Exception):
    """A checkpoint that cannot be loaded; the message names the file at fault (the one error
    class of checkpoints, re-exported by `model/checkpoint.py`)."""


class MetaError(ValueError):
    """meta.json does not follow the schema; the message names the key."""


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _require(value: object, kind: type | tuple, key: str) -> None:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise MetaError(f"{key} must be {_names(kinds)}, not a boolean")
    if not isinstance(value, kinds):
        raise MetaError(f"{key} must be {_names(kinds)}, not {_type_name(value)}")


def _names(kinds: tuple) -> str:
    words = {int: "an integer", float: "a number", str: "a string", dict: "an object",
             list: "a list", bool: "true or false"}  # fmt: skip
    return " or ".join(words.get(k, k.__name__) for k in kinds)


def plain_file_name(name: object, key: str) -> str:
    """A file name inside the checkpoint folder: no folders, no '..', not absolute."""
    _require(name, str, key)
    if not _PLAIN_NAME.match(name) or ".." in name:
        raise MetaError(f"{key} must be a plain file name inside the checkpoint folder: {name!r}")
    return name


def check_dataclass_fields(data: object, cls: type, key: str) -> dict:
    """`data` holds only `cls`'s fields, each of its annotated type (int, float, str, bool)."""
    _require(data, dict, key)
    kinds = {"int": (int,), "float": (float, int), "str": (str,), "bool": (bool,)}
    known = {f.name: f for f in fields(cls)}
    for name, value in data.items():
        if name not in known:
            raise MetaError(f"{key} has an unknown setting {name!r}")
        annotation = known[name].type
        kind = kinds.get(getattr(annotation, "__name__", str(annotation)))
        if kind is None:
            continue
        _require(value, kind, f"{key}.{name}")
        if isinstance(value, float) and not math.isfinite(value):
            raise MetaError(f"{key}.{name} must be a finite number")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**31:
            raise MetaError(f"{key}.{name} is out of range ({value})")
    missing = [
        n for n, f in known.items()
        if n not in data and f.default is MISSING and f.default_factory is MISSING
    ]  # fmt: skip
    if missing:
        raise MetaError(f"{key} lacks {', '.join(missing)}")
    return data


def read_meta(path) -> bytes:
    """The bytes of the meta.json at `path` through the guarded reader (`ghostpen/smallfile.py`):
    a FIFO or device is refused at once ("not a regular file (a FIFO)"), a giant file as "too
    large (70 MB; at most 64 MB)" before it is read; both are OSErrors, as a failed read is."""
    return read_small(path, MAX_META_BYTES)


def load_json(raw: bytes, what: str = "meta.json") -> object:
    if len(raw) > MAX_META_BYTES:
        raise MetaError(f"too large ({len(raw) // 2**20} MB; a checkpoint's {what} is a few KB)")
    try:
        return parse_json(raw)
    except ValueError as exc:
        raise MetaError(f"corrupt ({exc})") from None


FORMAT_PREFIX = "ghostpen-"  # every ghostpen checkpoint's meta.json "format" starts so


def checkpoint_format(folder) -> str | None:
    """The "format" of the ghostpen checkpoint in `folder` (a Path), or None when it holds
    none: no meta.json, an unreadable or hostile one, or another program's."""
    try:
        data = load_json(read_meta(folder / "meta.json"))
    except (OSError, MetaError):
        return None
    fmt = data.get("format") if isinstance(data, dict) else None
    return fmt if isinstance(fmt, str) and fmt.startswith(FORMAT_PREFIX) else None


def parse_meta(raw: bytes, fmt: str, version: int, model_cls: type) -> dict:
    """Validate the top level of meta.json; returns the dict (values not yet converted)."""
    meta = load_json(raw)
    if not isinstance(meta, dict):
        raise MetaError(f"corrupt (it must hold a JSON object, not {_type_name(meta)})")
    if meta.get("format") != fmt:
        raise MetaError(f"not a ghostpen model (format {fmt!r} expected)")
    got = meta.get("format_version")
    if isinstance(got, bool) or not isinstance(got, int):
        raise MetaError(
            f"format_version must be an integer (this ghostpen reads {version}), "
            f"not {_type_name(got)} {got!r}"
        )
    if got != version:
        newer = "a newer" if got > version else "an older"
        raise MetaError(
            f"format version {got} is not supported: this ghostpen reads version {version} "
            f"(the checkpoint was written by {newer} ghostpen)"
        )
    for key in ("model", "vocab", "files"):
        if key not in meta:
            raise MetaError(f"lacks {key!r}")
    check_dataclass_fields(meta["model"], model_cls, "model")
    vocab = meta["vocab"]
    _require(vocab, list, "vocab")
    if not all(isinstance(c, str) for c in vocab):
        raise MetaError("vocab must be a list of strings")
    files = meta["files"]
    _require(files, dict, "files")
    for role, name in files.items():
        plain_file_name(name, f"files.{role}")
    hashes = meta.get("sha256", {})
    _require(hashes, dict, "sha256")
    for name, digest in hashes.items():
        plain_file_name(name, "sha256 key")
        if not isinstance(digest, str) or not _HEX64.match(digest):
            raise MetaError(f"sha256.{name} must be 64 lowercase hex digits")
    for key in ("training", "resume"):
        _require(meta.get(key, {}), dict, key)
    if "word_model" in meta:
        _check_word_model(meta["word_model"], files)
    if "runtime" in meta:
        _check_runtime(meta["runtime"], files)
    return meta


def _check_runtime(entry: object, files: dict) -> None:
    """The optional "runtime": the decoding weights `files.runtime` names and their dtype."""
    _require(entry, dict, "runtime")
    name = plain_file_name(entry.get("file"), "runtime.file")
    if files.get("runtime") != name:
        raise MetaError(f"runtime.file {name!r} is not the file files.runtime names")
    if entry.get("dtype") not in ("float16", "float32"):
        raise MetaError(f"runtime.dtype must be float16 or float32, not {entry.get('dtype')!r}")


def _check_word_model(entry: object, files: dict) -> None:
    """The optional "word_model": the file `files.wordlm` names, its order and token count."""
    _require(entry, dict, "word_model")
    name = plain_file_name(entry.get("file"), "word_model.file")
    if files.get("wordlm") != name:
        raise MetaError(f"word_model.file {name!r} is not the file files.wordlm names")
    for key, top in (("order", 4), ("tokens", 2**62)):
        value = entry.get(key)
        _require(value, int, f"word_model.{key}")
        if not 1 <= value <= top:
            raise MetaError(f"word_model.{key} is out of range ({value})")
