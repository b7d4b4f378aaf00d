"""meta.json is read through the guarded reader: a FIFO, a device or a giant file is a
message, never a hang or an unbounded read; a vocabulary with a surrogate half is refused."""

import json
import os
import re
import shutil

import pytest

from ghostpen.cli import main
from ghostpen.model import library
from ghostpen.model.checkpoint import CheckpointError, read_checkpoint
from ghostpen.model.metaschema import checkpoint_format


def _broken(models_dir, name, make):
    (models_dir / name).mkdir(parents=True)
    make(models_dir / name / "meta.json")
    return models_dir / name


def _huge(path):
    with open(path, "wb") as fh:
        fh.truncate(70 * 2**20)


@pytest.mark.parametrize(
    "make,said",
    [
        (os.mkfifo, "not a regular file (a FIFO)"),
        (lambda p: p.symlink_to("/dev/zero"), "not a regular file (a character device)"),
        (_huge, "too large (70 MB"),
    ],
)
def test_odd_meta_files_are_named_not_read(models_dir, tiny_model, capsys, make, said):
    shutil.copytree(tiny_model, models_dir / "good")
    path = _broken(models_dir, "odd", make)
    assert checkpoint_format(path) is None
    assert [m.name for m in library.list_models() if m.kind == "user"] == ["good"]
    with pytest.raises(CheckpointError, match=re.escape(said)):
        read_checkpoint(path)
    assert main(["sample", "--model", "odd", "--length", "5"]) == 2  # the name finds it
    assert said in capsys.readouterr().err


def test_a_surrogate_half_in_the_vocabulary_is_refused(tiny_model, tmp_path):
    ckpt = shutil.copytree(tiny_model, tmp_path / "m")
    meta = json.loads((ckpt / "meta.json").read_text(encoding="utf-8"))
    meta["vocab"][2] = "\ud800"
    (ckpt / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(CheckpointError, match="U\\+D800"):
        read_checkpoint(ckpt)


def test_a_params_file_that_is_a_fifo_is_named(tiny_model, tmp_path):
    ckpt = shutil.copytree(tiny_model, tmp_path / "m")
    name = read_checkpoint(ckpt).files["params"]
    (ckpt / name).unlink()
    os.mkfifo(ckpt / name)
    with pytest.raises(CheckpointError, match="not a regular file"):
        read_checkpoint(ckpt)
