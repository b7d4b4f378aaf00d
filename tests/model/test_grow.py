"""Vocabulary growth: new characters get rows, old predictions stay exactly the same."""

import numpy as np
import pytest

from ghostpen.model.checkpoint import load_model
from ghostpen.model.config import ModelConfig
from ghostpen.model.fast import FastModel
from ghostpen.model.grow import (
    MIN_COUNT,
    grow_params,
    grow_vocab,
    mean_log_partition,
    new_characters,
    new_logit_bias,
)
from ghostpen.model.vocab import Vocab

NEW_TEXT = "Straße `code` {braces} ü ü ü ß ß ß » » » « « « ` ` { { } } 😀😀😀 é"


def test_new_characters_respect_min_count():
    vocab = Vocab("abc ")
    found = dict(new_characters(vocab, "aaa xx y zzz 😀😀😀 ", min_count=3))
    assert found == {"z": 3, "😀": 3}
    assert "y" not in found and "x" not in found  # rarer than 3: mapped to the unknown id
    assert MIN_COUNT == 3


def test_grow_vocab_keeps_old_ids():
    base = Vocab("ab ")
    grown = grow_vocab(base, "ab ßßß üüüü é")
    assert grown.chars[: len(base)] == base.chars
    assert grown.chars[len(base) :] == ["ü", "ß"]  # most frequent first; é is too rare
    assert grown.id("é") == Vocab.unk_id


@pytest.mark.parametrize("arch", ["lstm", "gru", "unrolled"])
def test_grown_model_predicts_old_characters_exactly_as_the_base(tiny_model, arch, tmp_path):
    import mxnet as mx

    from ghostpen.model.archs import build_model

    if arch == "lstm":
        base_net, ckpt = load_model(tiny_model)
        base_vocab = ckpt.vocab
    else:
        base_vocab = Vocab("abcdefgh ")
        cfg = ModelConfig(arch=arch, vocab_size=len(base_vocab), num_embed=8, num_hidden=16)
        base_net = build_model(cfg)
        base_net.initialize(mx.init.Xavier(), ctx=mx.cpu())
        base_net(mx.nd.zeros((2, 1)), base_net.begin_state(1))
    vocab = grow_vocab(base_vocab, NEW_TEXT)
    assert len(vocab) > len(base_vocab)
    config = ModelConfig.from_json({**base_net.config.to_json(), "vocab_size": len(vocab)})
    net = build_model(config)
    net.initialize(mx.init.Xavier(), ctx=mx.cpu())
    extra = len(vocab) - len(base_vocab)
    grow_params(base_net, net, len(base_vocab), np.full(extra, -3.0, dtype=np.float32))

    text = "the mouse ran back to the country. " if arch == "lstm" else "abc defg hab"
    ids = base_vocab.ids(text)
    base_fast, fast = FastModel.from_gluon(base_net), FastModel.from_gluon(net)
    s0, s1 = base_fast.begin_state(1), fast.begin_state(1)
    for i in ids:
        l0, s0 = base_fast.step(np.array([i]), s0)
        l1, s1 = fast.step(np.array([i]), s1)
        assert l1.shape[1] == len(vocab)
        # same weights; only BLAS's blocking of a wider product may round the last bit
        np.testing.assert_allclose(l1[:, : len(base_vocab)], l0, rtol=1e-6, atol=1e-5)
        np.testing.assert_allclose(l1[:, len(base_vocab) :], -3.0, atol=1e-6)  # new: the bias
        order0, order1 = np.argsort(-l0[0])[:5], np.argsort(-l1[0, : len(base_vocab)])[:5]
        assert list(order0) == list(order1)  # the same ranking of old characters
    for a, b in zip(s0, s1, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)  # the same hidden states
    # the Gluon forward pass agrees too: same logits for the old ids
    x = mx.nd.array(ids[:, None])
    g0, _ = base_net(x, base_net.begin_state(1))
    g1, _ = net(x, net.begin_state(1))
    np.testing.assert_allclose(g1.asnumpy()[:, : len(base_vocab)], g0.asnumpy(), atol=1e-5)


def test_new_bias_follows_frequency(tiny_model):
    model = FastModel.from_checkpoint(tiny_model)
    log_z = mean_log_partition(model, model.vocab.ids("the country mouse " * 20))
    bias = new_logit_bias(log_z, [100, 10], total=1000)
    assert bias[0] > bias[1] and np.isfinite(bias).all()
    assert abs((bias[0] - bias[1]) - np.log(10)) < 1e-5


def test_grow_refuses_a_different_network(tiny_model):
    import mxnet as mx

    from ghostpen.model.archs import build_model

    base_net, ckpt = load_model(tiny_model)
    other = build_model(ModelConfig(vocab_size=len(ckpt.vocab) + 2, num_embed=8, num_hidden=8))
    other.initialize(mx.init.Xavier(), ctx=mx.cpu())
    with pytest.raises(ValueError):
        grow_params(base_net, other, len(ckpt.vocab))
