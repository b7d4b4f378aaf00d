"""Fine-tuning: `ghostpen train --corpus PATH… --from MODEL --out NAME`.

Continues training an existing model (bundled name, user model name or path; see
`ghostpen.model.library.resolve_model`) on the user's documents:

- the vocabulary grows by the corpus's new characters (`ghostpen.model.grow`; those rarer than
  `--min-count`, default 3, map to the unknown id); every base weight is kept;
- defaults for personal corpora of 20 KB to 50 MB (flags given explicitly override them):
  `--minutes 10`, Adam at lr 1e-3 (half the from-scratch rate: the weights are already good),
  early stopping after 2 validations without improvement, validation on the held-out 10% tail
  of the user's own text (at most `MAX_VALID_CHARS` characters, so a 50 MB corpus validates in
  seconds), every epoch or every `VALID_EVERY_MAX` steps, whichever comes first;
- before the first step the base model is scored on that tail with its own vocabulary; the
  "done" event carries it as `base_val_bpc` next to the fine-tuned `best_val_bpc`, and
  meta.json's training stats record `base_model` (name, path, sha256 of its weights, that
  bpc, the characters added);
- `--nice N` lowers the process's priority first (the editor's training dialog passes it,
  with `--threads 1`, so a fine-tune does not fight the GUI for the cores).

`--out NAME` without a slash is a folder in the user models folder.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from ghostpen.argtypes import non_negative_int, positive_int
from ghostpen.model.archs import build_model
from ghostpen.model.checkpoint import Checkpoint, file_sha256, load_params, read_checkpoint
from ghostpen.model.config import SHAPE_FLAGS, ModelConfig, setting_flags
from ghostpen.model.fast import FastModel
from ghostpen.model.grow import (
    MIN_COUNT,
    grow_params,
    grow_vocab,
    mean_log_partition,
    new_characters,
    new_logit_bias,
)
from ghostpen.model.library import output_path as library_output
from ghostpen.model.library import resolve_model
from ghostpen.training.config import TrainConfig, train_flags
from ghostpen.training.corpus import held_in
from ghostpen.training.data import batchify
from ghostpen.training.loop import VALID_BATCH, evaluate, train
from ghostpen.training.plan import RunPlan, plan_run
from ghostpen.training.recipe import finetune_settings, is_finetune, read_recipe

DEFAULTS = {"minutes": 10.0, "lr": 1e-3, "patience": 2, "lr_patience": 1}
MAX_VALID_CHARS = 500_000  # a held-out tail longer than this is cut to its last part
VALID_EVERY_MAX = 200  # steps between validations when an epoch is longer than this


def add_arguments(p: argparse.ArgumentParser) -> None:
    f = p.add_argument_group("fine-tuning")
    f.add_argument(
        "--from",
        dest="from_model",
        metavar="MODEL",
        help="fine-tune this model (bundled or user model name, or a checkpoint folder) "
        "instead of training from scratch; then --out NAME is a user model",
    )
    f.add_argument(
        "--min-count",
        type=positive_int,
        default=MIN_COUNT,
        help=f"new characters rarer than this map to the unknown id ({MIN_COUNT})",
    )
    f.add_argument(
        "--nice",
        type=non_negative_int,
        default=0,
        help="lower this process's CPU priority by N first (the editor passes 10)",
    )


def check_args(args: argparse.Namespace) -> str | None:
    """A message for flags that make no sense with --from (None when all is well)."""
    if not getattr(args, "from_model", None):
        return None
    fixed = {**{d: d for d in SHAPE_FLAGS}, **setting_flags()}  # the base model's shape
    given = [
        f"--{name.replace('_', '-')}"
        for dest, name in fixed.items()
        if getattr(args, dest, None) is not None
    ]
    if given:
        return f"{', '.join(given)}: the network's shape comes from the --from model"
    recipe = getattr(args, "recipe", None)
    if recipe:
        if not is_finetune(recipe):
            return f"--recipe {recipe} trains from scratch; with --from give a fine-tune recipe"
    return None


def apply_nice(args: argparse.Namespace) -> None:
    if getattr(args, "nice", 0):
        try:
            os.nice(args.nice)
        except (OSError, AttributeError):  # Windows has no os.nice; not worth failing over
            pass


def output_path(spec: str) -> Path:
    """--out of a fine-tune: a plain NAME is a folder in the user models folder."""
    return library_output(spec)


def finetune_config(explicit: dict, base_train: dict, text_len: int):
    """The TrainConfig of a fine-tune: the base model's training settings, then `DEFAULTS`,
    the held-out fraction and validation interval for this corpus, then the flags given."""
    data = {**TrainConfig().to_json(), **base_train, **DEFAULTS}
    data["valid_fraction"] = min(0.1, max(MAX_VALID_CHARS / max(text_len, 1), 1e-4))
    per_epoch = int(text_len * (1 - data["valid_fraction"])) // (
        data["batch_size"] * data["seq_len"]
    )
    data["valid_every"] = VALID_EVERY_MAX if per_epoch > VALID_EVERY_MAX else 0
    data["epochs"] = max(data["epochs"], 1000)  # the time budget and early stopping end it
    data.update(explicit)
    return TrainConfig.from_json(data)


def base_info(path: Path, ckpt, added: list[tuple[str, int]]) -> dict:
    """What meta.json records about the base model."""
    return {
        "name": ckpt.name,
        "path": str(path),
        "sha256": file_sha256(path / ckpt.files["params"]),
        "vocab": len(ckpt.vocab),
        "added_chars": "".join(c for c, _ in added),
    }


@dataclass
class BaseStart:
    """What a fine-tune's plan read of its base model (its meta.json; the weights come later)."""

    path: Path  # the base model's folder
    ckpt: Checkpoint  # its checkpoint
    added: list[tuple[str, int]]  # (character, count) added to its vocabulary
    held_chars: int  # characters of the held-in text the counts are of


def plan_finetune(
    base_spec: str,
    text: str,
    out: Path,
    *,
    explicit: dict | None = None,
    min_count: int = MIN_COUNT,
    dropout: float | None = None,
    corpus_info: dict | None = None,
) -> tuple[RunPlan, BaseStart]:
    """The plan of fine-tuning `base_spec` on `text` into `out`: the settings (`finetune_config`),
    the grown vocabulary and network; CheckpointError / ValueError when it cannot run.
    `dropout` replaces the base model's (it changes no weight's shape)."""
    path = resolve_model(base_spec)
    ckpt = read_checkpoint(path)
    config = finetune_config(explicit or {}, ckpt.stats.train_config or {}, len(text))
    held = held_in(text, config.test_fraction)  # the test tail adds no character either
    added = new_characters(ckpt.vocab, held, min_count)
    vocab = grow_vocab(ckpt.vocab, held, min_count)
    model_config = ModelConfig.from_json({**ckpt.config.to_json(), "vocab_size": len(vocab)})
    if dropout is not None:
        model_config.dropout = dropout
    plan = plan_run(model_config, config, text, out, vocab=vocab, corpus_info=corpus_info)
    return plan, BaseStart(path, ckpt, added, len(held))


def run_finetune(plan: RunPlan, base: BaseStart, **train_args) -> dict:
    """Score the base model on the plan's held-out text, then train from its weights grown to
    the new vocabulary; `train_args` go on to `train` (progress, stop, claim, dist)."""
    ckpt = base.ckpt
    base_net = build_model(ckpt.config)
    load_params(base_net, base.path / ckpt.files["params"])
    train_text, valid_text = plan.splits
    stats = base_info(base.path, ckpt, base.added)
    valid = batchify(ckpt.vocab.ids(valid_text), min(plan.config.batch_size, VALID_BATCH))
    stats["val_bpc"] = round(evaluate(base_net, valid), 4)  # base model, its own vocabulary
    log_z = mean_log_partition(FastModel.from_gluon(base_net), ckpt.vocab.ids(train_text))
    bias = new_logit_bias(log_z, [n for _, n in base.added], base.held_chars)
    return train(
        None,
        None,
        plan.text,
        plan.out,
        plan=plan,
        init=lambda net: grow_params(base_net, net, len(ckpt.vocab), bias),
        extra_stats={"base_model": stats},
        **train_args,
    )


def finetune(
    base_spec: str,
    text: str,
    out: Path,
    *,
    explicit: dict | None = None,
    min_count: int = MIN_COUNT,
    progress=None,
    stop=None,
    corpus_info: dict | None = None,
    claim=None,
    dist=None,
    dropout: float | None = None,
) -> dict:
    """Fine-tune the model `base_spec` on `text` into `out`; returns the "done" event.
    `claim` and `dist` are passed on to `train` (the held output folder, a distributed run)."""
    plan, base = plan_finetune(base_spec, text, out, explicit=explicit, min_count=min_count,
                               dropout=dropout, corpus_info=corpus_info)  # fmt: skip
    return run_finetune(plan, base, progress=progress, stop=stop, claim=claim, dist=dist)


def explicit_train_flags(args: argparse.Namespace) -> dict:
    """TrainConfig fields set by a fine-tune recipe (`--recipe`), then on the command line."""
    given = finetune_settings(args.recipe) if getattr(args, "recipe", None) else {}
    given.update(train_flags(args))
    return given


def dropout(args: argparse.Namespace) -> float | None:
    """--dropout, else a fine-tune recipe's "model": {"dropout": …}, else None (the base's)."""
    if getattr(args, "dropout", None) is not None:
        return args.dropout
    if getattr(args, "recipe", None):
        return (read_recipe(args.recipe).get("model") or {}).get("dropout")
    return None


def report_line(result: dict) -> str | None:
    """ "base default 4.312 bpc -> fine-tuned 1.612 bpc on the held-out tail" (fine-tunes)."""
    base = result.get("base_val_bpc")
    if base is None:
        return None
    best = result.get("best_val_bpc")
    new = "none" if best is None else f"{best:.3f}"
    return (
        f"held-out bpc: base {result.get('base_model') or 'model'} {base:.3f} -> fine-tuned {new}"
    )
