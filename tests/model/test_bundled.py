"""The model shipped in assets/: found through importlib.resources, small, and good enough."""

import json

from ghostpen.cli import main
from ghostpen.model.checkpoint import default_model_path, read_checkpoint

from ..conftest import shared_file


def test_bundled_model_is_a_complete_small_checkpoint():
    path = default_model_path()
    ckpt = read_checkpoint(path)  # checks every file's sha256
    assert ckpt.config.arch == "lstm" and len(ckpt.vocab) == ckpt.config.vocab_size
    # float16 twice: the .params (fine-tuning) and the run-time .npz (decoding), ~6.4 MB each
    assert sum(f.stat().st_size for f in path.iterdir()) < 16 * 2**20
    assert set(ckpt.files) - {"wordlm"} == {"params", "runtime"}  # no resume state shipped
    assert ckpt.runtime == {"file": ckpt.files["runtime"], "dtype": "float16"}
    assert ckpt.training["best_val_bpc"] <= 1.75
    assert ckpt.word_model["order"] == 4  # the word n-gram model ships inside
    assert ckpt.training["corpus"]["sha256"]


def test_bundled_model_bpc_on_the_nietzsche_tail(capsys):
    text = shared_file("nietzsche.txt")
    assert main(["eval", "bpc", "--text", str(text), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["chars"] == 60_090
    assert result["bpc"] <= 1.75
