"""save_checkpoint removes only what ghostpen wrote: files the old meta.json named, its temps."""

import json

import mxnet as mx

from ghostpen.model.archs import build_model
from ghostpen.model.checkpoint import load_model, save_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.model.vocab import Vocab


def _net():
    vocab = Vocab.build("abcdefg hij")
    config = ModelConfig(arch="gru", vocab_size=len(vocab), num_embed=4, num_hidden=8)
    net = build_model(config)
    net.initialize(mx.init.Uniform(0.3))
    return net, config, vocab


def test_foreign_files_survive_and_old_own_files_go(tmp_path):
    net, config, vocab = _net()
    out = tmp_path / "ck"
    out.mkdir()
    foreign = {
        "theirs.params": b"p",
        "moments.nd": b"n",
        "draft.tmp": b"t",
        ".notes.txt.abc.tmp": b"x",
    }
    for name, data in foreign.items():
        (out / name).write_bytes(data)
    save_checkpoint(out, config, vocab, params=net, last_params=net)
    first = json.loads((out / "meta.json").read_text())["files"]
    stale_temp = out / f".{first['params']}.q1w2e3.tmp"  # as a killed atomic_write leaves it
    stale_temp.write_bytes(b"half")
    save_checkpoint(out, config, vocab, params=net, last_params=net)
    second = json.loads((out / "meta.json").read_text())["files"]
    names = {p.name for p in out.iterdir()}
    assert not set(first.values()) & names  # the first save's files were ghostpen's: removed
    assert set(second.values()) <= names
    assert not stale_temp.exists()
    for name, data in foreign.items():  # never written by ghostpen: untouched
        assert (out / name).read_bytes() == data
    load_model(out)


def test_a_failed_save_removes_its_own_files_and_keeps_the_previous_checkpoint(
    tmp_path, monkeypatch
):
    import errno
    import os

    import pytest

    from ghostpen.model import checkpoint

    net, config, vocab = _net()
    out = tmp_path / "ck"
    save_checkpoint(out, config, vocab, params=net, training={"steps": 1})
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = checkpoint.atomic_write

    def full_disk(path, writer, mode=None):
        if path.name.startswith("optim-"):  # the best and latest weights are already written
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, writer, mode)

    monkeypatch.setattr(checkpoint, "atomic_write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        save_checkpoint(
            out, config, vocab, params=net, last_params=net, optimizer_state={"x": mx.nd.ones(2)}
        )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    load_model(out)
