"""One training run's plan, settled once before any step: `plan_run(...) -> RunPlan`.

    plan = plan_run(model_config, train_config, text, out, resume=True)
    claim = claim_output_for(plan, force=False, dist=dist)   # None on workers but rank 0
    train(plan=plan, claim=claim, ...)                        # training/loop.py

The plan reads the checkpoint `--resume` continues (once: the loop uses this copy), settles the
settings the run uses (a resumed run's are the checkpoint's, with the budget, epochs and
patience given now), checks the corpus is long enough for them (once), builds or takes the
vocabulary and splits the text (once: `splits`). `ghostpen train` (training/train_cli.py), a
fine-tune (training/finetune.py) and a library call of `train()` all go through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ghostpen.model.checkpoint import FORMAT, Checkpoint, CheckpointError, read_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.model.vocab import Vocab
from ghostpen.training.config import TrainConfig
from ghostpen.training.corpus import check_size, held_in, split
from ghostpen.training.outdir import claim_output


@dataclass
class RunPlan:
    """What one run trains, on what, into where (see the module docstring)."""

    out: Path  # the checkpoint folder
    model: ModelConfig  # the network (vocab_size set from `vocab`)
    config: TrainConfig  # the settings this run uses
    text: str  # the whole corpus (its test tail is never read)
    vocab: Vocab  # a new run's is built from the held-in text; a resumed one's is the checkpoint's
    resumed: Checkpoint | None = None  # the checkpoint this run continues (--resume)
    corpus_info: dict = field(default_factory=dict)  # meta.json's training.corpus for the text

    @cached_property
    def splits(self) -> tuple[str, str]:
        """(training text, validation text): the test tail left out."""
        return split(self.text, self.config.valid_fraction, self.config.test_fraction)


def plan_run(
    model: ModelConfig | None,
    config: TrainConfig,
    text: str,
    out: str | Path,
    *,
    resume: bool = False,
    resumed: Checkpoint | None = None,
    vocab: Vocab | None = None,
    corpus_info: dict | None = None,
) -> RunPlan:
    """The plan of a run; CheckpointError when there is nothing to resume, ValueError when the
    corpus is too short for the settings."""
    out = Path(out)
    if resume and resumed is None:
        resumed = read_checkpoint(out)
    if resumed is not None:
        if not {"last", "optimizer"} <= set(resumed.files) or not resumed.resume:
            raise CheckpointError(f"{out}: holds no resumable state (it was not saved by training)")
        vocab, model = resumed.vocab, resumed.config
        config = TrainConfig.from_json({**resumed.resume["train_config"], **_overrides(config)})
    held = held_in(text, config.test_fraction)  # the test tail is never read
    check_size(len(held), config.batch_size, config.seq_len, config.valid_fraction)
    vocab = vocab or Vocab.build(held)
    model.vocab_size = len(vocab)
    info = corpus_info or (resumed.stats.corpus_json if resumed is not None else {})
    return RunPlan(out, model, config, text, vocab, resumed, info)


def _overrides(config: TrainConfig) -> dict:
    """On resume, the settings the user may change: budget (for this run), epochs, patience."""
    return {"epochs": config.epochs, "minutes": config.minutes, "patience": config.patience}


def claim_output_for(plan: RunPlan, force: bool, dist=None):
    """The output claim of the run (`training/outdir.py`), held until it ends; None on a
    distributed run's workers but rank 0 (only rank 0 writes). OutputError when `out` cannot
    be used."""
    if dist is not None and not dist.chief:
        return None
    return claim_output(plan.out, resume=plan.resumed is not None, force=force, kind=FORMAT)
