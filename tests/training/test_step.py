"""The one training step: the compiled (hybridized) net trains exactly like the plain one."""

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon

from ghostpen.model.archs import NAMES, build_model
from ghostpen.model.config import ModelConfig
from ghostpen.training.step import (
    TrainStep,
    available_cores,
    compile_net,
    default_threads,
    set_threads,
)


def _losses(arch: str, hybrid: bool, shapes) -> list[float]:
    mx.random.seed(0)
    config = ModelConfig(arch=arch, vocab_size=11, num_embed=5, num_hidden=8, dropout=0.0)
    net = build_model(config)
    net.initialize(mx.init.Xavier())
    if hybrid:
        compile_net(net)
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 1e-2}, kvstore=None)
    step = TrainStep(net, trainer, clip=1.0)
    rng = np.random.default_rng(1)
    xs = rng.integers(0, 11, (max(shapes), 3))  # (seq, batch): the same text every step
    ys = rng.integers(0, 11, (max(shapes), 3))
    out = []
    for seq in shapes:  # a short chunk changes the static graph's shape
        loss, _ = step(xs[:seq], ys[:seq], net.begin_state(3))
        assert loss.shape == (seq * 3,)
        out.append(float(loss.mean().asscalar()))
    return out


@pytest.mark.parametrize("arch", NAMES)
def test_hybridized_step_matches_the_plain_step(arch):
    shapes = [6, 6, 6, 2, 6]
    plain = _losses(arch, False, shapes)
    np.testing.assert_allclose(_losses(arch, True, shapes), plain, rtol=1e-4)
    assert plain[-1] < plain[0]  # it learns (the same targets come back)


def test_threads_are_the_available_cores(monkeypatch):
    assert 1 <= available_cores()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert default_threads() == available_cores() and default_threads(3) == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the editor's training child
    assert default_threads() == 1 and default_threads(2) == 2
    # mxnet is imported here: a count can no longer be set, and set_threads says so
    assert set_threads(1) and not set_threads(7)
