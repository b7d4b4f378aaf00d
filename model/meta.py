"""meta.json's sections as dataclasses: one per section, read and written here.

    {"format", "format_version",          checked by metaschema.parse_meta
     "model": ModelConfig,                model/config.py (with the architecture's options)
     "vocab": [...], "files": {...}, "sha256": {...},
     "training": TrainingStats            with "corpus": CorpusRecord, "base_model": BaseModel
     "resume": {...},                     the loop's position (training/loop.py)
     "word_model": WordModelEntry,        when the checkpoint has a word model
     "runtime": RuntimeEntry,             the run-time weights' file and dtype
     ...}                                 any other top-level key: kept as it is (`Meta.extra`)

`read_section(cls, data, key)` is lenient, as `ghostpen models` needs: a field of the wrong
type (`"chars": "many"`) is left at its default and noted in `ignored`
("training.corpus.chars = 'many'"); it and the keys a section does not know are kept in its
`extra`, and `to_json` writes them back, so a newer ghostpen's field survives an export by
this one.
To add a field: add it to its dataclass below (with its comment), fill it where it is made.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass, field, fields, is_dataclass

_TOP_LEVEL = ("format", "format_version", "model", "vocab", "files", "sha256", "training",
              "resume", "word_model", "runtime")  # fmt: skip


@dataclass
class CorpusRecord:
    """training.corpus: the text a model was trained on (training/corpus_record.py)."""

    files: list | None = None  # the files' resolved paths
    file_sha256: list | None = None  # sha256 of each file, in the same order
    file_count: int | None = None  # how many files (a record may list fewer)
    chars: int | None = None  # characters of the whole corpus
    sha256: str | None = None  # sha256 of the corpus text
    extra: dict = field(default_factory=dict)  # keys this ghostpen does not know, kept


@dataclass
class BaseModel:
    """training.base_model: what a fine-tune started from (training/finetune.py)."""

    name: str | None = None  # the base model's name
    path: str | None = None  # its folder
    sha256: str | None = None  # sha256 of its weights
    vocab: int | None = None  # its vocabulary size
    added_chars: str | None = None  # the characters the fine-tune added, most frequent first
    val_bpc: float | None = None  # its bpc on the fine-tune's held-out text
    extra: dict = field(default_factory=dict)


@dataclass
class TrainingStats:
    """training: what the run did (training/loop.py writes it; export adds name and dtype)."""

    name: str | None = None  # the model's name (export --name; else the folder's)
    train_chars: int | None = None  # characters of the training split
    valid_chars: int | None = None  # characters of the validation split
    corpus: CorpusRecord | None = None  # the text (empty for a library call without one)
    train_config: dict | None = None  # the TrainConfig of the run (training/config.py)
    history: list | None = None  # one entry per validation: epoch, step, val_bpc, lr, elapsed_s
    base_model: BaseModel | None = None  # fine-tunes only
    epochs: int | None = None  # epochs completed
    steps: int | None = None  # training steps completed
    best_val_bpc: float | None = None  # the best validation bpc (null before one)
    elapsed_s: float | None = None  # training seconds over all runs of this model
    stored_dtype: str | None = None  # "float16" or "float32" (exported models)
    extra: dict = field(default_factory=dict)

    @property
    def corpus_json(self) -> dict:
        return to_json(self.corpus) if self.corpus is not None else {}


_NULL_KEPT = {(TrainingStats, "best_val_bpc")}  # written as null rather than left out


@dataclass
class WordModelEntry:
    """word_model: the checkpoint's word n-gram model (model/wordlm.py writes it)."""

    file: str | None = None  # the file `files.wordlm` names
    format_version: int | None = None  # the word model file's format version
    order: int | None = None  # the n of the n-grams (1-4)
    tokens: int | None = None  # tokens it was counted from
    vocab: int | None = None  # words in its vocabulary
    ngrams: list | None = None  # n-grams kept, per order
    prune: bool | None = None  # whether n-grams of order >= 3 seen once were dropped
    min_count: int | None = None  # a word needs this many occurrences to be in the vocabulary
    extra: dict = field(default_factory=dict)


@dataclass
class RuntimeEntry:
    """runtime: the run-time weights (model/runtime.py writes it)."""

    file: str | None = None  # the file `files.runtime` names
    dtype: str | None = None  # "float16" or "float32"
    extra: dict = field(default_factory=dict)


def _fits(value: object, hint: object) -> bool:
    """Whether `value` is of the annotated type (numbers: finite and not negative)."""
    kinds = [k for k in typing.get_args(hint) or (hint,) if k is not type(None)]
    kind = typing.get_origin(kinds[0]) or kinds[0]
    if kind is bool:
        return isinstance(value, bool)
    if kind in (int, float):
        ok = isinstance(value, (int, float) if kind is float else int)
        return ok and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    return isinstance(value, kind)


def read_section(cls, data: object, key: str, ignored: list[str] | None = None):
    """`cls` (a section dataclass) from meta.json's `data` at `key`; see the module docstring."""
    ignored = [] if ignored is None else ignored
    if not isinstance(data, dict):
        return cls()
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)} - {"extra"}
    values, extra = {}, {}
    for name, value in data.items():
        if name not in known:
            extra[name] = value
            continue
        hint = hints[name]
        nested = next((k for k in typing.get_args(hint) if is_dataclass(k)), None)
        if value is None:
            continue
        if nested is not None and isinstance(value, dict):
            values[name] = read_section(nested, value, f"{key}.{name}", ignored)
        elif nested is None and _fits(value, hint):
            values[name] = value
        else:  # left unset for readers, written back as it was
            ignored.append(f"{key}.{name} = {str(value)[:20]!r}")
            extra[name] = value
    return cls(**values, extra=extra)


def to_json(section) -> dict:
    """A section as meta.json stores it: unset fields left out, unknown keys written back."""
    out = {}
    for f in fields(section):
        value = getattr(section, f.name)
        if f.name == "extra":
            continue
        if value is None and (type(section), f.name) not in _NULL_KEPT:
            continue
        out[f.name] = to_json(value) if is_dataclass(value) else value
    return {**out, **getattr(section, "extra", {})}


def extra_sections(meta: dict) -> dict:
    """meta.json's top-level keys this ghostpen does not know (kept by every rewrite)."""
    return {k: v for k, v in meta.items() if k not in _TOP_LEVEL}
