"""`ghostpen train-gan`: train the tutorial's DCGAN on a folder of images or an .npz.

    ghostpen train-gan --images ../shared/data/avatars-cc/avatars-cc-64.npz --minutes 45 --out av
    ghostpen train-gan --images photos/ --epochs 5 --out faces --progress json
    ghostpen train-gan --images photos/ --out faces --resume         # carry on after Ctrl+C
    ghostpen launch -n 2 -- train-gan --images photos/ --out faces   # 2 workers (dist_sync)

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
import json
import signal
import sys

from ghostpen.argtypes import positive_float, positive_int
from ghostpen.training.dist import KVSTORES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--images", required=True, help="folder of images (recursive) or .npz")
    p.add_argument("--out", required=True, help="checkpoint folder to write")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=positive_float, help="time budget for this run")
    budget.add_argument("--epochs", type=positive_int, help="epochs in all (default 25)")
    p.add_argument("--resume", action="store_true", help="continue the checkpoint in --out")
    p.add_argument("--force", action="store_true", help="replace the model in --out")
    p.add_argument("--ngf", type=positive_int, default=64, help="generator filters (64)")
    p.add_argument("--ndf", type=positive_int, default=64, help="discriminator filters (64)")
    p.add_argument("--latent", type=positive_int, default=150, help="latent size (150)")
    p.add_argument("--batch-size", type=positive_int, default=64)
    p.add_argument("--lr", type=positive_float, default=2e-4)
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
        config = GanConfig(latent=args.latent, ngf=args.ngf, ndf=args.ndf)
    except ValueError as exc:
        return fail(str(exc))
    try:
        data = load_images(args.images)
    except ImageError as exc:
        return fail(str(exc))
    if data.skipped:
        print(f"ghostpen train-gan: skipped {len(data.skipped)} unreadable file(s), "
              f"e.g. {data.skipped[0][0]} ({data.skipped[0][1]})", file=sys.stderr)  # fmt: skip
    if args.limit:
        data.images = data.images[: args.limit]
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
    train = GanTrainConfig(batch_size=args.batch_size, lr=args.lr, epochs=epochs,
                           minutes=args.minutes, seed=args.seed)  # fmt: skip
    stop = StopFlag()
    previous = {s: signal.signal(s, stop.set) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        reporter = _Reporter(args.progress if dist.chief else "none")  # rank 0 reports
        train_gan(config, train, data, args.out, resume=args.resume, progress=reporter,
                  stop=stop, dist=dist)  # fmt: skip
    except (GanCheckpointError, ValueError) as exc:
        print(f"ghostpen train-gan: {exc}", file=sys.stderr)
        return 2
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["train-gan"], argv)


if __name__ == "__main__":
    sys.exit(main())
