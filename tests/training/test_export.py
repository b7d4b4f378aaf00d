"""Exporting a training checkpoint: best weights only, float16 on request, same predictions."""

import numpy as np
import pytest

from ghostpen.model.checkpoint import read_checkpoint
from ghostpen.model.fast import FastModel
from ghostpen.training.export import main


@pytest.fixture
def trained(tmp_path, fixtures_dir):
    from ghostpen.model.config import ModelConfig
    from ghostpen.training.config import TrainConfig
    from ghostpen.training.loop import train

    train(
        ModelConfig(num_embed=4, num_hidden=8, num_layers=1, dropout=0.0),
        TrainConfig(epochs=1, seq_len=20, batch_size=4, valid_fraction=0.2),
        (fixtures_dir / "tiny.txt").read_text(),
        tmp_path / "run",
    )
    return tmp_path / "run"


def _logits(path) -> np.ndarray:
    model = FastModel.from_checkpoint(path)
    logits, _ = model.feed(model.vocab.ids("the "), model.begin_state(1))
    return logits


@pytest.mark.parametrize("half", [False, True])
def test_export_keeps_best_weights_only(tmp_path, trained, half):
    dst = tmp_path / "shipped"
    assert main([str(trained), str(dst), "--name", "old"]) == 0
    stale = read_checkpoint(dst).files["params"]
    (dst / "notes.txt").write_bytes(b"mine")  # not ghostpen's: kept
    assert main([str(trained), str(dst), "--name", "demo", *(["--half"] if half else [])]) == 0
    ckpt = read_checkpoint(dst)
    assert set(ckpt.files) == {"params", "runtime", "wordlm"}  # the word model kept
    assert not ckpt.resume
    assert not (dst / stale).exists()  # the destination checkpoint is replaced
    assert (dst / "notes.txt").read_bytes() == b"mine"
    assert ckpt.training["name"] == "demo"
    assert ckpt.training["stored_dtype"] == ("float16" if half else "float32")
    source = read_checkpoint(trained)
    assert ckpt.config == source.config and ckpt.vocab == source.vocab
    size = (dst / ckpt.files["params"]).stat().st_size
    full = (trained / source.files["params"]).stat().st_size
    assert (size < 0.75 * full) if half else (size == full)
    np.testing.assert_allclose(_logits(dst), _logits(trained), atol=1e-2 if half else 1e-6)


def test_export_of_a_missing_checkpoint_says_so(tmp_path, capsys):
    assert main([str(tmp_path / "nothing"), str(tmp_path / "out")]) == 2
    assert "export:" in capsys.readouterr().err


def test_export_never_empties_someone_elses_folder(tmp_path, trained, capsys):
    dst = tmp_path / "theirs"
    dst.mkdir()
    (dst / "stale.params").write_bytes(b"old")
    assert main([str(trained), str(dst)]) == 2
    assert "not a ghostpen checkpoint" in capsys.readouterr().err
    assert (dst / "stale.params").read_bytes() == b"old"


def test_export_keeps_every_field_of_meta_json_it_does_not_know(tmp_path, trained):
    """A newer ghostpen's fields (top-level, in training, in a section) survive an export."""
    import json

    meta = json.loads((trained / "meta.json").read_text())
    meta["provenance"] = {"licence": "CC0", "by": ["someone"]}
    meta["training"]["future_stat"] = 7
    meta["training"]["corpus"] = {**meta["training"]["corpus"], "language": "en"}
    (trained / "meta.json").write_text(json.dumps(meta))
    dst = tmp_path / "shipped"
    assert main([str(trained), str(dst), "--name", "demo"]) == 0
    shipped = json.loads((dst / "meta.json").read_text())
    assert shipped["provenance"] == {"licence": "CC0", "by": ["someone"]}
    assert shipped["training"]["future_stat"] == 7
    assert shipped["training"]["corpus"]["language"] == "en"
    assert read_checkpoint(dst).extra == {"provenance": {"licence": "CC0", "by": ["someone"]}}


def test_export_is_a_ghostpen_sub_command(tmp_path, trained, capsys):
    from ghostpen.cli import main as ghostpen

    assert ghostpen(["export", str(trained), str(tmp_path / "out"), "--name", "cmd"]) == 0
    assert read_checkpoint(tmp_path / "out").training["name"] == "cmd"
    assert ghostpen(["export", str(tmp_path / "nothing"), str(tmp_path / "x")]) == 2
    assert "export:" in capsys.readouterr().err
