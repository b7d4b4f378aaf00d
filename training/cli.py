"""`ghostpen train`: fit a character-level model on nietzsche.txt or your own documents.

    ghostpen train --corpus notes/ --out runs/notes --minutes 20
    ghostpen train --resume --out runs/notes          # continue where it stopped
    ghostpen train --progress json ...                # one JSON object per line (editor dialog)

Ctrl+C (or SIGTERM) saves a resumable checkpoint and exits 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path

from ghostpen.model.archs import NAMES as ARCHITECTURES
from ghostpen.model.config import ModelConfig
from ghostpen.training.config import TrainConfig

# the default recipe (what assets/models/default was trained with)
DEFAULT_MODEL = ModelConfig()
DEFAULT_TRAIN = TrainConfig()


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--corpus",
        nargs="+",
        metavar="PATH",
        help="text files or folders (recursive); default: nietzsche.txt, fetched once",
    )
    p.add_argument(
        "--ext",
        default=None,
        help="comma-separated extensions to read from folders (default: common text)",
    )
    p.add_argument("--out", default="runs/model", help="checkpoint directory (default runs/model)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the run saved in --out (weights, optimizer, position)",
    )
    p.add_argument(
        "--progress",
        choices=("bar", "json", "none"),
        default="bar",
        help="progress display: a tqdm bar, JSON lines on stdout, or nothing",
    )
    m = p.add_argument_group("model")
    m.add_argument("--arch", choices=ARCHITECTURES, default=DEFAULT_MODEL.arch)
    m.add_argument("--embed", type=int, default=DEFAULT_MODEL.num_embed, help="embedding size")
    m.add_argument("--hidden", type=int, default=DEFAULT_MODEL.num_hidden, help="units per layer")
    m.add_argument("--layers", type=int, default=DEFAULT_MODEL.num_layers)
    m.add_argument("--dropout", type=float, default=DEFAULT_MODEL.dropout)
    t = p.add_argument_group("training")
    t.add_argument("--epochs", type=int, default=DEFAULT_TRAIN.epochs)
    t.add_argument(
        "--minutes",
        type=float,
        default=DEFAULT_TRAIN.minutes,
        help="wall-clock budget for this run (0 = none)",
    )
    t.add_argument("--seq-len", type=int, default=DEFAULT_TRAIN.seq_len)
    t.add_argument("--batch-size", type=int, default=DEFAULT_TRAIN.batch_size)
    t.add_argument("--lr", type=float, default=DEFAULT_TRAIN.lr)
    t.add_argument("--clip", type=float, default=DEFAULT_TRAIN.clip)
    t.add_argument("--weight-decay", type=float, default=DEFAULT_TRAIN.weight_decay)
    t.add_argument("--patience", type=int, default=DEFAULT_TRAIN.patience)
    t.add_argument("--valid-fraction", type=float, default=DEFAULT_TRAIN.valid_fraction)
    t.add_argument(
        "--valid-every",
        type=int,
        default=DEFAULT_TRAIN.valid_every,
        help="steps between validations (0 = once per epoch)",
    )
    t.add_argument("--seed", type=int, default=DEFAULT_TRAIN.seed)
    t.add_argument("--threads", type=int, default=0, help="CPU threads for MXNet (0 = all)")


class _Reporter:
    """Turns loop events into a tqdm bar, JSON lines, or nothing."""

    def __init__(self, mode: str):
        self.mode = mode
        self.bar = None

    def __call__(self, event: dict) -> None:
        if self.mode == "json":
            print(json.dumps(event), flush=True)
        elif self.mode == "bar":
            self._bar(event)

    def _bar(self, event: dict) -> None:
        from tqdm import tqdm

        kind = event["event"]
        if kind == "start":
            total = event["epochs"] * event["chunks_per_epoch"]
            self.bar = tqdm(total=total, initial=event["step"], unit="step", dynamic_ncols=True)
            self.val = None
        elif kind == "step" and self.bar is not None:
            self.bar.update(event["step"] - self.bar.n)
            post = {
                "loss": f"{event['loss']:.3f}",
                "chars/s": f"{event['chars_per_s']:.0f}",
                "epoch": event["epoch"] + 1,
            }
            if self.val is not None:
                post["val_bpc"] = f"{self.val:.3f}"
            self.bar.set_postfix(post, refresh=False)
        elif kind == "valid" and self.bar is not None:
            self.val = event["val_bpc"]
            mark = "*" if event["improved"] else ""
            self.bar.write(
                f"epoch {event['epoch']}: val bpc {event['val_bpc']:.4f}{mark} "
                f"(best {event['best_val_bpc']:.4f}, lr {event['lr']:.2g})"
            )
        elif kind == "done":
            if self.bar is not None:
                self.bar.close()
            print(
                f"{event['reason']}: best validation bpc {event['best_val_bpc']:.4f}; "
                f"checkpoint {event['checkpoint']}",
                file=sys.stderr,
            )


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.checkpoint import CheckpointError
    from ghostpen.training.corpus import CorpusError, load_corpus

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        model_config = ModelConfig(
            arch=args.arch,
            num_embed=args.embed,
            num_hidden=args.hidden,
            num_layers=args.layers,
            dropout=args.dropout,
        )
        config = TrainConfig(
            seq_len=args.seq_len,
            batch_size=args.batch_size,
            lr=args.lr,
            clip=args.clip,
            weight_decay=args.weight_decay,
            epochs=args.epochs,
            minutes=args.minutes,
            patience=args.patience,
            valid_fraction=args.valid_fraction,
            valid_every=args.valid_every,
            seed=args.seed,
        )
    except ValueError as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 2
    try:
        if args.corpus:
            exts = (
                tuple(f".{e.strip().lstrip('.').lower()}" for e in args.ext.split(","))
                if args.ext
                else None
            )
            corpus = load_corpus(args.corpus, **({"extensions": exts} if exts else {}))
        else:
            from ghostpen.training.download import nietzsche_path

            corpus = load_corpus([nietzsche_path()])
    except (CorpusError, OSError) as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 2
    for f, reason in corpus.skipped:
        print(f"ghostpen train: skipped {f} ({reason})", file=sys.stderr)
    if args.threads:
        import mxnet as mx

        mx.base._LIB.MXSetNumOMPThreads(args.threads)
    from ghostpen.training.loop import StopFlag, train

    stop = StopFlag()
    previous = {s: signal.signal(s, stop.set) for s in (signal.SIGINT, signal.SIGTERM)}
    info = {
        "files": [str(f) for f in corpus.files][:50],
        "file_count": len(corpus.files),
        "chars": len(corpus.text),
        "sha256": corpus.sha256,
    }
    try:
        train(
            model_config,
            config,
            corpus.text,
            Path(args.out),
            resume=args.resume,
            progress=_Reporter(args.progress),
            stop=stop,
            corpus_info=info,
        )
    except (CheckpointError, ValueError) as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 2
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["train"], argv)


if __name__ == "__main__":
    sys.exit(main())
