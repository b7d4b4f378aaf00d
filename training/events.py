"""The training progress events: one schema for what `train()` emits and `ghostpen train` prints.

`train(progress=...)` calls `progress(event.to_json())` with a plain dict; with
`--progress json` each dict is one JSON line on stdout (the editor's training dialog reads
them). `parse(dict)` turns a line back into its dataclass. Field names are a contract: add
fields, never rename them. Losses and bpc are in bits per character.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(kw_only=True)
class StartEvent:
    """Once, before the first step."""

    event: str = "start"  # the kind: start | step | valid | done
    epochs: int  # the epoch limit of this run
    chunks_per_epoch: int  # training steps in one epoch
    train_chars: int  # characters in the training part of the corpus
    valid_chars: int  # characters in the validation part
    vocab: int  # vocabulary size including the unknown id
    resumed: bool  # True when continuing a saved run (--resume)
    epoch: int  # epoch the run starts in (0-based; > 0 when resumed)
    step: int  # steps done before this run (0 unless resumed)


@dataclass(kw_only=True)
class StepEvent:
    """Every `LOG_EVERY` steps and at the end of each epoch."""

    event: str = "step"  # the kind: start | step | valid | done
    epoch: int  # current epoch, 0-based
    chunk: int  # chunks done in this epoch (1-based position of the last one)
    chunks: int  # chunks in an epoch
    step: int  # steps done in total (over resumes)
    loss: float  # training loss of the last step, bits per character
    chars_per_s: float  # training speed since the previous step event
    eta_s: float  # estimated seconds left (epochs or time budget, whichever ends first)
    lr: float  # current learning rate


@dataclass(kw_only=True)
class ValidEvent:
    """After every validation (once an epoch, or every `valid_every` steps)."""

    event: str = "valid"  # the kind: start | step | valid | done
    epoch: int  # current epoch, 0-based
    step: int  # steps done in total
    val_bpc: float  # validation bits per character now
    best_val_bpc: float  # the best so far (the weights saved as the checkpoint's "params")
    lr: float  # learning rate after any plateau decay
    improved: bool  # True when this validation set a new best
    elapsed_s: float  # training seconds in total (over resumes)


@dataclass(kw_only=True)
class DoneEvent:
    """Once, at the end; also what `train()` returns."""

    event: str = "done"  # the kind: start | step | valid | done
    reason: str  # one of REASONS
    best_val_bpc: float | None  # best validation bpc (None if never validated)
    epochs: int  # epochs completed
    steps: int  # steps done in total
    elapsed_s: float  # training seconds in total (over resumes)
    checkpoint: str  # the checkpoint directory
    base_model: str | None = None  # fine-tunes: the name of the model it started from
    base_val_bpc: float | None = None  # fine-tunes: that model's bpc on the same held-out text


# why training ended: epoch limit, early stopping (patience), --minutes budget, Ctrl+C/SIGTERM,
# or a NaN/inf loss (the last finite checkpoint is kept; nothing is saved after it)
REASONS = ("epochs", "early stop", "time budget", "interrupted", "non-finite loss")
EVENTS = {cls.event: cls for cls in (StartEvent, StepEvent, ValidEvent, DoneEvent)}


def to_json(event) -> dict:
    """The dict emitted for an event (its fields plus "event": its kind)."""
    return asdict(event)


def parse(data: dict):
    """The event dataclass for an emitted dict (unknown keys, from newer versions, are ignored)."""
    cls = EVENTS[data["event"]]
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})
