"""`ghostpen train-gan`: train the tutorial's DCGAN on a folder of images or an .npz.

    ghostpen train-gan --images ../shared/data/avatars-cc/avatars-cc-64.npz --minutes 45 --out av
    ghostpen train-gan --images photos/ --epochs 5 --out faces --progress json
    ghostpen train-gan --images photos/ --out faces --resume         # carry on after Ctrl+C
    ghostpen launch -n 2 -- train-gan --images photos/ --out faces   # 2 workers (dist_sync)
    ghostpen train-gan --recipe avatars-cc --images avatars-cc-64.npz --out av --minutes 60

`--recipe NAME` reads `training/recipes/gan/NAME.json` ("model": GanConfig fields, with
"conditional": true taking `classes` from the images' styles; "train": GanTrainConfig fields);
flags given on the command line override it. A failed checkpoint write (a full disk) keeps the
last good checkpoint, removes the partial files and exits 1.

The output folder is claimed like text training's (`training.outdir`: a lock naming the pid,
an existing model needs --resume or --force, someone else's folder is refused). Ctrl+C or
SIGTERM saves the checkpoint and exits 0. `--kvstore` as in `ghostpen train` (the rules are
in training/dist.py and training/gan.py): under `ghostpen launch` only rank 0 claims the
folder, reports and writes; the others read the images (and, on --resume, the checkpoint's
settings) from the same paths.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import signal
import sys

import numpy as np

from ghostpen.argtypes import fraction, non_negative_int, positive_float, positive_int
from ghostpen.training.dist import KVSTORES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--images", required=True, help="folder of images (recursive) or .npz")
    p.add_argument("--out", required=True, help="checkpoint folder to write")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=positive_float, help="time budget for this run")
    budget.add_argument("--epochs", type=positive_int, help="epochs in all (default 25)")
    p.add_argument("--resume", action="store_true", help="continue the checkpoint in --out")
    p.add_argument("--force", action="store_true", help="replace the model in --out")
    p.add_argument("--recipe", help="a recipe of training/recipes/gan/ (e.g. avatars-cc)")
    p.add_argument("--ngf", type=positive_int, help="generator filters (64)")
    p.add_argument("--ndf", type=positive_int, help="discriminator filters (64)")
    p.add_argument("--latent", type=positive_int, help="latent size (150)")
    p.add_argument("--conditional", action="store_true", default=None,
                   help="condition on the images' styles (an npz's 'style')")  # fmt: skip
    p.add_argument("--spectral-norm", action="store_true", default=None,
                   help="spectrally normalised (projection) discriminator")  # fmt: skip
    p.add_argument("--batch-size", type=positive_int, help="images a step (64)")
    p.add_argument("--lr", type=positive_float, help="generator learning rate (2e-4)")
    p.add_argument("--lr-d", type=positive_float, help="discriminator learning rate (= --lr)")
    p.add_argument("--loss", choices=("bce", "hinge"), help="adversarial loss (bce)")
    p.add_argument("--ema", type=fraction, help="generator weight average decay (0 = off)")
    p.add_argument("--augment", help="DiffAugment: e.g. color,translation,cutout ('' = off)")
    p.add_argument("--holdout-every", type=non_negative_int,
                   help="hold out image ids with id %% N == N-1 (0 = none)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=positive_int, help="use only the first N images")
    p.add_argument("--progress", choices=("bar", "json", "none"), default="bar")
    p.add_argument("--threads", type=int, default=0, help="CPU threads for MXNet (0 = all)")
    p.add_argument(
        "--kvstore",
        choices=KVSTORES,
        default=None,
        help="MXNet KVStore for the gradients; dist_* under `ghostpen launch` (default: none)",
    )


class _Reporter:
    """Turns loop events into a tqdm bar (losses, images/s), JSON lines, or nothing."""

    def __init__(self, mode: str) -> None:
        self.mode, self.bar = mode, None

    def __call__(self, event: dict) -> None:
        if self.mode == "json":
            print(json.dumps(event), flush=True)
        elif self.mode == "bar":
            self._bar(event)
        elif event["event"] == "warning":
            print(f"ghostpen train-gan: {event['message']}", file=sys.stderr)

    def _bar(self, e: dict) -> None:
        from tqdm import tqdm

        kind = e["event"]
        if kind == "start":
            total = None if e["minutes"] else e["epochs"] * e["batches_per_epoch"]
            self.bar = tqdm(total=total, initial=e["step"], unit="batch", dynamic_ncols=True)
        elif kind == "step" and self.bar is not None:
            self.bar.update(e["step"] - self.bar.n)
            self.bar.set_postfix(
                {"D": f"{e['d_loss']:.3f}", "G": f"{e['g_loss']:.3f}",
                 "img/s": f"{e['images_per_s']:.0f}", "epoch": e["epoch"] + 1},
                refresh=False,
            )  # fmt: skip
        elif kind == "epoch" and self.bar is not None:
            self.bar.write(
                f"epoch {e['epoch']}: D {e['d_loss']:.3f} G {e['g_loss']:.3f} "
                f"diversity {e['diversity']:.2f}; samples {e['samples']}"
            )
        elif kind == "warning":
            (self.bar.write if self.bar else print)(f"warning: {e['message']}")
        elif kind == "done":
            if self.bar is not None:
                self.bar.close()
            print(
                f"{e['reason']}: epoch {e['epoch']}, {e['images_per_s']:.1f} images/s; "
                f"checkpoint {e['checkpoint']}",
                file=sys.stderr,
            )


MODEL_FLAGS = {"latent": 150, "ngf": 64, "ndf": 64, "conditional": False, "spectral_norm": False}
TRAIN_FLAGS = ("batch_size", "lr", "lr_d", "loss", "ema", "augment", "holdout_every")


def read_gan_recipe(name: str) -> dict:
    """A recipe of training/recipes/gan/ as {"model": ..., "train": ...}; ValueError if bad."""
    from importlib import resources

    folder = resources.files("ghostpen.training") / "recipes" / "gan"
    names = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))
    if name not in names:
        raise ValueError(f"unknown recipe {name!r}; choose one of {names}")
    data = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    unknown = set(data.get("model", {})) - set(MODEL_FLAGS)
    if unknown:
        raise ValueError(f"recipe {name!r}: unknown model settings {sorted(unknown)}")
    return data


def settings(args) -> tuple[dict, dict]:
    """(GanConfig keyword arguments, GanTrainConfig keyword arguments): recipe, then flags."""
    recipe = read_gan_recipe(args.recipe) if args.recipe else {"model": {}, "train": {}}
    model = {**MODEL_FLAGS, **recipe["model"]}
    for key in MODEL_FLAGS:
        if getattr(args, key, None) is not None:
            model[key] = getattr(args, key)
    model["c"] = model.pop("conditional")
    train = dict(recipe["train"])
    for key in TRAIN_FLAGS:
        if getattr(args, key, None) is not None:
            train[key] = getattr(args, key)
    return model, train


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.archs.dcgan import GanConfig
    from ghostpen.model.gan_checkpoint import FORMAT, GanCheckpointError, read_gan_checkpoint
    from ghostpen.training.images import ImageError, load_images
    from ghostpen.training.outdir import OutputError, claim_output
    from ghostpen.training.step import set_threads

    if args.threads > 0:
        set_threads(args.threads)  # before MXNet is imported (only then it takes effect)

    def fail(msg: str) -> int:
        print(f"ghostpen train-gan: {msg}", file=sys.stderr)
        return 2

    try:
        data = load_images(args.images)
    except ImageError as exc:
        return fail(str(exc))
    try:
        model, args.train_settings = settings(args)
        conditional = model.pop("c")
        if conditional and not data.styles:
            raise ValueError(f"{args.images}: --conditional needs an npz with 'style' and 'styles'")
        config = GanConfig(**model, classes=len(data.styles) if conditional else 0)
    except ValueError as exc:
        return fail(str(exc))
    if data.skipped:
        print(f"ghostpen train-gan: skipped {len(data.skipped)} unreadable file(s), "
              f"e.g. {data.skipped[0][0]} ({data.skipped[0][1]})", file=sys.stderr)  # fmt: skip
    if args.limit:
        data = data.subset(np.arange(min(args.limit, len(data))))
    from ghostpen.training.dist import Dist

    try:
        dist = Dist(args.kvstore)  # a dist_* store waits here for all workers
        claim = None
        if dist.chief:  # only rank 0 writes
            claim = claim_output(args.out, resume=args.resume, force=args.force, kind=FORMAT)
    except (OutputError, ValueError) as exc:
        return fail(str(exc))
    with claim or contextlib.nullcontext():
        if args.resume:
            try:
                config = read_gan_checkpoint(args.out).config  # the checkpoint's own sizes
            except GanCheckpointError as exc:
                return fail(str(exc))
        return _train(args, config, data, dist)


def _train(args, config, data, dist) -> int:
    from ghostpen.model.gan_checkpoint import GanCheckpointError
    from ghostpen.training.gan import GanTrainConfig, StopFlag, train_gan

    epochs = args.epochs or 25
    if args.minutes and not args.epochs:
        epochs = 10_000  # the budget decides
    try:
        train = GanTrainConfig(**args.train_settings, epochs=epochs, minutes=args.minutes,
                               seed=args.seed)  # fmt: skip
    except (TypeError, ValueError) as exc:
        print(f"ghostpen train-gan: {exc}", file=sys.stderr)
        return 2
    data, held = data.split(train.holdout_every)
    if len(held):
        print(f"ghostpen train-gan: {len(held)} images held out (id % {train.holdout_every} == "
              f"{train.holdout_every - 1}), {len(data)} trained on", file=sys.stderr)  # fmt: skip
    stop = StopFlag()
    previous = {s: signal.signal(s, stop.set) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        reporter = _Reporter(args.progress if dist.chief else "none")  # rank 0 reports
        train_gan(config, train, data, args.out, resume=args.resume, progress=reporter,
                  stop=stop, dist=dist)  # fmt: skip
    except (GanCheckpointError, ValueError) as exc:
        print(f"ghostpen train-gan: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a checkpoint write failed; save_gan_checkpoint cleaned up
        what = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        print(f"ghostpen train-gan: cannot write the checkpoint ({what}); the last good "
              f"checkpoint in {args.out} is kept", file=sys.stderr)  # fmt: skip
        return 1
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["train-gan"], argv)


if __name__ == "__main__":
    sys.exit(main())
