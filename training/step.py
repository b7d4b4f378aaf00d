"""The one Gluon training step (truncated BPTT + Adam), used by `train`, evals/tiny and eval speed.

What makes it fast on these CPUs (2×512 LSTM, seq 100: ~2,200 -> ~6,000 chars/s):
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

import os
import sys

import numpy as np


def available_cores() -> int:
    """CPU cores this process may use (its affinity mask, not the machine's count)."""
    return len(os.sched_getaffinity(0))


def set_threads(n: int) -> None:
    """Use `n` OpenMP threads in MXNet: via OMP_NUM_THREADS before it is imported, else its API."""
    if "mxnet" not in sys.modules:
        os.environ["OMP_NUM_THREADS"] = str(n)
        return
    import mxnet as mx

    mx.base._LIB.MXSetNumOMPThreads(n)


def compile_net(net) -> None:
    """Hybridize a built network for training (a no-op for a plain Block)."""
    from mxnet import gluon

    if isinstance(net, gluon.HybridBlock):
        net.hybridize(static_alloc=True, static_shape=True)


class TrainStep:
    """One step: detach the state, forward + loss, backward, clip, Adam update.

    `clip` is the global gradient-norm bound per character (scaled by the chunk's size, as the
    loss is a sum over characters); None skips clipping. Gradients are averaged over the chunk
    (`trainer.step(chars)`).
    """

    def __init__(self, net, trainer, clip: float | None = None):
        from mxnet import gluon

        self.net, self.trainer, self.clip = net, trainer, clip
        self.loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
        self.params = [p for p in net.collect_params().values() if p.grad_req != "null"]

    def __call__(self, x: np.ndarray, y: np.ndarray, state):
        """x, y: (seq, batch) ids -> (per-character loss in nats NDArray (seq*batch,), state)."""
        import mxnet as mx
        from mxnet import autograd, gluon

        from ghostpen.model.charrnn import detach

        state = detach(state)
        with autograd.record():
            logits, state = self.net(mx.nd.array(x), state)  # (seq*batch, vocab)
            loss = self.loss_fn(logits, mx.nd.array(y.reshape(-1)))  # (seq*batch,)
        loss.backward()
        if self.clip is not None:
            grads = [p.grad() for p in self.params]
            gluon.utils.clip_global_norm(grads, self.clip * y.size, check_isfinite=False)
        self.trainer.step(y.size)
        return loss, state
