"""Vocabulary round trips and output shapes of every architecture."""

import mxnet as mx
import numpy as np
import pytest

from ghostpen.model.archs import NAMES, build_model
from ghostpen.model.config import ModelConfig
from ghostpen.model.vocab import UNK, Vocab


def test_vocab_round_trip_with_unknown_characters():
    vocab = Vocab.build("hello world")
    again = Vocab.from_json(vocab.to_json())
    assert again == vocab
    ids = again.ids("hello, wörld 🙂")
    assert ids.dtype == np.int32 and len(ids) == len("hello, wörld 🙂")
    assert again.text(ids) == f"hello{UNK} w{UNK}rld {UNK}"
    assert again.id("z") == Vocab.unk_id == 0


def test_vocab_orders_by_frequency_and_rejects_bad_json():
    vocab = Vocab.build("aaabbc")
    assert vocab.chars[1:] == ["a", "b", "c"]
    with pytest.raises(ValueError):
        Vocab.from_json(["ab"])
    with pytest.raises(ValueError):
        Vocab.from_json({"a": 1})
    astral = Vocab(["🙂", "a"])
    assert list(astral.ids("a🙂x")) == [2, 1, 0]


@pytest.mark.parametrize("arch", NAMES)
def test_shapes(arch):
    config = ModelConfig(arch=arch, vocab_size=11, num_embed=5, num_hidden=7, num_layers=2)
    net = build_model(config)
    net.initialize()
    state = net.begin_state(3)
    logits, new_state = net(mx.nd.array(np.random.randint(0, 11, (4, 3))), state)
    assert logits.shape == (4 * 3, 11)  # (seq*batch, vocab)
    assert [s.shape for s in new_state] == [s.shape for s in state]
    if arch == "lstm":
        assert [s.shape for s in state] == [(2, 3, 7), (2, 3, 7)]
    elif arch == "unrolled":
        assert [s.shape for s in state] == [(2, 3)]  # (context-1, batch)
    else:
        assert [s.shape for s in state] == [(2, 3, 7)]


def test_unrolled_sees_exactly_three_characters():
    """The 4th character's logits depend on chars 1-3 only, also across chunk boundaries."""
    config = ModelConfig(arch="unrolled", vocab_size=9, num_embed=4, num_hidden=6)
    net = build_model(config)
    net.initialize(mx.init.Uniform(0.5))
    seq = mx.nd.array([[1], [2], [3], [4], [5]])
    whole, _ = net(seq, net.begin_state(1))
    first, state = net(seq[:2], net.begin_state(1))
    rest, _ = net(seq[2:], state)
    np.testing.assert_allclose(whole.asnumpy()[2:], rest.asnumpy(), rtol=1e-5, atol=1e-6)
    other = mx.nd.array([[8], [2], [3], [4], [5]])  # differs 4 positions before the last
    changed, _ = net(other, net.begin_state(1))
    np.testing.assert_allclose(whole.asnumpy()[-1], changed.asnumpy()[-1], rtol=1e-6)
    assert not np.allclose(whole.asnumpy()[1], changed.asnumpy()[1])


def test_bad_config_is_rejected():
    with pytest.raises(ValueError, match="unknown architecture"):
        ModelConfig(arch="transformer")
    with pytest.raises(ValueError):
        ModelConfig(dropout=1.5)
    with pytest.raises(ValueError, match="vocab_size"):
        build_model(ModelConfig(vocab_size=0))
