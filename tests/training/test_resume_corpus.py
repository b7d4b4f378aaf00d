"""`train --resume` stays on the checkpoint's corpus; the last steps of a run are saved; a too
small corpus says how small is enough."""

from __future__ import annotations

import hashlib
import json

import pytest

from ghostpen.cli import main
from ghostpen.model.checkpoint import read_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.training.config import TrainConfig
from ghostpen.training.corpus import CorpusError, min_chars
from ghostpen.training.loop import train

ARGS = ["--hidden", "8", "--embed", "4", "--layers", "1", "--seq-len", "20", "--batch-size", "4"]
ARGS += ["--progress", "none"]


def _cli(out, *extra):
    return main(["train", "--out", str(out), *ARGS, *extra])


@pytest.fixture
def no_default_corpus(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("trained on the default corpus instead of the checkpoint's")

    monkeypatch.setattr("ghostpen.training.download.nietzsche_path", refuse)


@pytest.fixture
def corpus_dir(tmp_path, fixtures_dir):
    """60 small files: more than the 50 the record used to keep."""
    folder = tmp_path / "notes"
    folder.mkdir()
    text = (fixtures_dir / "tiny.txt").read_text(encoding="utf-8")
    for i in range(60):
        (folder / f"n{i:02d}.txt").write_text(text[i * 25 : i * 25 + 30] + "\n", encoding="utf-8")
    return folder


def test_resume_without_corpus_reuses_the_recorded_one(tmp_path, corpus_dir, no_default_corpus):
    out = tmp_path / "m"
    assert _cli(out, "--corpus", str(corpus_dir), "--epochs", "1") == 0
    rec = read_checkpoint(out).training["corpus"]
    files = sorted(corpus_dir.glob("*.txt"))
    assert rec["files"] == [str(f.resolve()) for f in files] and rec["file_count"] == 60
    assert rec["file_sha256"] == [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    sha, chars = rec["sha256"], rec["chars"]
    assert _cli(out, "--resume", "--epochs", "2") == 0
    ckpt = read_checkpoint(out)
    assert ckpt.resume["position"]["epoch"] == 2
    assert (ckpt.training["corpus"]["sha256"], ckpt.training["corpus"]["chars"]) == (sha, chars)


def test_resume_refuses_when_the_recorded_corpus_changed_or_went(
    tmp_path, corpus_dir, capsys, no_default_corpus
):
    out = tmp_path / "m"
    assert _cli(out, "--corpus", str(corpus_dir), "--epochs", "1") == 0
    meta = (out / "meta.json").read_bytes()
    changed = corpus_dir / "n07.txt"
    changed.write_text("something else entirely\n", encoding="utf-8")
    capsys.readouterr()
    assert _cli(out, "--resume", "--epochs", "2") == 2
    err = capsys.readouterr().err
    assert "has changed" in err and "n07.txt" in err
    (corpus_dir / "n03.txt").unlink()
    assert _cli(out, "--resume", "--epochs", "2") == 2
    err = capsys.readouterr().err
    assert "gone" in err and "n03.txt" in err
    assert (out / "meta.json").read_bytes() == meta


def test_resume_with_another_corpus_needs_new_corpus(tmp_path, fixtures_dir, capsys):
    out, ours, other = tmp_path / "m", fixtures_dir / "tiny.txt", tmp_path / "other.txt"
    other.write_text(ours.read_text(encoding="utf-8").upper(), encoding="utf-8")
    assert _cli(out, "--corpus", str(ours), "--epochs", "1") == 0
    meta = (out / "meta.json").read_bytes()
    capsys.readouterr()
    assert _cli(out, "--resume", "--corpus", str(other), "--epochs", "2") == 2
    err = capsys.readouterr().err
    assert str(other) in err and str(ours.resolve()) in err and "--new-corpus" in err
    assert (out / "meta.json").read_bytes() == meta
    assert _cli(out, "--resume", "--corpus", str(ours), "--epochs", "2") == 0  # same text: fine
    assert _cli(out, "--resume", "--corpus", str(other), "--new-corpus", "--epochs", "3") == 0
    rec = read_checkpoint(out).training["corpus"]
    assert rec["files"] == [str(other.resolve())]


def test_the_last_steps_are_saved_and_resume_continues_from_them(tmp_path, fixtures_dir):
    text, out = (fixtures_dir / "tiny.txt").read_text(), tmp_path / "ck"
    fast = dict(seq_len=20, batch_size=4, lr=1e-2, valid_fraction=0.2, valid_every=5)
    model = ModelConfig(num_embed=8, num_hidden=16, num_layers=1, dropout=0.0)
    events = []
    done = train(model, TrainConfig(epochs=1, **fast), text, out, progress=events.append)
    per_epoch = events[0]["chunks_per_epoch"]
    assert per_epoch % 5  # steps after the last validation
    assert done["reason"] == "epochs" and done["steps"] == per_epoch
    ckpt = read_checkpoint(out)
    assert ckpt.resume["position"]["step"] == per_epoch == ckpt.training["steps"]
    again = []
    train(model, TrainConfig(epochs=2, **fast), text, out, resume=True, progress=again.append)
    assert again[0]["step"] == per_epoch and again[-1]["steps"] == 2 * per_epoch


def test_a_too_small_corpus_says_how_small_is_enough(tmp_path, fixtures_dir, capsys):
    small = tmp_path / "small.txt"
    small.write_text((fixtures_dir / "tiny.txt").read_text()[:200], encoding="utf-8")
    assert main(["train", "--corpus", str(small), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "too small" in err and f"{min_chars(32, 100, 0.1):,}" in err
    assert not (tmp_path / "m").exists()  # refused before the folder was made
    need = min_chars(4, 20, 0.2)
    text = ((fixtures_dir / "tiny.txt").read_text() * 2)[:need]
    model = ModelConfig(num_embed=4, num_hidden=8, num_layers=1, dropout=0.0)
    config = TrainConfig(epochs=1, seq_len=20, batch_size=4, valid_fraction=0.2)
    assert train(model, config, text, tmp_path / "enough")["reason"] == "epochs"
    with pytest.raises(CorpusError, match=f"need at least {need}"):
        train(model, config, text[:-1], tmp_path / "short")


def test_the_record_of_an_old_checkpoint_without_file_hashes_still_resumes(
    tmp_path, fixtures_dir, no_default_corpus
):
    out = tmp_path / "m"
    assert _cli(out, "--corpus", str(fixtures_dir / "tiny.txt"), "--epochs", "1") == 0
    meta = json.loads((out / "meta.json").read_text())
    del meta["training"]["corpus"]["file_sha256"]  # as checkpoints before the hashes were
    (out / "meta.json").write_text(json.dumps(meta))
    assert _cli(out, "--resume", "--epochs", "2") == 0
