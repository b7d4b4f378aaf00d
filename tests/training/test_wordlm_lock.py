"""`ghostpen wordlm build` takes the model folder's lock and never writes a bundled model."""

import json
import shutil

from ghostpen.cli import main
from ghostpen.model import library
from ghostpen.model.checkpoint import read_checkpoint
from ghostpen.model.folderlock import LOCK_NAME
from ghostpen.training.outdir import claim_output

from ..conftest import FIXTURES


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != LOCK_NAME}


def test_build_is_refused_while_a_training_holds_the_folder(tiny_model, tmp_path, capsys):
    model = shutil.copytree(tiny_model, tmp_path / "m")
    before = _files(model)
    with claim_output(model, resume=True):
        rc = main(
            ["wordlm", "build", "--model", str(model), "--corpus", str(FIXTURES / "tiny.txt")]
        )
    assert rc == 1 and "in use by another ghostpen process" in capsys.readouterr().err
    assert _files(model) == before


def test_the_bundled_model_is_never_written(models_dir, capsys):
    bundled = library.resolve_model("default")
    before = _files(bundled)
    corpus = str(FIXTURES / "tiny.txt")
    assert main(["wordlm", "build", "--model", "default", "--corpus", corpus]) == 2
    assert "bundled model and is never changed; pass --out NAME" in capsys.readouterr().err
    assert main(["wordlm", "build", "--model", "default", "--corpus", corpus, "--out", "mine"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert _files(bundled) == before and not (bundled / LOCK_NAME).exists()
    copy = read_checkpoint(models_dir / "mine")  # loads; the word model is the new one
    assert copy.files["wordlm"] == made["file"]
    assert copy.files["params"] == read_checkpoint(bundled).files["params"]
    assert main(["wordlm", "build", "--model", "default", "--corpus", corpus, "--out", "mine"]) == 2
    assert "already holds a model" in capsys.readouterr().err
