"""Every registered architecture: its numpy stepper (via `FastModel`) computes what its Gluon
block computes, hybridized or not. Parametrised over the registry, so a new architecture is
checked by adding its registry line."""

import mxnet as mx
import numpy as np
import pytest

from ghostpen.model.archs import NAMES, REGISTRY, build_model, get
from ghostpen.model.config import ModelConfig
from ghostpen.model.fast import FastModel, log_softmax


def _random_net(arch: str, seed: int = 0):
    mx.random.seed(seed)
    config = ModelConfig(
        arch=arch, vocab_size=13, num_embed=6, num_hidden=9, num_layers=2, dropout=0.0
    )
    net = build_model(config)
    net.initialize(mx.init.Uniform(0.6))
    return net


def _gluon_logits(net, ids: np.ndarray) -> np.ndarray:
    """Logits after every position of one (seq, batch) block: (seq, batch, V)."""
    seq, batch = ids.shape
    logits, _ = net(mx.nd.array(ids), net.begin_state(batch))  # (seq*batch, V)
    return logits.asnumpy().reshape(seq, batch, -1)


@pytest.mark.parametrize("arch", NAMES)
def test_fast_step_matches_gluon_forward(arch):
    net = _random_net(arch)
    fast = FastModel.from_gluon(net)
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 13, size=(12, 3))  # (seq, batch)
    expected = _gluon_logits(net, ids)  # (seq, batch, V)
    state = fast.begin_state(3)
    for t in range(ids.shape[0]):
        logits, state = fast.step(ids[t], state)  # (batch, V)
        np.testing.assert_allclose(logits, expected[t], rtol=1e-5, atol=1e-5)
        # the next-character distributions agree too
        np.testing.assert_allclose(
            np.exp(log_softmax(logits)), np.exp(log_softmax(expected[t])), atol=1e-5
        )


@pytest.mark.parametrize("arch", NAMES)
def test_feed_and_picking_state_rows(arch):
    net = _random_net(arch, seed=3)
    fast = FastModel.from_gluon(net)
    ids = np.array([1, 5, 2, 7, 3, 3, 0, 12])
    expected = _gluon_logits(net, ids[:, None])[-1, 0]  # (V,)
    logits, state = fast.feed(ids, fast.begin_state(1))
    np.testing.assert_allclose(logits[0], expected, rtol=1e-5, atol=1e-5)
    # beam rows: a batch of 3 copies, pick rows [2, 0] and step on
    batch_state = tuple(np.concatenate([s, s, s], axis=1) for s in state)
    picked = tuple(s[:, [2, 0]] for s in batch_state)  # axis 1 is the batch for every arch
    step_logits, _ = fast.step(np.array([4, 4]), picked)
    single, _ = fast.step(np.array([4]), state)
    np.testing.assert_allclose(step_logits, np.concatenate([single, single]), atol=1e-6)


@pytest.mark.parametrize("arch", NAMES)
def test_hybridized_block_matches_the_imperative_one(arch):
    net = _random_net(arch, seed=5)
    ids = np.random.default_rng(2).integers(0, 13, size=(7, 2))  # (seq, batch)
    expected = _gluon_logits(net, ids)
    assert get(arch).hybridizable
    net.hybridize(static_alloc=True, static_shape=True)
    np.testing.assert_allclose(_gluon_logits(net, ids), expected, rtol=1e-5, atol=1e-6)
    # another shape through the same static graph is still right
    shorter = ids[:3, :1]
    net.hybridize(False)
    plain = _gluon_logits(net, shorter)
    net.hybridize(static_alloc=True, static_shape=True)
    np.testing.assert_allclose(_gluon_logits(net, shorter), plain, rtol=1e-5, atol=1e-6)


def test_registry_entries_name_themselves_and_unknown_names_are_rejected():
    assert NAMES and all(REGISTRY[name].name == name for name in NAMES)
    with pytest.raises(ValueError, match="unknown architecture"):
        get("transformer")


@pytest.mark.parametrize("arch", NAMES)
def test_shapes_are_the_shapes_of_the_weights(arch):
    """`shapes` (what the run-time weights file is checked against) matches `weights`."""
    net = _random_net(arch, seed=3)
    weights = get(arch).weights(net)
    assert {k: v.shape for k, v in weights.items()} == get(arch).shapes(net.config)
