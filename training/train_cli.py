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
import logging
import signal
import sys
from pathlib import Path

from ghostpen.argtypes import (
    fraction,
    non_negative_float,
    non_negative_int,
    open_fraction,
    positive_float,
    positive_int,
)
from ghostpen.cli import run_as
from ghostpen.model import config as model_config
from ghostpen.model.checkpoint import Checkpoint, CheckpointError, read_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.training import download, finetune
from ghostpen.training.config import TrainConfig, train_flags
from ghostpen.training.corpus import Corpus, CorpusError, load_corpus
from ghostpen.training.corpus_record import check_same, record, recorded_corpus
from ghostpen.training.dist import Dist, parse_gpus
from ghostpen.training.finetune import BaseStart
from ghostpen.training.loop import SaveError, StopFlag, train
from ghostpen.training.outdir import OutputError
from ghostpen.training.plan import RunPlan, claim_output_for, plan_run
from ghostpen.training.recipe import load_recipe
from ghostpen.training.reporter import Reporter
from ghostpen.training.step import default_threads, set_threads

DEFAULT_MODEL = ModelConfig()
DEFAULT_TRAIN = TrainConfig()


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Every flag of `ghostpen train`: run, model (model/config.py), training, fine-tuning."""
    _run_arguments(p)
    model_config.add_arguments(p)
    t = _train_arguments(p)
    _dist_arguments(p, t)
    finetune.add_arguments(p)


def _run_arguments(p: argparse.ArgumentParser) -> None:
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


def _train_arguments(p: argparse.ArgumentParser):
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
    return t


def _dist_arguments(p: argparse.ArgumentParser, t) -> None:
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


def _default(field: str, scratch: float) -> str:
    """'0.002; with --from: 0.001' when a fine-tune has its own default for `field`."""
    tuned = finetune.DEFAULTS.get(field)
    shown = f"{scratch:g}"
    return shown if tuned is None or tuned == scratch else f"{shown}; with --from: {tuned:g}"


def _gpus(text: str) -> tuple[int, ...]:
    return parse_gpus(text)


def configs(args: argparse.Namespace) -> tuple[ModelConfig, TrainConfig]:
    """The recipe's settings (or the defaults) with the flags given on top; ValueError if bad."""
    from_scratch = args.recipe and not getattr(args, "from_model", None)  # else finetune.py's
    model, train = load_recipe(args.recipe) if from_scratch else (ModelConfig(), TrainConfig())
    return model_config.with_flags(model, args), TrainConfig.from_json(
        {**train.to_json(), **train_flags(args)}
    )


def _load_corpus(args: argparse.Namespace, resumed: Checkpoint | None) -> Corpus:
    """The corpus to train on (--corpus, the resumed checkpoint's, else nietzsche.txt);
    CorpusError/OSError when unusable."""
    rec = resumed.stats.corpus_json if resumed is not None else None
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
    return load_corpus([download.nietzsche_path()])  # (tests replace it: looked up here)


def make_plan(args: argparse.Namespace) -> tuple[RunPlan, BaseStart | None, Corpus]:
    """The run's plan, made once: settings, corpus, the resumed checkpoint (read once), the
    base model of a new fine-tune; CheckpointError, CorpusError, ValueError or OSError."""
    # a fine-tune's (or a resumed one's) plain NAME is a folder in the user models folder
    out = finetune.output_path(args.out) if (args.from_model or args.resume) else Path(args.out)
    problem = finetune.check_args(args)
    if problem:
        raise ValueError(problem)
    model, config = configs(args)
    resumed = read_checkpoint(out) if args.resume else None
    corpus = _load_corpus(args, resumed)
    if args.from_model and not args.resume:
        plan, base = finetune.plan_finetune(
            args.from_model,
            corpus.text,
            out,
            explicit=finetune.explicit_train_flags(args),
            min_count=args.min_count,
            dropout=finetune.dropout(args),
            corpus_info=record(corpus),
        )
        return plan, base, corpus
    plan = plan_run(model, config, corpus.text, out, resumed=resumed, corpus_info=record(corpus))
    return plan, None, corpus


def run(args: argparse.Namespace) -> int:
    finetune.apply_nice(args)
    set_threads(default_threads(args.threads))  # before MXNet is imported: only then it works
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        plan, base, corpus = make_plan(args)
    except (CheckpointError, CorpusError, ValueError, OSError) as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 2
    for f, reason in corpus.skipped:
        print(f"ghostpen train: skipped {f} ({reason})", file=sys.stderr)
    try:
        result = _run_plan(args, plan, base)
    except (CheckpointError, OutputError, ValueError) as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 2
    except SaveError as exc:
        print(f"ghostpen train: {exc}", file=sys.stderr)
        return 1
    return _report(result, args)


def _run_plan(args: argparse.Namespace, plan: RunPlan, base: BaseStart | None) -> dict:
    """Train by `plan` with the output folder claimed and Ctrl+C / SIGTERM caught (both
    undone at the end); the "done" event."""
    claim = None
    stop = StopFlag()
    previous = {s: signal.signal(s, stop.set) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        dist = Dist(args.kvstore, args.gpus)  # a dist_* store waits here for all workers
        claim = claim_output_for(plan, args.force, dist)  # held until the run has ended
        common = {
            "progress": Reporter(args.progress if dist.chief else "none"),  # rank 0 reports
            "stop": stop,
            "claim": claim,
            "dist": dist,
        }
        if base is not None:
            return finetune.run_finetune(plan, base, **common)
        return train(None, None, plan.text, plan.out, plan=plan, **common)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if claim is not None:
            claim.release()


def _report(result: dict, args: argparse.Namespace) -> int:
    """The run's last lines on stderr; its exit status."""
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
    return run_as(["train"], argv)


if __name__ == "__main__":
    sys.exit(main())
