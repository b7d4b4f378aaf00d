"""The models a user has: bundled ones (assets/models/*) and their own (the user models folder).

User models live in `platformdirs.user_data_dir("ghostpen")/models/NAME/` (on Linux
~/.local/share/ghostpen/models; `GHOSTPEN_MODELS_DIR` overrides it, e.g. for tests). A model is
named by its folder. Wherever a command takes `--model SPEC` (and `ghostpen train --from`),
`resolve_model(SPEC)` turns it into a checkpoint folder:

1. an existing folder (absolute, or relative to the current directory) is used as it is;
2. otherwise a user model of that name, then a bundled model of that name ("default");
3. otherwise `ModelNotFound`, naming the models there are.

`output_path(NAME)`: where `ghostpen train --from … --out NAME` writes: a NAME without a
slash is a folder in the user models folder, anything else a path. `list_models()` feeds
`ghostpen models` and the editor's Model menu; `rename_model` / `delete_model` act on user
models only (the bundled ones are part of the installation, `is_bundled`) and hold the model
folder's lock (`model/folderlock.py`) while they do: a model a training is writing is refused
with `ModelInUse`, naming the training's process.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from ghostpen.model.checkpoint import FORMAT, bundled_models_dir
from ghostpen.model.folderlock import FolderBusy, take_folder
from ghostpen.model.metaschema import checkpoint_format
from ghostpen.model.modelinfo import ModelInfo, model_info

DEFAULT_NAME = "default"
_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,100}$")


class ModelNotFound(ValueError):
    """A --model / --from value that names no checkpoint (the message lists the models)."""


def user_models_dir() -> Path:
    """The folder holding the user's own models (not created here)."""
    override = os.environ.get("GHOSTPEN_MODELS_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("ghostpen")) / "models"


def _is_model(path: Path) -> bool:
    """A text model's checkpoint folder (not, e.g., the avatar generator's)."""
    return checkpoint_format(path) == FORMAT


def _names(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and _is_model(p))
    except OSError:
        return []


def is_plain_name(spec: str) -> bool:
    """A model name (no folder separators, not '.' or '..')."""
    return bool(_NAME.match(spec)) and spec not in (".", "..") and not spec.startswith("~")


def resolve_model(spec: str | os.PathLike | None) -> Path:
    """The checkpoint folder a --model value means (None: the bundled default model)."""
    if spec is None:
        return bundled_models_dir() / DEFAULT_NAME
    text = os.path.expanduser(os.fspath(spec))
    path = Path(text)
    if path.is_dir():
        return path.resolve()
    if is_plain_name(text):
        for folder in (user_models_dir(), bundled_models_dir()):
            if _is_model(folder / text):
                return folder / text
        for folder in (user_models_dir(), bundled_models_dir()):  # a broken model of that name:
            if os.path.lexists(folder / text / "meta.json"):  # its reader says what is wrong
                return folder / text
    known = ", ".join(sorted(set(_names(user_models_dir()) + _names(bundled_models_dir()))))
    raise ModelNotFound(
        f"{spec}: no such model or checkpoint folder (models: {known or 'none'}; "
        "`ghostpen models` lists them)"
    )


def output_path(spec: str) -> Path:
    """Where a fine-tune's --out goes: a plain NAME -> the user models folder, else a path."""
    if is_plain_name(spec) and not Path(spec).is_dir():
        return user_models_dir() / spec
    return Path(os.path.expanduser(spec))


def list_models() -> list[ModelInfo]:
    """Bundled models first, then the user's, each sorted by name."""
    out = [model_info(bundled_models_dir() / n, "bundled") for n in _names(bundled_models_dir())]
    out += [model_info(user_models_dir() / n, "user") for n in _names(user_models_dir())]
    return out


def _user_model(name: str) -> Path:
    path = user_models_dir() / name
    if not is_plain_name(name) or not _is_model(path):
        raise ModelNotFound(f"{name}: no such user model in {user_models_dir()}")
    return path


def is_bundled(path: str | os.PathLike) -> bool:
    """A folder of the installation's bundled models (never written: `wordlm build` refuses)."""
    try:
        return Path(path).resolve().is_relative_to(bundled_models_dir().resolve())
    except OSError:
        return False


class ModelInUse(ValueError):
    """A user model that a training (or another ghostpen command) is writing right now."""


def _held(path: Path, doing: str):
    """The model folder's lock (`model/folderlock.py`), or ModelInUse naming its holder."""
    try:
        return take_folder(path)
    except FolderBusy as exc:
        raise ModelInUse(
            f"{path.name} cannot be {doing}: a training is writing it ({exc.holder}); stop the "
            "training or wait for it to finish"
        ) from None


def rename_model(name: str, new_name: str) -> Path:
    """Rename a user model's folder; ValueError for a bad or taken name, ModelInUse while a
    training writes it (its lock is held during the rename)."""
    path = _user_model(name)
    if not is_plain_name(new_name):
        raise ValueError(f"{new_name!r}: a model name may not contain / or \\")
    target = user_models_dir() / new_name
    if target.exists() or new_name == DEFAULT_NAME:
        raise ValueError(f"{new_name}: a model of that name exists already")
    lock = _held(path, "renamed")
    try:
        path.rename(target)
    finally:
        lock.close()
    return target


def delete_model(name: str) -> None:
    """Delete a user model's folder (only ghostpen checkpoints: a folder with meta.json);
    ModelInUse while a training writes it. Under the lock the folder is first moved aside, so
    a training that starts meanwhile finds no half-deleted model under the name."""
    path = _user_model(name)
    lock = _held(path, "deleted")
    try:
        doomed = path.with_name(f".deleting-{path.name}-{os.getpid()}")
        try:
            path.rename(doomed)
        except OSError:
            doomed = path
        shutil.rmtree(doomed)
    finally:
        lock.close()
