"""A new architecture is its file plus its registry line: a toy one (toy_arch.py) registered
here is trained by `ghostpen train` with its own flag, exported, listed, loaded and decoded,
with no other file knowing it."""

from __future__ import annotations

import json

import mxnet as mx
import numpy as np
import pytest

from ghostpen.cli import main
from ghostpen.model.archs import REGISTRY
from ghostpen.model.checkpoint import load_model, read_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.model.fast import FastModel
from ghostpen.model.generate import generate
from ghostpen.model.modelinfo import model_info
from ghostpen.training.export import export_checkpoint

from .toy_arch import Toy


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(REGISTRY, "toy", Toy())  # the registry line


def test_a_toy_architecture_trains_exports_loads_and_decodes(toy, tmp_path, fixtures_dir):
    out, shipped = tmp_path / "run", tmp_path / "shipped"
    argv = ["train", "--arch", "toy", "--width", "6", "--embed", "5", "--dropout", "0"]
    argv += ["--corpus", str(fixtures_dir / "tiny.txt"), "--out", str(out), "--epochs", "2"]
    argv += ["--seq-len", "10", "--batch-size", "4", "--valid-fraction", "0.2"]
    assert main([*argv, "--progress", "none", "--threads", "1"]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["model"]["arch"] == "toy" and meta["model"]["options"] == {"width": 6}
    assert meta["training"]["history"]  # it validated (and so trained)

    export_checkpoint(out, shipped, half=True, name="toy")
    ckpt = read_checkpoint(shipped)
    assert ckpt.config == ModelConfig(arch="toy", vocab_size=len(ckpt.vocab), num_embed=5,
                                      dropout=0.0, options={"width": 6})  # fmt: skip
    info = model_info(shipped, "user")
    assert info.size == f"toy 6, {len(ckpt.vocab)} chars"
    assert info.params == sum(int(np.prod(s)) for s in Toy().shapes(ckpt.config).values())

    fast = FastModel.from_checkpoint(shipped)  # the run-time weights, no MXNet
    net, _ = load_model(shipped)
    ids = np.array(ckpt.vocab.ids("the quick"))
    expected, _ = net(mx.nd.array(ids[:, None]), net.begin_state(1))  # (seq, V)
    logits, _ = fast.feed(ids, fast.begin_state(1))
    np.testing.assert_allclose(logits[0], expected.asnumpy()[-1], rtol=1e-3, atol=1e-3)
    text = generate(fast, ckpt.vocab, "the ", 20, temperature=0.0)
    assert isinstance(text, str) and len(text) >= 20


def test_its_setting_is_checked_and_belongs_to_it(toy):
    with pytest.raises(ValueError, match="width must be at least 1"):
        ModelConfig(arch="toy", options={"width": 0})
    with pytest.raises(ValueError, match="lstm has no setting width"):
        ModelConfig(arch="lstm", options={"width": 4})
    for bad in ("8", 2.5, float("inf"), 2**40, True):
        with pytest.raises(ValueError, match="width"):
            ModelConfig(arch="toy", options={"width": bad})
    with pytest.raises(ValueError, match="options must be an object"):
        ModelConfig(arch="toy", options=[8])
    assert ModelConfig(arch="toy").options == {"width": 8}  # its default
    assert "options" not in ModelConfig(arch="lstm").to_json()  # meta.json as before


def test_its_flag_with_another_architecture_is_one_line(toy, tmp_path, fixtures_dir, capsys):
    corpus = str(fixtures_dir / "tiny.txt")
    argv = ["train", "--corpus", corpus, "--out", str(tmp_path / "x"), "--progress", "none"]
    assert main([*argv, "--arch", "lstm", "--width", "4"]) == 2
    assert (
        capsys.readouterr().err.strip() == "ghostpen train: architecture lstm has no setting width"
    )
    assert main([*argv, "--from", "default", "--width", "4"]) == 2
    assert "--width: the network's shape comes from the --from model" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
