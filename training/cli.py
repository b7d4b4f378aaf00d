"""`ghostpen train`: fit a character-level model on nietzsche.txt or your own documents.

    ghostpen train --corpus notes/ --out runs/notes --minutes 20
    ghostpen train --resume --out runs/notes          # continue where it stopped (same corpus)
    ghostpen train --force --out runs/notes ...       # replace the model in runs/notes
    ghostpen train --progress json ...                # one JSON object per line (editor dialog)
    ghostpen train --recipe nietzsche                 # the bundled model's settings
    ghostpen train --corpus notes/ --from default --out notes   # fine-tune (training/finetune.py)

Settings come from the defaults (ModelConfig / TrainConfig), or from `--recipe NAME`
(training/recipes/NAME.json); flags given explicitly override either.

Ctrl+C (or SIGTERM) saves a resumable checkpoint and exits 0. `--out` is checked and claimed
before training (a file, a read-only folder, someone else's files, a model there without
--resume/--force, another training using it: exit 2); a checkpoint that cannot be written (a
full disk) keeps the last good one and exits 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from pathlib import Path

from ghostpen.argtypes import (
    fraction,
    non_negative_float,
    non_negative_int,
    open_fraction,
    positive_float,
    positive_int,
)
from ghostpen.model import config as model_config
from ghostpen.model.config import ModelConfig
from ghostpen.training import finetune
from ghostpen.training.config import TrainConfig, train_flags
from ghostpen.training.events import parse

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
        help="continue the run saved in --out (weights, optimizer, position) on its corpus",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace the model in --out (its files go once the new run's first checkpoint is "
        "written)",
    )
    p.add_argument(
        "--new-corpus",
        action="store_true",
        help="with --resume: continue on different text than the checkpoint was trained on",
    )
    p.add_argument(
        "--progress",
        choices=("bar", "json", "none"),
        default="bar",
        help="progress display: a tqdm bar, JSON lines on stdout, or nothing",
    )
    p.add_argument(
        "--recipe",
        default=None,
        help="start from a named recipe's settings, e.g. nietzsche (the bundled model's)",
    )
    model_config.add_arguments(p)
    t = p.add_argument_group("training (default: the recipe's, else the value shown)")
    t.add_argument("--epochs", type=positive_int, help=f"({DEFAULT_TRAIN.epochs})")
    t.add_argument(
        "--minutes",
        type=non_negative_float,
        help="wall-clock budget for this run, 0 = none "
        f"({_default('minutes', DEFAULT_TRAIN.minutes)})",
    )
    t.add_argument("--seq-len", type=positive_int, help=f"({DEFAULT_TRAIN.seq_len})")
    t.add_argument("--batch-size", type=positive_int, help=f"({DEFAULT_TRAIN.batch_size})")
    t.add_argument(
        "--lr",
        type=positive_float,
        help=f"Adam learning rate ({_default('lr', DEFAULT_TRAIN.lr)})",
    )
    t.add_argument("--clip", type=positive_float, help=f"({DEFAULT_TRAIN.clip})")
    t.add_argument(
        "--weight-decay", type=non_negative_float, help=f"({DEFAULT_TRAIN.weight_decay})"
    )
    t.add_argument(
        "--patience",
        type=positive_int,
        help="stop after this many validations without improvement "
        f"({_default('patience', DEFAULT_TRAIN.patience)})",
    )
    t.add_argument("--valid-fraction", type=open_fraction, help=f"({DEFAULT_TRAIN.valid_fraction})")
    t.add_argument(
        "--test-fraction",
        type=fraction,
        help="leave the corpus's last part out entirely, as the test tail that `eval bpc` and "
        "`eval ksr --tail-fraction` score; validation is the slice before it "
        f"({DEFAULT_TRAIN.test_fraction})",
    )
    t.add_argument(
        "--valid-every",
        type=non_negative_int,
        help=f"steps between validations (0 = once per epoch) ({DEFAULT_TRAIN.valid_every})",
    )
    t.add_argument("--seed", type=non_negative_int, help=f"({DEFAULT_TRAIN.seed})")
    d = p.add_argument_group("several workers or devices (see training/dist.py)")
    d.add_argument(
        "--kvstore",
        choices=("local", "device", "dist_sync", "dist_async"),
        default=None,
        help="MXNet KVStore for the gradients; dist_* under `ghostpen launch` (default: none)",
    )
    d.add_argument(
        "--gpus",
        type=_gpus,
        default=None,
        metavar="0,1",
        help="train on these GPUs, the batch split over them (untested here: no GPU)",
    )
    t.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help="CPU threads for MXNet (default: OMP_NUM_THREADS if set, else the usable cores)",
    )
    finetune.add_arguments(p)


def _default(field: str, scratch: float) -> str:
    """'0.002; with --from: 0.001' when a fine-tune has its own default for `field`."""
    tuned = finetune.DEFAULTS.get(field)
    shown = f"{scratch:g}"
    return shown if tuned is None or tuned == scratch else f"{shown}; with --from: {tuned:g}"


def _gpus(text: str) -> tuple[int, ...]:
    from ghostpen.training.dist import parse_gpus

    return parse_gpus(text)


def configs(args: argparse.Namespace) -> tuple[ModelConfig, TrainConfig]:
    """The recipe's settings (or the defaults) with the flags given on top; ValueError if bad."""
    from ghostpen.training.recipe import load_recipe

    from_scratch = args.recipe and not getattr(args, "from_model", None)  # else finetune.py's
    model, train = load_recipe(args.recipe) if from_scratch else (ModelConfig(), TrainConfig())
    return model_config.with_flags(model, args), TrainConfig.from_json(
        {**train.to_json(), **train_flags(args)}
    )


# tqdm's own remaining time assumes every epoch runs; "left" in the postfix is the loop's eta_s
BAR_FORMAT = {"bar_format": "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]"}


def _clock(seconds: float) -> str:
    """3725 -> '1:02:05', 75 -> '1:15'."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _expected_total(total: int, first: tuple[int, float], event) -> int:
    """The steps this run will end at: all epochs' steps, or fewer when the time budget
    (`eta_s`) ends first at the speed seen since the start."""
    step0, t0 = first
    elapsed = time.monotonic() - t0
    if event.step <= step0 or elapsed <= 0:
        return total
    by_time = event.step + round(event.eta_s * (event.step - step0) / elapsed)
    return max(event.step, min(total, by_time))


class _Reporter:
    """Turns loop events into a tqdm bar, JSON lines, or nothing."""

    def __init__(self, mode: str):
        self.mode = mode
        self.bar = None

    def __call__(self, event: dict) -> None:
        if self.mode == "json":
            print(json.dumps(event), flush=True)
        elif self.mode == "bar":
            self._bar(parse(event))

    def _bar(self, event) -> None:
        from tqdm import tqdm

        if event.event == "start":
            total = event.epochs * event.chunks_per_epoch
            self.bar = tqdm(
                total=total, initial=event.step, unit="step", dynamic_ncols=True, **BAR_FORMAT
            )
            self.val, self.first, self.epochs_total = None, (event.step, time.monotonic()), total
        elif event.event == "step" and self.bar is not None:
            self.bar.total = _expected_total(self.epochs_total, self.first, event)
            self.bar.update(event.step - self.bar.n)
            post = {
                "left": _clock(event.eta_s),  # the loop's: epochs or --minutes, which ends first
                "loss": f"{event.loss:.3f}",
                "chars/s": f"{event.chars_per_s:.0f}",
                "epoch": event.epoch + 1,
            }
            if self.val is not None:
                post["val_bpc"] = f"{self.val:.3f}"
            self.bar.set_postfix(post, refresh=False)
        elif event.event == "valid" and self.bar is not None:
            self.val = event.val_bpc
            mark = "*" if event.improved else ""
            self.bar.write(
                f"epoch {event.epoch}: val bpc {event.val_bpc:.4f}{mark} "
                f"(best {event.best_val_bpc:.4f}, lr {event.lr:.2g})"
            )
        elif event.event == "done":
            if self.bar is not None:
                self.bar.close()
            best = "none" if event.best_val_bpc is None else f"{event.best_val_bpc:.4f}"
            print(
                f"{event.reason}: best validation bpc {best}; checkpoint {event.checkpoint}",
                file=sys.stderr,
            )


def _load_corpus(args: argparse.Namespace, resumed) -> tuple:
    """(corpus, the checkpoint's corpus record or None); CorpusError/OSError when unusable."""
    from ghostpen.training.corpus import load_corpus
    from ghostpen.training.corpus_record import check_same, recorded_corpus

    rec = resumed.training.get("corpus") if resumed is not None else None
    if args.corpus:
        exts = (
            tuple(f".{e.strip().lstrip('.').lower()}" for e in args.ext.split(","))
            if args.ext
            else None
        )
        corpus = load_corpus(args.corpus, **({"extensions": exts} if exts else {}))
        if rec:
            check_same(rec, corpus, Path(args.out), args.new_corpus)
        return corpus
    if resumed is not None:
        return recorded_corpus(rec or {}, Path(args.out))
    from ghostpen.training.download import nietzsche_path

    return load_corpus([nietzsche_path()])


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.checkpoint import FORMAT, CheckpointError, read_checkpoint
    from ghostpen.training.corpus import CorpusError, check_size, held_in
    from ghostpen.training.corpus_record import record
    from ghostpen.training.outdir import OutputError, claim_output
    from ghostpen.training.step import default_threads, set_threads

    finetune.apply_nice(args)
    set_threads(default_threads(args.threads))  # before MXNet is imported: only then it works
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    # a fine-tune's (or a resumed one's) plain NAME is a folder in the user models folder
    out = finetune.output_path(args.out) if (args.from_model or args.resume) else Path(args.out)
    try:
        problem = finetune.check_args(args)
        if problem:
            raise ValueError(problem)
        model_config, config = configs(args)
        resumed = read_checkpoint(out) if args.resume else None
        corpus = _load_corpus(args, resumed)
        if resumed is None:  # a resumed run checks against the checkpoint's own settings
            check_size(
                len(held_in(corpus.text, config.test_fraction)),
                config.batch_size,
                config.seq_len,
                config.valid_fraction,
            )
    except (CheckpointError, CorpusError, ValueError, OSError) as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 2
    for f, reason in corpus.skipped:
        print(f"ghostpen train: skipped {f} ({reason})", file=sys.stderr)
    from ghostpen.training.dist import Dist
    from ghostpen.training.loop import SaveError, StopFlag, train

    claim = None
    stop = StopFlag()
    previous = {s: signal.signal(s, stop.set) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        dist = Dist(args.kvstore, args.gpus)  # a dist_* store waits here for all workers
        if dist.chief:  # checked before any training step; held until the run has ended
            claim = claim_output(out, resume=args.resume, force=args.force, kind=FORMAT)
        common = {  # what a fine-tune passes on to train()
            "progress": _Reporter(args.progress if dist.chief else "none"),  # rank 0 reports
            "stop": stop,
            "corpus_info": record(corpus),
            "claim": claim,
            "dist": dist,
        }
        if args.from_model and not args.resume:
            result = finetune.finetune(
                args.from_model,
                corpus.text,
                out,
                explicit=finetune.explicit_train_flags(args),
                min_count=args.min_count,
                dropout=finetune.dropout(args),
                **common,
            )
        else:
            result = train(model_config, config, corpus.text, out, resume=args.resume, **common)
    except (CheckpointError, OutputError, ValueError) as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 2
    except SaveError as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 1
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if claim is not None:
            claim.release()
    if finetune.report_line(result):
        print(f"ghostpen train: {finetune.report_line(result)}", file=sys.stderr)
    if result["reason"] == "non-finite loss":
        print(
            "ghostpen train: the loss became NaN or infinite; stopped without saving it "
            f"(the last finite checkpoint in {args.out} is kept). Try a lower --lr or --clip.",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["train"], argv)


if __name__ == "__main__":
    sys.exit(main())
