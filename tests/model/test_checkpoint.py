"""Checkpoints: identical logits after a round trip, clear errors for damaged directories."""

import json

import mxnet as mx
import numpy as np
import pytest

from ghostpen.model.archs import build_model
from ghostpen.model.checkpoint import CheckpointError, load_model, read_checkpoint, save_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.model.vocab import Vocab


def _saved(tmp_path, arch="gru"):
    vocab = Vocab.build("abcdefg hij")
    config = ModelConfig(arch=arch, vocab_size=len(vocab), num_embed=4, num_hidden=8)
    net = build_model(config)
    net.initialize(mx.init.Uniform(0.3))
    save_checkpoint(tmp_path / "ck", config, vocab, params=net, training={"best_val_bpc": 2.5})
    return net, vocab, tmp_path / "ck"


@pytest.mark.parametrize("arch", ["gru", "lstm", "unrolled"])
def test_round_trip_reproduces_logits(tmp_path, arch):
    net, vocab, path = _saved(tmp_path, arch)
    loaded, ckpt = load_model(path)
    assert ckpt.vocab == vocab and ckpt.training["best_val_bpc"] == 2.5
    x = mx.nd.array(vocab.ids("abc hij").reshape(-1, 1))
    a, _ = net(x, net.begin_state(1))
    b, _ = loaded(x, loaded.begin_state(1))
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


def test_meta_holds_everything_to_rebuild(tmp_path):
    _, vocab, path = _saved(tmp_path)
    meta = json.loads((path / "meta.json").read_text())
    assert meta["format"] == "ghostpen-charlm" and meta["format_version"] == 1
    assert meta["model"]["arch"] == "gru" and meta["vocab"] == vocab.to_json()
    assert set(meta["sha256"]) == set(meta["files"].values())


def test_missing_directory_and_meta(tmp_path):
    with pytest.raises(CheckpointError, match="not a checkpoint directory"):
        read_checkpoint(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="meta.json: missing"):
        read_checkpoint(tmp_path / "empty")


def test_corrupt_meta_names_the_file(tmp_path):
    _, _, path = _saved(tmp_path)
    (path / "meta.json").write_text("{not json")
    with pytest.raises(CheckpointError, match=r"meta\.json: corrupt"):
        load_model(path)


def test_truncated_params_names_the_file(tmp_path):
    _, _, path = _saved(tmp_path)
    params = next(path.glob("*.params"))
    params.write_bytes(params.read_bytes()[:100])
    with pytest.raises(CheckpointError, match=params.name + ".*truncated"):
        load_model(path)


def test_garbage_params_without_hash_names_the_file(tmp_path):
    _, _, path = _saved(tmp_path)
    meta = json.loads((path / "meta.json").read_text())
    meta.pop("sha256")
    (path / "meta.json").write_text(json.dumps(meta))
    params = path / meta["files"]["params"]
    params.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(CheckpointError, match=params.name):
        load_model(path)


def test_mismatched_shapes_and_vocab(tmp_path):
    _, _, path = _saved(tmp_path)
    meta = json.loads((path / "meta.json").read_text())
    meta["model"]["num_hidden"] = 16  # the params file holds 8 units per layer
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="cannot load parameters"):
        load_model(path)
    meta["model"]["num_hidden"] = 8
    meta["vocab"] = meta["vocab"][:-1]
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="vocabulary has"):
        load_model(path)


def test_future_format_version_is_refused(tmp_path):
    _, _, path = _saved(tmp_path)
    meta = json.loads((path / "meta.json").read_text())
    meta["format_version"] = 99
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="version 99"):
        read_checkpoint(path)


def test_rewrite_removes_unreferenced_files(tmp_path):
    net, vocab, path = _saved(tmp_path)
    save_checkpoint(path, net.config, vocab, params=net)
    assert len(list(path.glob("*.params"))) == 1
    assert not list(path.glob("*.tmp"))
