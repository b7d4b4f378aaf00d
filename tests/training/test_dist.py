"""Several workers / devices: shards keep the BPTT streams, the split step equals the whole one."""

import argparse

import mxnet as mx
import numpy as np
import pytest

from ghostpen.model.config import ModelConfig
from ghostpen.training.config import TrainConfig
from ghostpen.training.data import batchify
from ghostpen.training.dist import Dist, parse_gpus, shard
from ghostpen.training.loop import StopFlag, _Run
from ghostpen.training.plan import plan_run

TINY = dict(num_embed=8, num_hidden=16, num_layers=1, dropout=0.0)
FAST = dict(seq_len=20, batch_size=4, lr=1e-2, valid_fraction=0.2, epochs=1)


@pytest.mark.parametrize("length", [1000, 1003, 997])
def test_shards_are_the_single_process_streams(length):
    ids = np.arange(length)
    whole = batchify(ids, 4)  # (rows, 4)
    parts = [batchify(shard(ids, r, 2, 2), 2) for r in range(2)]  # 2 × (rows, 2)
    assert parts[0].shape == parts[1].shape == whole.shape[:1] + (2,)
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), whole)


def test_batch_must_divide_by_workers_and_devices():
    dist = Dist()
    dist.ctx = [mx.cpu(0), mx.cpu(1)]
    assert dist.local_batch(4) == 4
    with pytest.raises(ValueError, match="multiple of workers × devices"):
        dist.local_batch(3)


def test_gpus_flag_and_dist_store_without_launcher():
    assert parse_gpus("0,1") == (0, 1)
    for bad in ("", "a", "0,0", "-1"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_gpus(bad)
    with pytest.raises(ValueError, match="ghostpen launch"):
        Dist("dist_sync")


def _params(run) -> list:
    return [p.data(mx.cpu(0)).asnumpy() for p in run.net.collect_params().values()]


def _train(text, tmp_path, name, dist=None):
    seen = []
    plan = plan_run(ModelConfig(**TINY), TrainConfig(**FAST), text, tmp_path / name)
    run = _Run(plan, dist or Dist())
    run.run(seen.append, StopFlag())
    return run, [e["loss"] for e in seen if e["event"] == "step"]


def test_two_devices_train_like_one(tmp_path, fixtures_dir):
    """The --gpus code path (split_and_load, a 'device' store) on [cpu(0), cpu(1)].

    Untested on real GPUs here (none on this machine); the same calls run there.
    """
    text = (fixtures_dir / "tiny.txt").read_text() * 3
    one, one_losses = _train(text, tmp_path, "one")
    dist = Dist()
    dist.ctx = [mx.cpu(0), mx.cpu(1)]  # what --gpus 0,1 gives, on CPUs
    dist.kind, dist.kv, dist.update_on_kvstore = "device", mx.kv.create("device"), False
    two, two_losses = _train(text, tmp_path, "two", dist)
    assert two_losses[-1] < two_losses[0]
    np.testing.assert_allclose(two_losses, one_losses, rtol=1e-3)
    for a, b in zip(_params(two), _params(one), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)
    for p in two.net.collect_params().values():  # both devices hold the same weights
        np.testing.assert_array_equal(p.data(mx.cpu(0)).asnumpy(), p.data(mx.cpu(1)).asnumpy())
    assert (tmp_path / "two" / "meta.json").exists()


def test_control_rounds_re_pull_a_stale_sum():
    """A pull that comes back with the previous round's sum is repeated until it is complete."""
    import mxnet as mx

    from ghostpen.training.dist import Dist

    class FakeStore:  # two workers; the other worker's push lands after our first pull
        def __init__(self):
            self.pulls = 0
            self.stored = None

        def init(self, key, value):
            self.stored = value.asnumpy() * 0

        def push(self, key, value):
            self.mine = value.asnumpy()

        def pull(self, key, out):
            self.pulls += 1
            if self.pulls % 2 == 1:  # stale: the last complete round (or nothing yet)
                out[:] = mx.nd.array(self.stored)
            else:  # complete: both workers pushed the same values
                self.stored = self.mine * 2
                out[:] = mx.nd.array(self.stored)

    dist = object.__new__(Dist)
    dist.kv, dist.workers = FakeStore(), 2
    assert list(dist._allreduce([1.0, 0.0, 0.0, 0.0])) == [2.0, 0.0, 0.0, 0.0]
    assert dist.kv.pulls == 2  # the stale first pull was not believed
    assert list(dist._allreduce([0.0, 1.0, 0.0, 0.0])) == [0.0, 2.0, 0.0, 0.0]
    assert dist.kv.pulls == 4


def test_start_puts_the_weights_in_the_store_before_the_first_step():
    """`start` broadcasts before any forward pass (not lazily at the Trainer's first step, where
    under dist_sync a weight's pull could return the summed gradient); keys of a second Trainer
    go from its base on."""
    from mxnet import gluon

    dist = Dist("local")
    nets = [gluon.nn.Dense(3, in_units=2), gluon.nn.Dense(2, in_units=3)]
    trainers = []
    for net, base in zip(nets, (0, 100), strict=True):
        net.initialize(mx.init.Xavier())
        trainers.append(gluon.Trainer(net.collect_params(), "adam", **dist.trainer_args(base)))
    assert dist.step_size(8) == 8  # one worker
    dist.start(trainers, 8)
    for trainer, net, base in zip(trainers, nets, (0, 100), strict=True):
        assert trainer._kv_initialized and not trainer._params_to_init
        assert trainer._optimizer.rescale_grad == 1 / 8
        held = mx.nd.zeros(net.weight.shape)
        dist.kv.pull(base + trainer._param2idx[net.weight.name], out=held)
        np.testing.assert_array_equal(held.asnumpy(), net.weight.data().asnumpy())


def _two_workers(arrays0, arrays1):
    """Run `same_everywhere` on rank 0 with rank 1's pushes simulated (a fake all-reduce)."""
    peer = object.__new__(Dist)
    peer.sync, peer.chief, peer.workers, pushed = True, False, 2, []

    def peer_round(values):
        pushed.append(values)
        return np.array([values[2], values[3], 2 * values[2], 2 * values[3]])

    peer._allreduce = peer_round
    peer.same_everywhere(arrays1)
    chief = object.__new__(Dist)
    chief.sync, chief.chief, chief.workers = True, True, 2
    rounds = iter(pushed)
    chief._allreduce = lambda values: np.add(values, next(rounds))
    chief.same_everywhere(arrays0)


def test_same_everywhere_checks_that_the_workers_agree():
    a = [np.arange(6, dtype=np.float32).reshape(2, 3), np.ones(4, np.float32)]
    _two_workers(a, [x.copy() for x in a])
    b = [a[0].copy(), a[1] + np.float32(1e-7)]  # one ulp-sized difference is found
    from ghostpen.training.dist import DistError

    with pytest.raises(DistError, match="differ"):
        _two_workers(a, b)
    Dist().same_everywhere(a)  # one process: nothing to compare
