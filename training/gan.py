"""The DCGAN training loop (the tutorial's recipe) with checkpoints, resume and collapse checks.

Per batch: the discriminator learns real -> 1 and fake -> 0, then the generator learns to make
the discriminator say 1 (sigmoid binary cross-entropy; Adam lr 2e-4, beta1 0.5). After every
epoch a sample grid from fixed noise goes to `OUT/samples/epoch-NNN.png` and the checkpoint is
rewritten crash-safely (`model.gan_checkpoint`). A stop request (Ctrl+C / SIGTERM set
`StopFlag`) or the time budget saves the current position, so `resume=True` carries on with
the same shuffles. Progress goes to `progress(event)` as dicts (start, step, epoch, warning,
done).

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
from ghostpen.training.images import ImageSet, to_batch

Progress = Callable[[dict], None]
SAMPLE_SEED = 1234  # the fixed noise behind every epoch's sample grid
D_KEYS = 100_000  # the discriminator's first store key (the generator's are 0, 1, …)
AUX_KEYS = 200_000  # the first store key of the BatchNorm statistics averaged under dist_sync


@dataclass(frozen=True)
class GanTrainConfig:
    batch_size: int = 64
    lr: float = 2e-4
    beta1: float = 0.5
    epochs: int = 25
    minutes: float | None = None
    seed: int = 0
    report_every: int = 10  # steps between "step" events
    collapse_steps: int = 200  # steps of a degenerate loss before warning


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


def _adam_state(trainer) -> tuple[dict, dict]:
    updater, opt = trainer._updaters[0], trainer._optimizer
    arrays = {}
    for idx, (mean, var) in updater.states.items():
        arrays[f"mean{idx}"], arrays[f"var{idx}"] = mean.asnumpy(), var.asnumpy()
    counts = {str(k): int(v) for k, v in opt._index_update_count.items()}
    return arrays, {"index_update_count": counts, "num_update": int(opt.num_update)}


def _restore_adam(trainer, arrays: dict, info: dict) -> None:
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()

    updater, opt = trainer._updaters[0], trainer._optimizer
    for key, value in arrays.items():
        if key.startswith("mean"):
            idx = int(key[4:])
            updater.states[idx] = (mx.nd.array(value), mx.nd.array(arrays[f"var{idx}"]))
            updater.states_synced[idx] = False
    opt._index_update_count.update({int(k): v for k, v in info["index_update_count"].items()})
    opt.num_update = info["num_update"]


class _Collapse:
    """Counts steps with a degenerate loss; warns once per episode."""

    def __init__(self, steps: int) -> None:
        self.steps, self.bad, self.warned = steps, 0, False

    def update(self, d_loss: float, g_loss: float) -> str | None:
        degenerate = d_loss < 0.01 or g_loss > 15.0 or not np.isfinite(d_loss + g_loss)
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

    `dist`: this process's `training.dist.Dist` (None: one process, no KVStore)."""
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()
    from mxnet import autograd, gluon

    from ghostpen.training.dist import Dist

    out = Path(out)
    dist = dist or Dist()
    emit = progress if progress and dist.chief else (lambda event: None)  # rank 0 reports
    stop = stop or StopFlag()
    netg, netd = dcgan.build_generator(config), dcgan.build_discriminator(config)
    start_epoch = start_batch = step = 0
    stats = {"seconds": 0.0, "images": 0, "epochs_done": 0, "history": []}
    if resume:
        ckpt = read_gan_checkpoint(out)
        if ckpt.config != config:
            raise ValueError(f"{out}: --resume with different settings ({ckpt.config})")
        dcgan.set_weights(netg, ckpt.arrays("generator"))
        dcgan.set_weights(netd, ckpt.arrays("discriminator"))
        start_epoch, start_batch = ckpt.resume.get("epoch", 0), ckpt.resume.get("batch", 0)
        step = ckpt.resume.get("step", 0)
        stats.update({k: ckpt.training[k] for k in stats if k in ckpt.training})
        if ckpt.dataset.get("sha256") not in (None, data.sha256):
            emit({"event": "warning", "message": "resuming on a different image set"})
    else:
        dcgan.init_weights(netg, train.seed)
        dcgan.init_weights(netd, train.seed + 1)
    netg.hybridize(static_alloc=True, static_shape=True)
    netd.hybridize(static_alloc=True, static_shape=True)
    adam = {"learning_rate": train.lr, "beta1": train.beta1}
    trainer_g = gluon.Trainer(netg.collect_params(), "adam", adam, **dist.trainer_args())
    trainer_d = gluon.Trainer(netd.collect_params(), "adam", adam, **dist.trainer_args(D_KEYS))
    if resume and "optimizer" in ckpt.files:
        opt = ckpt.arrays("optimizer")
        for prefix, trainer in (("g.", trainer_g), ("d.", trainer_d)):
            arrays = {k[2:]: v for k, v in opt.items() if k.startswith(prefix)}
            if arrays:
                _restore_adam(trainer, arrays, ckpt.resume["optimizer"][prefix[0]])
    loss_fn = gluon.loss.SigmoidBinaryCrossEntropyLoss()
    b = dist.local_batch(train.batch_size)  # this worker's images a step
    images = data.images[dist.part(len(data))]  # this worker's share
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
    ones, zeros = mx.nd.ones((b,)), mx.nd.zeros((b,))
    fixed = np.random.default_rng(SAMPLE_SEED).standard_normal((64, config.latent)).astype("f")
    real_div = diversity(to_batch(data.images[:64]))
    dataset = {"source": data.source, "sha256": data.sha256, "images": len(data)}
    budget = train.minutes * 60 if train.minutes else None
    t_start = time.monotonic()
    seconds0 = stats["seconds"]
    collapse = _Collapse(train.collapse_steps)
    emit({"event": "start", "epochs": train.epochs, "batches_per_epoch": n_batches,
          "epoch": start_epoch, "batch": start_batch, "step": step,
          "images": len(data), "minutes": train.minutes})  # fmt: skip

    def save(epoch: int, batch: int) -> None:
        if not dist.chief:
            return  # only rank 0 writes
        g_arr, g_info = _adam_state(trainer_g)
        d_arr, d_info = _adam_state(trainer_d)
        opt = {**{f"g.{k}": v for k, v in g_arr.items()}, **{f"d.{k}": v for k, v in d_arr.items()}}
        stats["seconds"] = seconds0 + time.monotonic() - t_start
        stats["images_per_s"] = stats["images"] / max(stats["seconds"], 1e-9)
        weights = {"generator": dcgan.weights(netg), "discriminator": dcgan.weights(netd)}
        if opt:
            weights["optimizer"] = opt
        resume_info = {"epoch": epoch, "batch": batch, "step": step,
                       "optimizer": {"g": g_info, "d": d_info}}  # fmt: skip
        training = {**stats, "train": asdict(train)}
        save_gan_checkpoint(out, config, weights, dataset=dataset, training=training,
                            resume=resume_info)  # fmt: skip

    reason = "done"
    epoch, batch = start_epoch, start_batch
    window_t, window_n = time.monotonic(), 0
    d_l = g_l = float("nan")
    while epoch < train.epochs:
        order = np.random.default_rng(train.seed * 1000 + epoch).permutation(len(images))
        zrng = np.random.default_rng(train.seed * 1000 + epoch + 500_000)
        zs = zrng.standard_normal((n_batches, train.batch_size, config.latent, 1, 1)).astype("f")
        zs = zs[:, dist.rank * b : (dist.rank + 1) * b]  # this worker's part of each step's noise
        while batch < n_batches:
            late = budget is not None and time.monotonic() - t_start >= budget
            why = dist.agree(stop.requested, late)  # all workers stop together
            if why:
                reason = "stopped" if why == "interrupted" else why
                break
            x = mx.nd.array(to_batch(images[order[batch * b : (batch + 1) * b]]))
            z = mx.nd.array(zs[batch])  # (b, latent, 1, 1)
            with autograd.record():
                fake = netg(z)  # (b, 3, 64, 64)
                loss_d = loss_fn(netd(x), ones) + loss_fn(netd(fake.detach()), zeros)
            loss_d.backward()
            trainer_d.step(step_size)
            with autograd.record():
                loss_g = loss_fn(netd(netg(z)), ones)  # the generator against the real label
            loss_g.backward()
            trainer_g.step(step_size)
            d_l = float(loss_d.mean().asscalar()) / 2
            g_l = float(loss_g.mean().asscalar())
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
        samples = netg(mx.nd.array(fixed.reshape(64, -1, 1, 1))).asnumpy()  # (64, 3, 64, 64)
        div = diversity(samples) / max(real_div, 1e-9)
        grid = out / "samples" / f"epoch-{epoch + 1:03d}.png"
        save_grid(samples, grid)
        epoch, batch = epoch + 1, 0
        stats["epochs_done"] = epoch
        stats["history"].append({"epoch": epoch, "d_loss": d_l, "g_loss": g_l,
                                 "diversity": round(div, 4)})  # fmt: skip
        save(epoch, 0)
        emit({"event": "epoch", "epoch": epoch, "d_loss": d_l, "g_loss": g_l,
              "diversity": div, "samples": str(grid), "seconds": stats["seconds"]})  # fmt: skip
        if div < 0.25 and step >= train.collapse_steps:  # BN statistics settle first
            emit({"event": "warning", "epoch": epoch,
                  "message": f"possible mode collapse: sample diversity {div:.2f} of the "
                             f"real images'"})  # fmt: skip
    dist.finish()  # this worker's queued gradient rounds complete while all are alive
    if reason != "done" or batch:
        share_aux()
        save(epoch, batch)
    dist.same_everywhere([*dcgan.weights(netg).values(), *dcgan.weights(netd).values()])
    done = {"event": "done", "reason": reason, "epoch": epoch, "step": step,
            "checkpoint": str(out), "seconds": stats["seconds"],
            "images_per_s": stats.get("images_per_s", 0.0)}  # fmt: skip
    emit(done)
    return done


__all__ = ["GanCheckpointError", "GanTrainConfig", "StopFlag", "train_gan"]
