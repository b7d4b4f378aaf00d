"""The word model in checkpoints: `ghostpen train` writes it, `ghostpen wordlm build` adds it."""

import json
import shutil

import pytest

from ghostpen.cli import main
from ghostpen.model.checkpoint import CheckpointError, load_model, read_checkpoint
from ghostpen.model.metaschema import MetaError
from ghostpen.model.wordlm import WordLM, WordLMError, load_word_model
from ghostpen.training.config import TrainConfig
from ghostpen.training.export import export_checkpoint
from ghostpen.training.loop import train

from ..conftest import FIXTURES
from ..model.test_metaschema import parse

TINY = dict(num_embed=8, num_hidden=24, num_layers=1, dropout=0.0)
FAST = dict(seq_len=20, batch_size=4, lr=1e-2, valid_fraction=0.2)
TAIL = " Xylophonic zebras quibble."  # only in the validation tail


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from ghostpen.model.config import ModelConfig

    text = (FIXTURES / "tiny.txt").read_text() * 3 + TAIL
    out = tmp_path_factory.mktemp("wl") / "ck"
    train(ModelConfig(**TINY), TrainConfig(epochs=1, **FAST), text, out)
    return out


def test_train_writes_the_word_model_of_the_training_split_into_the_checkpoint(trained):
    ckpt = read_checkpoint(trained)  # checks the sha256 of every file, the word model's too
    name = ckpt.files["wordlm"]
    assert ckpt.word_model["file"] == name and ckpt.word_model["order"] == 4
    assert (
        ckpt.word_model["tokens"] > 500
        and name in json.loads((trained / "meta.json").read_text())["sha256"]
    )
    lm = load_word_model(trained)
    assert lm.token_id("Mouse") > 2 and lm.token_id("Xylophonic") == 0  # the tail: unseen
    assert lm.header["tokens"] == ckpt.word_model["tokens"]


def test_resume_keeps_the_word_model_and_export_carries_it(trained, tmp_path):
    first = read_checkpoint(trained).files["wordlm"]
    text = (FIXTURES / "tiny.txt").read_text() * 3 + TAIL
    train(None, TrainConfig(epochs=2, **FAST), text, trained, resume=True)
    assert read_checkpoint(trained).files["wordlm"] == first and (trained / first).exists()
    export_checkpoint(trained, tmp_path / "shipped", half=True)
    shipped = read_checkpoint(tmp_path / "shipped")
    assert set(shipped.files) == {"params", "runtime", "wordlm"}
    assert shipped.word_model["order"] == 4
    assert load_word_model(tmp_path / "shipped").words == load_word_model(trained).words


def test_a_checkpoint_without_a_word_model_still_loads(tiny_model):
    net, ckpt = load_model(tiny_model)
    assert "wordlm" not in ckpt.files and ckpt.word_model == {}
    assert load_word_model(tiny_model) is None


def test_build_adds_one_without_the_test_tail_and_replaces_the_last(tiny_model, tmp_path, capsys):
    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the town mouse ran home. " * 40 + "the tail word Quetzal.")
    assert main(["wordlm", "build", "--model", str(model), "--corpus", str(corpus)]) == 0
    out = json.loads(capsys.readouterr().out)
    first = read_checkpoint(model).files["wordlm"]
    assert out["file"].endswith(first) and out["order"] == 4
    lm = load_word_model(model)
    assert lm.token_id("mouse") > 2 and lm.token_id("Quetzal") == 0  # the last 10%: left out
    load_model(model)  # the char model still loads
    assert main(["wordlm", "build", "--model", str(model), "--corpus", str(corpus),
                 "--tail-fraction", "0", "--order", "2"]) == 0  # fmt: skip
    ckpt = read_checkpoint(model)
    assert ckpt.word_model["order"] == 2 and not (model / first).exists()
    assert load_word_model(model).token_id("Quetzal") > 2
    capsys.readouterr()
    assert main(["wordlm", "info", "--model", str(model)]) == 0
    assert json.loads(capsys.readouterr().out)["order"] == 2


def test_build_refuses_bad_input_with_a_message(tiny_model, tmp_path, capsys):
    assert main(["wordlm", "build", "--model", str(tmp_path), "--corpus", "x"]) == 2
    assert "meta.json: missing" in capsys.readouterr().err
    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    assert main(["wordlm", "build", "--model", str(model), "--corpus", str(tmp_path / "no")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert read_checkpoint(model).files.keys() == {"params", "runtime"}  # nothing changed


def test_a_word_model_entry_that_names_another_file_is_refused(trained, tmp_path):
    meta = json.loads((trained / "meta.json").read_text())
    meta["word_model"]["file"] = "other.npz"
    with pytest.raises(MetaError, match="files.wordlm"):
        parse(meta)
    meta["word_model"] = {"file": meta["files"]["wordlm"], "order": 9, "tokens": 1}
    with pytest.raises(MetaError, match="order"):
        parse(meta)
    copy = tmp_path / "c"
    shutil.copytree(trained, copy)
    (copy / meta["files"]["wordlm"]).write_bytes(b"not a word model")
    with pytest.raises(CheckpointError, match="sha256"):
        load_word_model(copy)
    with pytest.raises(WordLMError, match="cannot read the word model"):
        WordLM.load(copy / meta["files"]["wordlm"])
