"""What a checkpoint folder says about itself, in words and numbers a user can compare.

`model_info(path, kind)` reads meta.json (never the weights) into a `ModelInfo`: one row of
`ghostpen models` and one entry of the editor's Model menu and *Manage models* dialog.

Scores: a model's `val_bpc` (bits per character, lower is better) is measured on the held-out
part of the text it was trained on, so two models' numbers are only comparable on the same
text. A fine-tune (`ghostpen train --from BASE`) also scores its base model on that same
held-out text before its first step (meta.json `training.base_model.val_bpc`); `score_text`
puts the two side by side ("1.52 bpc on held-out notes (3 files); base default: 1.98 on the same
text") and every other model's number says what it was measured on.

Dates: `trained` is when the weights were written, read from the weights' file name
(`model-YYYYMMDD-HHMMSS-….params`, the checkpoint writer's tag), not from the file's mtime,
which for a bundled model is the install time.

A meta.json whose training stats are mistyped (`"chars": "many"`) still gives a row: the
stat is left out and `warning` says which key was ignored; a checkpoint that cannot be read
at all gets `error` (the menu leaves it out, `ghostpen models` lists it as unreadable).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ghostpen.model.archs import get
from ghostpen.model.checkpoint import CheckpointError, read_checkpoint
from ghostpen.model.meta import BaseModel, CorpusRecord, TrainingStats, read_section

_TAG = re.compile(r"^[a-z]+-(\d{8})-(\d{6})-")


@dataclass
class ModelInfo:
    """One row of `ghostpen models` (and one entry of the editor's Model menu)."""

    name: str
    kind: str  # "bundled" or "user"
    path: Path
    arch: str = "?"
    size: str = ""  # e.g. "2x512, 85 chars"
    params: int = 0  # number of weights
    base: str = ""  # base model name for fine-tuned models ("" when trained from scratch)
    corpus: str = ""  # e.g. "12 files, 551,203 chars" ("1 file, …")
    corpus_name: str = ""  # what the held-out text was part of: "notes.txt" or "12 files"
    val_bpc: float | None = None  # best bpc on the held-out part of its own corpus
    base_bpc: float | None = None  # the base model's bpc on the same held-out text
    date: str = ""  # when the weights were written (YYYY-MM-DD HH:MM, local time)
    error: str = ""  # why the checkpoint could not be read ("" when it could)
    warning: str = ""  # stats of meta.json that were mistyped and left out ("" when none)
    training: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "training"}
        out["path"] = str(self.path)
        for key in ("val_bpc", "base_bpc"):
            out[key] = None if out[key] is None else round(out[key], 4)
        out["score"] = score_text(self)
        return out


def plural(n: int, word: str) -> str:
    """'1 file', '2 files', '12,000 files'."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def score_text(info: ModelInfo) -> str:
    """What the model's bpc is and what it was measured on, in one line ('' without one)."""
    if info.val_bpc is None:
        return ""
    where = f" ({info.corpus_name})" if info.corpus_name else ""
    text = f"{info.val_bpc:.2f} bpc on held-out text of its training data{where}"
    if info.base_bpc is not None:
        text += f"; base {info.base or 'model'}: {info.base_bpc:.2f} on the same text"
    return text


def menu_label(info: ModelInfo) -> str:
    """The Model menu entry: "notes — 1.52 bpc (base default: 1.98) on held-out text of …"."""
    label = info.name if info.kind == "user" else f"{info.name} (bundled)"
    if info.val_bpc is None:
        return label
    label += f"  — {info.val_bpc:.2f} bpc"
    if info.base_bpc is not None:
        label += f" (base {info.base or 'model'}: {info.base_bpc:.2f})"
    return label + (f" on held-out text of {info.corpus_name}" if info.corpus_name else "")


def detail_rows(info: ModelInfo) -> list[tuple[str, str]]:
    """(label, value) rows for *Manage models*: rounded, in words, empty ones left out."""
    rows = [
        ("Kind", "bundled with ghostpen" if info.kind == "bundled" else "your model"),
        ("Trained", info.date),
        ("Score", score_text(info)),
        ("Fine-tuned from", info.base),
        ("Training text", info.corpus),
        ("Network", f"{info.arch} {info.size}, {info.params:,} weights" if info.params else ""),
        ("Folder", str(info.path)),
        ("Note", info.warning),
        ("Cannot be used", info.error),
    ]
    return [(k, v) for k, v in rows if v]


def _corpus(corpus: CorpusRecord, kind: str) -> tuple[str, str]:
    """('12 files, 551,203 chars', '12 files') — or the one file's name."""
    chars, count, files = corpus.chars, corpus.file_count, corpus.files
    name = ""
    if count == 1 and files and isinstance(files[0], str):
        name = Path(files[0].replace("\\", "/")).name
    elif count is not None:
        name = plural(count, "file")
    if chars is None:
        return ("nietzsche.txt" if kind == "bundled" and not name else name), name
    return (f"{plural(count, 'file')}, " if count is not None else "") + f"{chars:,} chars", name


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def trained_date(path: Path, params_file: str) -> str:
    """When the weights were written: their file name's tag, else the file's mtime."""
    match = _TAG.match(params_file)
    if match:
        try:
            stamp = time.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
            return time.strftime("%Y-%m-%d %H:%M", stamp)
        except ValueError:
            pass
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime((path / params_file).stat().st_mtime))
    except OSError:
        return ""


def model_info(path: Path, kind: str) -> ModelInfo:
    """What a checkpoint folder says about itself (an unreadable one gets `error` set)."""
    info = ModelInfo(name=path.name, kind=kind, path=path)
    try:
        ckpt = read_checkpoint(path)
    except (CheckpointError, OSError, ValueError) as exc:
        info.error = str(exc) or type(exc).__name__
        return info
    ignored: list[str] = []
    stats = read_section(TrainingStats, ckpt.training, "training", ignored)
    cfg, base = ckpt.config, stats.base_model or BaseModel()
    info.arch, info.training = cfg.arch, ckpt.training
    arch = get(cfg.arch)
    info.size = f"{arch.size_label(cfg)}, {len(ckpt.vocab)} chars"
    info.params = arch.param_count(cfg)
    info.base = base.name or ""
    info.corpus, info.corpus_name = _corpus(stats.corpus or CorpusRecord(), kind)
    info.val_bpc = _float(stats.best_val_bpc)
    info.base_bpc = _float(base.val_bpc) if info.base else None
    info.date = trained_date(path, ckpt.files["params"])
    if ignored:
        info.warning = "meta.json: ignored " + ", ".join(ignored)
    return info
