"""The DCGAN training loop with checkpoints, resume and collapse checks.

Per batch: the discriminator learns real from fake, then the generator learns to fool it.
`GanTrainConfig()`'s defaults are the tutorial's (sigmoid cross-entropy, Adam lr 2e-4, beta1
0.5); the avatar recipe (`training/recipes/gan/avatars-cc.json`) adds the small-data methods:
the hinge loss with two learning rates (TTUR), a spectrally normalised projection
discriminator (`GanConfig.spectral_norm`, `classes`), DiffAugment on everything the
discriminator sees (`training/gan_augment.py`) and an EMA of the generator's weights, which is
the generator that is sampled, checkpointed as "generator" and shipped (the trained one is
"generator_train"). With class labels (the npz's `style`) a fake gets its real batch-mate's
label. After every epoch a sample grid from fixed noise goes to `OUT/samples/epoch-NNN.png` and
the checkpoint is rewritten crash-safely (`model.gan_checkpoint`). A stop request (Ctrl+C /
SIGTERM set `StopFlag`) or the time budget saves the current position, so `resume=True`
carries on with the same shuffles. Progress goes to `progress(event)` as dicts (start, step,
epoch, warning, done).

Several workers (`dist`, a `training.dist.Dist`; `ghostpen launch -- train-gan`): the rules
of `training/dist.py`. `batch_size` is the total batch; worker r trains on the r-th
contiguous share of the images with `batch_size / workers` of them a step (its slice of the
step's noise). The generator's and the discriminator's Trainers share the one store, the
discriminator's keys from `D_KEYS` on; both start from rank 0's weights. BatchNorm's running
statistics are not trained by the store: under dist_sync they are averaged over the workers
(`AUX_KEYS`) before every sample grid and checkpoint, which, as they are running averages
from the same start, gives what averaging them every step would. Only rank 0 reports, draws
samples and writes checkpoints; its losses are those of its own images.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ghostpen.model.archs import dcgan
from ghostpen.model.archs.dcgan import GanConfig
from ghostpen.model.gan_checkpoint import (
    GanCheckpointError,
    read_gan_checkpoint,
    save_gan_checkpoint,
)
from ghostpen.mxcompat import require_mxnet
from ghostpen.training.gan_augment import check_policy, diff_augment
from ghostpen.training.gan_parts import LOSSES, Collapse, Ema, adam_state, d_loss, g_loss
from ghostpen.training.gan_parts import restore_adam as _restore_adam
from ghostpen.training.images import ImageSet, to_batch

Progress = Callable[[dict], None]
SAMPLE_SEED = 1234  # the fixed noise behind every epoch's sample grid
D_KEYS = 100_000  # the discriminator's first store key (the generator's are 0, 1, …)
AUX_KEYS = 200_000  # the first store key of the BatchNorm statistics averaged under dist_sync


@dataclass(frozen=True)
class GanTrainConfig:
    batch_size: int = 64  # images a step (all workers together)
    lr: float = 2e-4  # the generator's Adam learning rate
    lr_d: float | None = None  # the discriminator's (None: lr; TTUR uses lr_d > lr)
    beta1: float = 0.5  # Adam beta1 (both)
    beta2: float = 0.999  # Adam beta2 (both)
    loss: str = "bce"  # "bce" (the tutorial's) or "hinge"
    ema: float = 0.0  # decay of the generator's weight average (0: off; 0.999 typical)
    augment: str = ""  # DiffAugment policy, e.g. "color,translation,cutout" ("" off)
    holdout_every: int = 0  # image ids with id % N == N-1 are never trained on (0: none)
    epochs: int = 25  # epochs in all
    minutes: float | None = None  # time budget of this run
    seed: int = 0  # weights, shuffles and noise
    report_every: int = 10  # steps between "step" events
    collapse_steps: int = 200  # steps of a degenerate loss before warning

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"loss: expected one of {LOSSES}, got {self.loss!r}")
        if not 0.0 <= self.ema < 1.0:
            raise ValueError(f"ema: expected a decay in [0, 1), got {self.ema!r}")
        check_policy(self.augment)


class StopFlag:
    """Set from a signal handler; the loop checks it between steps and saves before leaving."""

    def __init__(self) -> None:
        self.requested = False

    def set(self, *_args) -> None:
        self.requested = True


def diversity(images: np.ndarray) -> float:
    """Mean pairwise Euclidean distance of (N, ...) float images (per pixel RMS)."""
    x = images.reshape(len(images), -1).astype(np.float64)
    sq = (x * x).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0)
    iu = np.triu_indices(len(x), 1)
    return float(np.sqrt(d2[iu] / x.shape[1]).mean())


def save_grid(images: np.ndarray, path: Path, cols: int = 8, scale: int = 1) -> None:
    """(N, 3, H, W) in [-1, 1] -> one PNG grid with 2-pixel gaps, written atomically."""
    from ghostpen.model.atomic import atomic_write
    from ghostpen.model.avatars import grid_image

    img = grid_image(dcgan.to_uint8(images), cols=cols, scale=scale)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: img.save(tmp, format="PNG"), 0o644)


_adam_state = adam_state
_Collapse = Collapse


def _setup(config, train, data, out, resume, emit):
    """The networks and resume position: (netg, netd, ema, checkpoint or None, start, stats)."""
    netg, netd = dcgan.build_generator(config), dcgan.build_discriminator(config)
    start = {"epoch": 0, "batch": 0, "step": 0}
    stats = {"seconds": 0.0, "images": 0, "epochs_done": 0, "history": []}
    ckpt = None
    if resume:
        ckpt = read_gan_checkpoint(out)
        if ckpt.config != config:
            raise ValueError(f"{out}: --resume with different settings ({ckpt.config})")
        raw = "generator_train" if "generator_train" in ckpt.files else "generator"
        dcgan.set_weights(netg, ckpt.arrays(raw))
        dcgan.set_weights(netd, ckpt.arrays("discriminator"))
        start = {k: ckpt.resume.get(k, 0) for k in start}
        stats.update({k: ckpt.training[k] for k in stats if k in ckpt.training})
        if ckpt.dataset.get("sha256") not in (None, data.sha256):
            emit({"event": "warning", "message": "resuming on a different image set"})
    else:
        dcgan.init_weights(netg, train.seed)
        dcgan.init_weights(netd, train.seed + 1)
    ema = None
    if train.ema:
        ema_src = ckpt.arrays("generator") if ckpt is not None and raw != "generator" else None
        ema = Ema(netg, train.ema, ema_src)
    netg.hybridize(static_alloc=True, static_shape=True)
    if not config.spectral_norm:
        netd.hybridize(static_alloc=True, static_shape=True)
    return netg, netd, ema, ckpt, start, stats


def _trainers(train, netg, netd, dist, ckpt):
    require_mxnet()
    from mxnet import gluon

    def adam(lr):
        return {"learning_rate": lr, "beta1": train.beta1, "beta2": train.beta2}

    trainer_g = gluon.Trainer(netg.collect_params(), "adam", adam(train.lr), **dist.trainer_args())
    trainer_d = gluon.Trainer(netd.collect_params(), "adam", adam(train.lr_d or train.lr),
                              **dist.trainer_args(D_KEYS))  # fmt: skip
    if ckpt is not None and "optimizer" in ckpt.files:
        opt = ckpt.arrays("optimizer")
        for prefix, trainer in (("g.", trainer_g), ("d.", trainer_d)):
            arrays = {k[2:]: v for k, v in opt.items() if k.startswith(prefix)}
            if arrays:
                _restore_adam(trainer, arrays, ckpt.resume["optimizer"][prefix[0]])
    return trainer_g, trainer_d


class _Step:
    """One training step: the discriminator, then the generator (and the EMA)."""

    def __init__(self, config, train, netg, netd, trainers, ema, step_size):
        self.config, self.train, self.netg, self.netd = config, train, netg, netd
        self.trainer_g, self.trainer_d = trainers
        self.ema, self.step_size = ema, step_size
        self.policy = check_policy(train.augment)

    def _d(self, x, y, rng):
        require_mxnet()
        import mxnet as mx

        if self.policy:
            x = diff_augment(x, self.policy, rng)
        if self.config.spectral_norm:
            return self.netd(x, y)  # (N,) logits
        if self.config.classes:  # the label as extra input planes
            planes = dcgan.d_input_planes(y.asnumpy(), self.config.classes, x.shape[2])
            x = mx.nd.concat(x, mx.nd.array(planes), dim=1)  # (N, 3 + classes, 64, 64)
        return self.netd(x)  # (N,) logits

    def __call__(self, x, y, zin, rng, step: int) -> tuple[float, float]:
        require_mxnet()
        import mxnet as mx
        from mxnet import autograd

        b, kind = x.shape[0], self.train.loss
        with autograd.record():
            fake = self.netg(zin)  # (b, 3, 64, 64)
            if self.config.spectral_norm:  # no BatchNorm in D: one pass over both
                both = self._d(mx.nd.concat(x, fake.detach(), dim=0),
                               None if y is None else mx.nd.concat(y, y, dim=0), rng)  # fmt: skip
                real_out, fake_out = both[:b], both[b:]
            else:
                real_out, fake_out = self._d(x, y, rng), self._d(fake.detach(), y, rng)
            loss_d = d_loss(kind, real_out, fake_out)
        loss_d.backward()
        self.trainer_d.step(self.step_size)
        with autograd.record():
            loss_g = g_loss(kind, self._d(self.netg(zin), y, rng))
        loss_g.backward()
        self.trainer_g.step(self.step_size)
        if self.ema is not None:
            self.ema.update(step)
        return float(loss_d.mean().asscalar()) / 2, float(loss_g.mean().asscalar())


def train_gan(
    config: GanConfig,
    train: GanTrainConfig,
    data: ImageSet,
    out: str | Path,
    *,
    resume: bool = False,
    progress: Progress | None = None,
    stop: StopFlag | None = None,
    dist=None,
) -> dict:
    """Train (or resume) into checkpoint directory `out`; returns the final "done" event.

    `data` is what is trained on (hold images out before). `dist`: this process's
    `training.dist.Dist` (None: one process, no KVStore)."""
    require_mxnet()
    import mxnet as mx

    from ghostpen.training.dist import Dist

    out = Path(out)
    dist = dist or Dist()
    emit = progress if progress and dist.chief else (lambda event: None)  # rank 0 reports
    stop = stop or StopFlag()
    conditional = config.classes > 0
    if conditional and (data.labels is None or len(data.styles) != config.classes):
        raise ValueError(f"a generator for {config.classes} styles needs images labelled with "
                         f"{config.classes} styles (an npz with 'style' and 'styles')")  # fmt: skip
    netg, netd, ema, ckpt, start, stats = _setup(config, train, data, out, resume, emit)
    trainer_g, trainer_d = _trainers(train, netg, netd, dist, ckpt)
    b = dist.local_batch(train.batch_size)  # this worker's images a step
    part = dist.part(len(data))
    images = data.images[part]  # this worker's share
    labels = data.labels[part] if conditional else None
    n_batches = len(images) // b
    if n_batches == 0:
        each = " per worker" if dist.workers > 1 else ""
        raise ValueError(f"{len(images)} images{each} is fewer than one batch of {b}; use "
                         "--batch-size")  # fmt: skip
    step_size = dist.step_size(b)  # what the summed gradients are divided by
    aux = [p for n in (netg, netd) for p in n.collect_params().values() if p.grad_req == "null"]

    def share_aux(chief_only: bool = False) -> None:
        """BatchNorm statistics: the workers' mean (or rank 0's) on every worker (dist_sync)."""
        if dist.sync:
            sums = dist.sum_arrays([p.data() for p in aux], AUX_KEYS, chief_only)
            for p, total in zip(aux, sums, strict=True):
                p.set_data(total if chief_only else total / dist.workers)

    dist.start([trainer_g, trainer_d], step_size)  # rank 0's weights on every worker
    share_aux(chief_only=True)
    fixed = np.random.default_rng(SAMPLE_SEED).standard_normal((64, config.latent)).astype("f")
    real_div = diversity(to_batch(data.images[:64]))
    n_styles = max(config.classes, 1)
    sampler = lambda rng, n: rng.integers(0, n_styles, n)  # noqa: E731
    dataset = {"source": data.source, "sha256": data.sha256, "images": len(data),
               "styles": list(data.styles) if conditional else []}  # fmt: skip
    budget = train.minutes * 60 if train.minutes else None
    t_start = time.monotonic()
    seconds0 = stats["seconds"]
    collapse = Collapse(train.collapse_steps, train.loss)
    epoch, batch, step = start["epoch"], start["batch"], start["step"]
    emit({"event": "start", "epochs": train.epochs, "batches_per_epoch": n_batches,
          "epoch": epoch, "batch": batch, "step": step,
          "images": len(data), "minutes": train.minutes})  # fmt: skip

    def generator_arrays() -> dict:
        if ema is None:
            return dcgan.weights(netg)
        return ema.arrays(netg, config, sampler)

    def save(epoch: int, batch: int, g_arrays: dict) -> None:
        if not dist.chief:
            return  # only rank 0 writes
        g_arr, g_info = adam_state(trainer_g)
        d_arr, d_info = adam_state(trainer_d)
        opt = {**{f"g.{k}": v for k, v in g_arr.items()}, **{f"d.{k}": v for k, v in d_arr.items()}}
        stats["seconds"] = seconds0 + time.monotonic() - t_start
        stats["images_per_s"] = stats["images"] / max(stats["seconds"], 1e-9)
        weights = {"generator": g_arrays, "discriminator": dcgan.weights(netd)}
        if ema is not None:
            weights["generator_train"] = dcgan.weights(netg)
        if opt:
            weights["optimizer"] = opt
        resume_info = {"epoch": epoch, "batch": batch, "step": step,
                       "optimizer": {"g": g_info, "d": d_info}}  # fmt: skip
        training = {**stats, "train": asdict(train)}
        save_gan_checkpoint(out, config, weights, dataset=dataset, training=training,
                            resume=resume_info)  # fmt: skip

    one_step = _Step(config, train, netg, netd, (trainer_g, trainer_d), ema, step_size)
    reason = "done"
    window_t, window_n = time.monotonic(), 0
    d_l = g_l = float("nan")
    while epoch < train.epochs:
        order = np.random.default_rng(train.seed * 1000 + epoch).permutation(len(images))
        zrng = np.random.default_rng(train.seed * 1000 + epoch + 500_000)
        zs = zrng.standard_normal((n_batches, train.batch_size, config.latent)).astype("f")
        zs = zs[:, dist.rank * b : (dist.rank + 1) * b]  # this worker's part of each step's noise
        arng = np.random.default_rng(train.seed * 1000 + epoch + 700_000 + dist.rank)
        while batch < n_batches:
            late = budget is not None and time.monotonic() - t_start >= budget
            why = dist.agree(stop.requested, late)  # all workers stop together
            if why:
                reason = "stopped" if why == "interrupted" else why
                break
            idx = order[batch * b : (batch + 1) * b]
            x = mx.nd.array(to_batch(images[idx]))  # (b, 3, 64, 64)
            y_np = labels[idx] if conditional else None
            zin = dcgan.g_input(zs[batch], y_np, config.classes)  # (b, latent + classes)
            y = None if y_np is None else mx.nd.array(y_np)
            d_l, g_l = one_step(x, y, mx.nd.array(zin.reshape(b, -1, 1, 1)), arng, step)
            batch += 1
            step += 1
            window_n += b * dist.workers
            stats["images"] += b * dist.workers
            warning = collapse.update(d_l, g_l)
            if warning:
                emit({"event": "warning", "message": warning, "step": step})
            if step % train.report_every == 0:
                now = time.monotonic()
                emit({"event": "step", "epoch": epoch, "batch": batch, "step": step,
                      "d_loss": d_l, "g_loss": g_l,
                      "images_per_s": window_n / max(now - window_t, 1e-9)})  # fmt: skip
                window_t, window_n = now, 0
        if batch < n_batches:
            break
        share_aux()
        if not dist.chief:  # only rank 0 draws samples and writes
            epoch, batch = epoch + 1, 0
            continue
        g_arrays = generator_arrays()
        samples = dcgan.NumpyGenerator(config, g_arrays)(fixed, np.arange(64) % n_styles
                                                         if conditional else None)  # fmt: skip
        div = diversity(samples) / max(real_div, 1e-9)
        grid = out / "samples" / f"epoch-{epoch + 1:03d}.png"
        epoch, batch = epoch + 1, 0
        stats["epochs_done"] = epoch
        stats["history"].append({"epoch": epoch, "d_loss": d_l, "g_loss": g_l,
                                 "diversity": round(div, 4)})  # fmt: skip
        save(epoch, 0, g_arrays)
        save_grid(samples, grid)  # after the checkpoint: a failed save leaves no grid behind
        emit({"event": "epoch", "epoch": epoch, "d_loss": d_l, "g_loss": g_l,
              "diversity": div, "samples": str(grid), "seconds": stats["seconds"]})  # fmt: skip
        if div < 0.25 and step >= train.collapse_steps:  # BN statistics settle first
            emit({"event": "warning", "epoch": epoch,
                  "message": f"possible mode collapse: sample diversity {div:.2f} of the "
                             f"real images'"})  # fmt: skip
    dist.finish()  # this worker's queued gradient rounds complete while all are alive
    if reason != "done" or batch:
        share_aux()
        save(epoch, batch, generator_arrays() if dist.chief else {})
    dist.same_everywhere([*dcgan.weights(netg).values(), *dcgan.weights(netd).values()])
    done = {"event": "done", "reason": reason, "epoch": epoch, "step": step,
            "checkpoint": str(out), "seconds": stats["seconds"],
            "images_per_s": stats.get("images_per_s", 0.0)}  # fmt: skip
    emit(done)
    return done


__all__ = ["GanCheckpointError", "GanTrainConfig", "StopFlag", "train_gan"]
