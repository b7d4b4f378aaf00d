"""Corpus loading: encodings, newlines, binary and empty files, folders, the 90/10 split."""

import codecs

import pytest

from ghostpen.training.corpus import CorpusError, load_corpus, split

from ..conftest import shared_file


def test_encodings_and_newlines(tmp_path):
    (tmp_path / "a.txt").write_bytes(codecs.BOM_UTF8 + "caf\u00e9\r\nline".encode())
    (tmp_path / "b.txt").write_bytes("na\u00efve\rx".encode("utf-16"))
    (tmp_path / "c.txt").write_bytes("\u00e9t\u00e9\n".encode("latin-1"))
    corpus = load_corpus([tmp_path])
    assert corpus.text == "caf\u00e9\nline\n\nna\u00efve\nx\n\n\u00e9t\u00e9\n"
    assert [f.name for f in corpus.files] == ["a.txt", "b.txt", "c.txt"]


def test_files_decode_as_the_editor_opens_them(tmp_path):
    (tmp_path / "a.txt").write_bytes("\u201cquoted\u201d \u2013 \u20ac5\r\n".encode("cp1252"))
    (tmp_path / "b.txt").write_bytes(codecs.BOM_UTF16_BE + "big end\u00e9".encode("utf-16-be"))
    (tmp_path / "c.txt").write_bytes(codecs.BOM_UTF32_LE + "wide".encode("utf-32-le"))
    corpus = load_corpus([tmp_path])
    assert corpus.text == "\u201cquoted\u201d \u2013 \u20ac5\n\n\nbig end\u00e9\n\nwide"


def test_binary_files_are_skipped_with_reason(tmp_path):
    (tmp_path / "ok.txt").write_text("some text")
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    corpus = load_corpus([tmp_path])
    assert corpus.text == "some text"
    assert [(f.name, why) for f, why in corpus.skipped] == [("img.txt", "binary")]


def test_empty_or_all_binary_corpus_is_rejected(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)))
    with pytest.raises(CorpusError, match="no text to train on"):
        load_corpus([tmp_path])
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus([tmp_path / "missing.txt"])


def test_extension_filter_and_hidden_folders(tmp_path):
    (tmp_path / "a.md").write_text("markdown")
    (tmp_path / "b.log").write_text("log")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.md").write_text("hidden")
    assert load_corpus([tmp_path]).text == "markdown"
    assert load_corpus([tmp_path], extensions=(".log",)).text == "log"


def test_split_is_the_last_tenth():
    train, valid = split("x" * 1000)
    assert (len(train), len(valid)) == (900, 100)


def test_nietzsche_split_matches_the_tutorial():
    corpus = load_corpus([shared_file("nietzsche.txt")])
    assert len(corpus.text) == 600_893
    _, valid = split(corpus.text)
    assert len(valid) == 60_090
