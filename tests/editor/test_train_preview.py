"""The training dialog's preview reads small corpora only; large ones are sized, not read."""

import pytest

from ghostpen.editor import train_state


def test_a_large_corpus_is_previewed_by_size(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.write(b"text\n")
        fh.truncate(train_state.PREVIEW_BYTES + 1)
    monkeypatch.setattr("ghostpen.training.corpus.read_small", lambda *a: pytest.fail("read"))
    got = train_state.preview([str(big)])
    assert (
        not got.error
        and got.files == 1
        and got.text() == "1 files, 1 MB (counted when training starts)"
    )


def test_a_corpus_over_the_cap_cannot_be_trained(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(40 * 2**30)
    assert "the corpus is 40.0 GB" in train_state.preview([str(big)]).error


def test_a_small_corpus_is_read_as_before(tmp_path):
    (tmp_path / "a.txt").write_text("hello world\n", encoding="utf-8")
    got = train_state.preview([str(tmp_path)])
    assert got.files == 1 and got.chars == 12 and got.text().startswith("1 files, 12 characters")


def test_many_files_stop_the_count(tmp_path, monkeypatch):
    monkeypatch.setattr(train_state, "PREVIEW_FILES", 5)
    for i in range(12):
        (tmp_path / f"{i:02}.txt").write_text("hello\n", encoding="utf-8")
    got = train_state.preview([str(tmp_path)])
    assert not got.error and got.text().startswith("more than 5 files")


def test_unknown_characters_match_the_vocabulary_growth():
    from ghostpen.model.grow import new_characters
    from ghostpen.model.vocab import Vocab

    vocab = Vocab("abc ")
    text = "abc ßßß ««« » 😀😀😀 \ufffd e\u0301\u0301\u0301"
    assert train_state.unknown_characters(vocab, text) == new_characters(vocab, text, 1)
