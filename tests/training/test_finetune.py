"""Fine-tuning (`ghostpen train --from`): grown vocabulary, meta.json, base vs new bpc, resume."""

import json

import pytest

from ghostpen.cli import main
from ghostpen.model.checkpoint import file_sha256 as _sha256
from ghostpen.model.checkpoint import read_checkpoint
from ghostpen.training import finetune
from ghostpen.training.events import parse

TINY = ["--seq-len", "20", "--batch-size", "4", "--epochs", "2", "--valid-every", "5"]


@pytest.fixture
def corpus(tmp_path, fixtures_dir):
    text = (fixtures_dir / "tiny.txt").read_text(encoding="utf-8")
    (tmp_path / "docs").mkdir()
    extra = "\nStraße, Füße, süß: » ü « ß ß ü » « » « café\n"
    (tmp_path / "docs" / "a.txt").write_text(text + extra)
    (tmp_path / "docs" / "b.md").write_text("`code` {x} `y` {z} `w` {v}\n" * 3)
    (tmp_path / "docs" / "pic.txt").write_bytes(b"\x89PNG\x00\x00binary")
    return tmp_path / "docs"


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_finetune_grows_vocab_records_base_and_reports(models_dir, corpus, tiny_model, capsys):
    argv = ["train", "--corpus", str(corpus), "--from", str(tiny_model), "--out", "notes"]
    assert main([*argv, *TINY, "--progress", "json"]) == 0
    captured = capsys.readouterr()
    events = _json_lines(captured.out)
    done = parse(events[-1])
    assert done.event == "done" and done.base_model == "tiny"
    assert done.base_val_bpc > 0 and done.best_val_bpc < done.base_val_bpc
    assert "held-out bpc: base tiny" in captured.err and "fine-tuned" in captured.err
    assert "pic.txt (binary)" in captured.err
    ckpt = read_checkpoint(models_dir / "notes")
    base = read_checkpoint(tiny_model)
    assert ckpt.vocab.chars[: len(base.vocab)] == base.vocab.chars  # old ids kept
    for c in "ß»«`{}":
        assert c in ckpt.vocab, c
    assert "é" not in ckpt.vocab  # fewer than MIN_COUNT occurrences: the unknown id
    info = ckpt.training["base_model"]
    assert info["name"] == "tiny" and info["sha256"] == _sha256(tiny_model / base.files["params"])
    assert info["val_bpc"] == pytest.approx(done.base_val_bpc, abs=1e-3)
    corpus_info = ckpt.training["corpus"]
    assert corpus_info["file_count"] == 2 and corpus_info["chars"] > 1000
    assert len(corpus_info["sha256"]) == 64
    assert ckpt.training["train_config"]["lr"] == finetune.DEFAULTS["lr"]
    assert ckpt.config.num_hidden == base.config.num_hidden


def test_finetune_resumes_and_keeps_its_base(models_dir, corpus, tiny_model, capsys):
    argv = ["train", "--corpus", str(corpus), "--out", "notes", *TINY, "--progress", "json"]
    assert main([*argv, "--from", str(tiny_model), "--epochs", "1", "--dropout", "0.3"]) == 0
    assert read_checkpoint(models_dir / "notes").config.dropout == 0.3  # no shape changes
    first = read_checkpoint(models_dir / "notes")
    capsys.readouterr()
    assert main([*argv, "--resume", "--epochs", "2"]) == 0
    events = _json_lines(capsys.readouterr().out)
    assert events[0]["resumed"] and events[0]["step"] == first.training["steps"] > 0
    assert events[-1]["base_model"] == "tiny"
    again = read_checkpoint(models_dir / "notes")
    assert again.vocab == first.vocab
    assert again.training["base_model"] == first.training["base_model"]
    assert again.training["steps"] > first.training["steps"]


def test_finetune_refuses_bad_input(models_dir, corpus, tiny_model, tmp_path, capsys):
    base = ["train", "--corpus", str(corpus), "--out", "x", *TINY]
    assert main([*base, "--from", "no-such-model"]) == 2
    assert "no-such-model" in capsys.readouterr().err
    assert main([*base, "--from", str(tiny_model), "--hidden", "32"]) == 2
    assert "--hidden" in capsys.readouterr().err
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "x.txt").write_bytes(b"\x00\x01\x02" * 100)
    argv = ["train", "--corpus", str(tmp_path / "bin"), "--from", str(tiny_model), "--out", "y"]
    assert main(argv) == 2
    assert "no text to train on" in capsys.readouterr().err
    assert not (models_dir / "y").exists()


def test_finetune_config_defaults():
    config = finetune.finetune_config({}, {"batch_size": 32, "seq_len": 100}, 550_000)
    assert config.minutes == 10 and config.lr == 1e-3 and config.patience == 2
    assert config.valid_fraction == pytest.approx(0.1) and config.valid_every == 0
    big = finetune.finetune_config({"minutes": 3}, {}, 50_000_000)
    assert big.minutes == 3 and big.valid_fraction * 50_000_000 == pytest.approx(500_000)
    assert big.valid_every == finetune.VALID_EVERY_MAX
