"""The one Gluon training step (truncated BPTT + Adam), used by `train`, evals/tiny and eval speed,
and the Adam state it saves for --resume (`optimizer_state`, `restore_optimizer`).

What makes it fast on CPUs (`ghostpen eval speed` measures training chars/s):
- the network is a HybridBlock compiled with `static_alloc=True, static_shape=True`;
- one loss call over the whole (seq*batch, vocab) output;
- `clip_global_norm(..., check_isfinite=False)`: no device sync per step (the loop checks the
  loss for NaN/inf once per logging interval instead);
- more than one OpenMP thread (see `set_threads`; MXNet picks cores ÷ 2 = 1 here by default).

A static-shape graph still accepts other shapes (the last short chunk of an epoch, validation
batches): MXNet re-plans its memory on a shape change, which costs one slower call, not a
wrong result (tests/training/test_step.py checks both).
"""

from __future__ import annotations

import logging
import os
import sys

import numpy as np

from ghostpen.model.archs import detach


def default_threads(requested: int | None = None) -> int:
    """`requested`, else OMP_NUM_THREADS when the environment sets it (the editor starts its
    training child with 1), else the cores this process may use."""
    if requested:
        return bounded_threads(requested, "--threads")
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return bounded_threads(int(env), "OMP_NUM_THREADS")
    return available_cores()


def max_threads() -> int:
    """The most OpenMP threads a training asks for: 4 per usable core, at most 256 (libgomp
    aborts the process with SIGABRT when it cannot start the threads it was told to)."""
    return min(4 * available_cores(), 256)


def bounded_threads(n: int, what: str) -> int:
    """`n`, or `max_threads()` with a warning on stderr when `n` is more than that."""
    most = max_threads()
    if n <= most:
        return n
    logging.getLogger(__name__).warning(
        "%s %d is more than this machine can run (%d usable cores); using %d threads",
        what, n, available_cores(), most,
    )  # fmt: skip
    return most


def available_cores() -> int:
    """CPU cores this process may use (its affinity mask, not the machine's count)."""
    return len(os.sched_getaffinity(0))


def set_threads(n: int) -> bool:
    """Use `n` OpenMP threads in MXNet. Only works before MXNet is imported (through
    OMP_NUM_THREADS): MXNet's `MXSetNumOMPThreads` afterwards sets the calling thread's count,
    not the engine's worker threads (measured: no change in training speed). Returns whether it
    took effect; callers set it first thing, before loading any model."""
    if "mxnet" in sys.modules:
        return os.environ.get("OMP_NUM_THREADS") == str(n)
    os.environ["OMP_NUM_THREADS"] = str(n)
    return True


def compile_net(net) -> None:
    """Hybridize a built network for training (a no-op for a plain Block)."""
    from ghostpen.mxcompat import require_mxnet

    require_mxnet()
    from mxnet import gluon

    if isinstance(net, gluon.HybridBlock):
        net.hybridize(static_alloc=True, static_shape=True)


class TrainStep:
    """One step: detach the state, forward + loss, backward, clip, Adam update.

    `clip` is the global gradient-norm bound per character (scaled by the chunk's size, as the
    loss is a sum over characters); None skips clipping. Gradients are averaged over the chunk
    (`trainer.step(chars)`).

    Several workers / devices (training/dist.py): `workers` processes each train their part of
    the total batch; `reduce_first` sums the gradients through the Trainer's KVStore first, then
    clips and divides by the total characters (`allreduce_grads` + `update`): the same update
    as one process with the whole batch. `ctx` (more than one context) splits every chunk's
    streams over the devices with `split_and_load`; the state stays one full-batch list on the
    CPU between steps (the loop saves it as before). `fixed_chars` (dist_async, where the
    optimizer runs on the servers with the gradient scale it was sent with, and MXNet refuses
    another): every chunk's gradient, an epoch's last short one too, is divided by it.
    """

    def __init__(
        self, net, trainer, clip=None, *, ctx=None, workers=1, reduce_first=False, fixed_chars=None
    ):
        from ghostpen.mxcompat import require_mxnet

        require_mxnet()
        from mxnet import gluon

        self.net, self.trainer, self.clip, self.fixed_chars = net, trainer, clip, fixed_chars
        self.loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
        self.params = [p for p in net.collect_params().values() if p.grad_req != "null"]
        multi = bool(ctx) and len(ctx) > 1
        self.ctx, self.workers, self.reduce_first = ctx, workers, reduce_first or multi

    def __call__(self, x: np.ndarray, y: np.ndarray, state):
        """x, y: (seq, batch) ids -> (per-character loss in nats NDArray (seq*batch,), state)."""
        from ghostpen.mxcompat import require_mxnet

        mx = require_mxnet()
        from mxnet import autograd, gluon

        if self.ctx and len(self.ctx) > 1:
            return self._split(x, y, state)
        state = detach(state)
        with autograd.record():
            logits, state = self.net(mx.nd.array(x), state)  # (seq*batch, vocab)
            loss = self.loss_fn(logits, mx.nd.array(y.reshape(-1)))  # (seq*batch,)
        loss.backward()
        if self.reduce_first:
            self._reduce_clip_update(y.size * self.workers)
            return loss, state
        if self.clip is not None:
            grads = [p.grad() for p in self.params]
            gluon.utils.clip_global_norm(grads, self.clip * y.size, check_isfinite=False)
        self.trainer.step(self.fixed_chars or y.size)
        return loss, state

    def _reduce_clip_update(self, chars: int) -> None:
        """Sum the gradients over workers/devices, clip each device's copy, divide by `chars`."""
        from ghostpen.mxcompat import require_mxnet

        require_mxnet()
        from mxnet import gluon

        self.trainer.allreduce_grads()
        if self.clip is not None:
            for c in self.ctx or [None]:
                grads = [p.grad(c) for p in self.params]
                gluon.utils.clip_global_norm(grads, self.clip * chars, check_isfinite=False)
        self.trainer.update(chars)

    def _split(self, x: np.ndarray, y: np.ndarray, state):
        """The step with the streams split over `self.ctx` (batch must divide by the devices)."""
        from ghostpen.mxcompat import require_mxnet

        mx = require_mxnet()
        from mxnet import autograd
        from mxnet.gluon.utils import split_and_load

        xs = split_and_load(mx.nd.array(x), self.ctx, batch_axis=1)  # k × (seq, batch/k)
        ys = split_and_load(mx.nd.array(y), self.ctx, batch_axis=1)  # k × (seq, batch/k)
        parts = [split_and_load(s, self.ctx, batch_axis=1) for s in state]  # state-major
        states = [
            list(group) for group in zip(*parts, strict=True)
        ]  # device-major: k × [(…, batch/k, …)]
        losses, new = [], []
        with autograd.record():
            for xi, yi, si in zip(xs, ys, states, strict=True):
                logits, si = self.net(xi, si)  # (seq*batch/k, vocab)
                losses.append(self.loss_fn(logits, yi.reshape(-1)))  # (seq*batch/k,)
                new.append(si)
        autograd.backward(losses)
        self._reduce_clip_update(y.size * self.workers)
        cpu = mx.cpu()
        loss = mx.nd.concat(*[v.as_in_context(cpu) for v in losses], dim=0)  # (seq*batch,)
        state = [
            mx.nd.concat(*[s[j].as_in_context(cpu) for s in new], dim=1)  # (…, batch, …)
            for j in range(len(state))
        ]
        return loss, state


def optimizer_state(trainer) -> tuple[dict, dict]:
    """Adam moments as NDArrays (saved with mx.nd.save) and counters as JSON (no pickle)."""
    updater = trainer._updaters[0]
    opt = trainer._optimizer
    arrays = {}
    for idx, state in updater.states.items():
        mean, var = state
        arrays[f"mean{idx}"], arrays[f"var{idx}"] = mean, var
    counts = {str(k): int(v) for k, v in opt._index_update_count.items()}
    return arrays, {"index_update_count": counts, "num_update": int(opt.num_update)}


def restore_optimizer(trainer, arrays: dict, info: dict) -> None:
    """Put `optimizer_state`'s moments and counters back into a Trainer (--resume)."""
    updater = trainer._updaters[0]
    opt = trainer._optimizer
    for key, value in arrays.items():
        if key.startswith("mean"):
            idx = int(key[4:])
            updater.states[idx] = (value, arrays[f"var{idx}"])
            updater.states_synced[idx] = False
    opt._index_update_count.update({int(k): v for k, v in info["index_update_count"].items()})
    opt.num_update = info["num_update"]
