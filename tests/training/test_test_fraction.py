"""--test-fraction: the corpus's last part is the test tail, never read by training."""

import json

from ghostpen.cli import main
from ghostpen.evals.bpc import tail_start
from ghostpen.model.checkpoint import read_checkpoint
from ghostpen.training.corpus import held_in, split


def test_split_validates_on_the_slice_before_the_test_tail():
    text = "".join(chr(65 + i % 26) for i in range(1000))
    train, valid = split(text, 0.1, test_fraction=0.2)
    assert (len(train), len(valid)) == (720, 80)
    assert train + valid == text[: tail_start(len(text), 0.2)]  # the eval's test tail is left
    assert held_in(text) == text and held_in(text, 0.5) == text[:500]


def test_train_never_reads_the_test_tail(tmp_path, fixtures_dir):
    base = (fixtures_dir / "tiny.txt").read_text() * 3
    corpus = tmp_path / "c.txt"
    corpus.write_text(base + "Ω" * (len(base) // 8))  # a character only in the last 11%
    out = tmp_path / "m"
    args = ["train", "--corpus", str(corpus), "--out", str(out), "--progress", "json"]
    args += ["--embed", "8", "--hidden", "16", "--layers", "1", "--epochs", "1"]
    args += ["--seq-len", "10", "--batch-size", "2", "--test-fraction", "0.12"]
    assert main(args) == 0
    ckpt = read_checkpoint(out)
    assert "Ω" not in ckpt.vocab.chars
    meta = json.loads((out / "meta.json").read_text())
    assert meta["training"]["train_config"]["test_fraction"] == 0.12
    from ghostpen.model.wordlm import load_word_model

    words = load_word_model(out)
    assert words.token_id("ΩΩΩ") == words.token_id("no-such-word")  # the tail's word is unknown
    assert words.token_id("the") != words.token_id("no-such-word")


def test_a_finetune_never_reads_the_test_tail(tmp_path, fixtures_dir, tiny_model, monkeypatch):
    monkeypatch.setenv("GHOSTPEN_MODELS_DIR", str(tmp_path / "models"))
    base = (fixtures_dir / "tiny.txt").read_text() * 2
    corpus = tmp_path / "c.txt"
    corpus.write_text(base + "Ω" * (len(base) // 8))  # a new character only in the last 11%
    out = tmp_path / "ft"
    args = ["train", "--corpus", str(corpus), "--from", str(tiny_model), "--out", str(out)]
    args += ["--epochs", "1", "--test-fraction", "0.12", "--progress", "none"]
    args += ["--batch-size", "4", "--seq-len", "20"]
    assert main(args) == 0
    assert "Ω" not in read_checkpoint(out).vocab.chars
