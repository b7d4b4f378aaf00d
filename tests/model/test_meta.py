"""meta.json's sections as dataclasses (model/meta.py): typed, lenient, and nothing lost."""

from __future__ import annotations

from ghostpen.model.meta import (
    BaseModel,
    CorpusRecord,
    RuntimeEntry,
    TrainingStats,
    WordModelEntry,
    read_section,
    to_json,
)

TRAINING = {
    "name": "notes",
    "train_chars": 900,
    "valid_chars": 100,
    "corpus": {"files": ["/a.txt"], "file_count": 1, "chars": 1000, "sha256": "ab"},
    "train_config": {"lr": 0.001},
    "history": [{"epoch": 0, "val_bpc": 2.5}],
    "base_model": {"name": "default", "val_bpc": 3.1, "added_chars": "é"},
    "epochs": 1,
    "steps": 10,
    "best_val_bpc": 2.5,
    "elapsed_s": 3.5,
}


def test_a_section_reads_typed_and_writes_back_what_it_read():
    stats = read_section(TrainingStats, TRAINING, "training")
    assert stats.corpus == CorpusRecord(files=["/a.txt"], file_count=1, chars=1000, sha256="ab")
    assert stats.base_model == BaseModel(name="default", val_bpc=3.1, added_chars="é")
    assert stats.best_val_bpc == 2.5 and stats.steps == 10
    assert to_json(stats) == TRAINING


def test_mistyped_and_unknown_fields_are_noted_and_kept():
    raw = {**TRAINING, "steps": "ten", "corpus": {"chars": "many"}, "from_the_future": [1]}
    ignored: list[str] = []
    stats = read_section(TrainingStats, raw, "training", ignored)
    assert stats.steps is None and stats.corpus.chars is None  # not used
    assert ignored == ["training.corpus.chars = 'many'", "training.steps = 'ten'"]
    assert to_json(stats) == raw  # but written back as they were


def test_a_run_without_a_best_score_records_null_and_the_entries_round_trip():
    assert to_json(TrainingStats(name="x")) == {"name": "x", "best_val_bpc": None}
    assert read_section(TrainingStats, "not an object", "training") == TrainingStats()
    entry = {"file": "w.npz", "format_version": 1, "order": 4, "tokens": 9, "vocab": 5,
             "ngrams": [5, 7], "prune": False, "min_count": 2}  # fmt: skip
    assert to_json(read_section(WordModelEntry, entry, "word_model")) == entry
    runtime = {"file": "weights.npz", "dtype": "float16"}
    assert to_json(read_section(RuntimeEntry, runtime, "runtime")) == runtime
