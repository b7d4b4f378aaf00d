"""Pieces of the GAN trainer: losses, the EMA generator, Adam state for --resume, collapse checks.

- `d_loss`/`g_loss`: "hinge" (Lim & Ye 2017; Miyato et al. 2018) or "bce" (the tutorial's
  non-saturating loss), on discriminator logits.
- `Ema`: an exponential moving average of the generator's trained weights (Yazıcı et al. 2019),
  decay warmed up as min(decay, (1 + step) / (10 + step)). `Ema.generator` rebuilds a
  generator from the average and re-estimates its BatchNorm statistics on fresh noise, which is
  what is sampled from, checkpointed as "generator" and shipped.
"""

from __future__ import annotations

import numpy as np

from ghostpen.model.archs import dcgan
from ghostpen.mxcompat import require_mxnet

LOSSES = ("hinge", "bce")


def d_loss(kind: str, real, fake):
    """Per-image discriminator loss from real and fake logits (N,)."""
    require_mxnet()
    import mxnet as mx

    nd = mx.nd
    if kind == "hinge":
        return nd.relu(1.0 - real) + nd.relu(1.0 + fake)
    return (
        nd.relu(-real)
        + nd.log1p(nd.exp(-nd.abs(real)))
        + nd.relu(fake)
        + nd.log1p(nd.exp(-nd.abs(fake)))
    )  # softplus(-real) + softplus(fake): BCE with labels 1 and 0


def g_loss(kind: str, fake):
    """Per-image generator loss from the discriminator's logits on fakes (N,)."""
    require_mxnet()
    import mxnet as mx

    nd = mx.nd
    if kind == "hinge":
        return -fake
    return nd.relu(-fake) + nd.log1p(nd.exp(-nd.abs(fake)))  # softplus(-fake)


class Ema:
    """The moving average of a generator's trained parameters (BatchNorm statistics aside)."""

    def __init__(self, netg, decay: float, arrays: dict | None = None) -> None:
        self.decay = decay
        self.params = {
            k: p for k, p in _named(netg).items() if p.grad_req != "null"
        }  # "0.weight", "1.gamma", ...
        src = arrays or {k: p.data().asnumpy() for k, p in self.params.items()}
        require_mxnet()
        import mxnet as mx

        self.avg = {k: mx.nd.array(src[k]) for k in self.params}

    def update(self, step: int) -> None:
        beta = min(self.decay, (1.0 + step) / (10.0 + step))
        for k, p in self.params.items():
            a = self.avg[k]
            a[:] = a * beta + p.data() * (1.0 - beta)

    def arrays(self, netg, config, classes_sampler, batches: int = 24) -> dict[str, np.ndarray]:
        """The EMA generator's weights with BatchNorm statistics re-estimated on noise."""
        require_mxnet()
        import mxnet as mx
        from mxnet import autograd

        net = dcgan.build_generator(config)
        full = dcgan.weights(netg)  # running statistics as a start
        full.update({k: v.asnumpy() for k, v in self.avg.items()})
        dcgan.set_weights(net, full)
        rng = np.random.default_rng(0)
        for _ in range(batches):  # momentum 0.9: 0.9**24 ~ 8% of the start is left
            z = rng.standard_normal((64, config.latent)).astype(np.float32)
            zin = dcgan.g_input(z, classes_sampler(rng, 64), config.classes)
            with autograd.record():
                out = net(mx.nd.array(zin.reshape(64, -1, 1, 1)))
            out.backward()  # MXNet's BatchNorm updates its running statistics in backward
        return dcgan.weights(net)


def _named(netg) -> dict:
    out = {}
    for i, layer in enumerate(netg.body):
        prefix = layer.prefix
        for name, p in layer.params.items():
            out[f"{i}.{name[len(prefix) :] if name.startswith(prefix) else name}"] = p
    return out


def adam_state(trainer) -> tuple[dict, dict]:
    updater, opt = trainer._updaters[0], trainer._optimizer
    arrays = {}
    for idx, (mean, var) in updater.states.items():
        arrays[f"mean{idx}"], arrays[f"var{idx}"] = mean.asnumpy(), var.asnumpy()
    counts = {str(k): int(v) for k, v in opt._index_update_count.items()}
    return arrays, {"index_update_count": counts, "num_update": int(opt.num_update)}


def restore_adam(trainer, arrays: dict, info: dict) -> None:
    require_mxnet()
    import mxnet as mx

    updater, opt = trainer._updaters[0], trainer._optimizer
    for key, value in arrays.items():
        if key.startswith("mean"):
            idx = int(key[4:])
            updater.states[idx] = (mx.nd.array(value), mx.nd.array(arrays[f"var{idx}"]))
            updater.states_synced[idx] = False
    opt._index_update_count.update({int(k): v for k, v in info["index_update_count"].items()})
    opt.num_update = info["num_update"]


class Collapse:
    """Counts steps with a degenerate loss; warns once per episode."""

    def __init__(self, steps: int, loss: str = "bce") -> None:
        self.steps, self.bad, self.warned, self.loss = steps, 0, False, loss

    def update(self, d_loss: float, g_loss: float) -> str | None:
        d_floor = 0.01 if self.loss == "bce" else 0.005
        g_high = 15.0 if self.loss == "bce" else 50.0
        degenerate = d_loss < d_floor or g_loss > g_high or not np.isfinite(d_loss + g_loss)
        self.bad = self.bad + 1 if degenerate else 0
        if self.bad < self.steps:
            self.warned = False
            return None
        if self.warned:
            return None
        self.warned = True
        return (
            f"possible collapse: discriminator loss {d_loss:.4f}, generator loss {g_loss:.2f} "
            f"for {self.bad} steps (the discriminator wins; try fewer ndf or a lower lr)"
        )
