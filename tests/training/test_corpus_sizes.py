"""Corpus sizes are checked before anything is read; FIFOs and devices are named."""

import os

import pytest

from ghostpen.training.corpus import CorpusError, load_corpus


def _sparse(path, size, head=b"words\n"):
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def test_a_40_gb_file_is_a_message_not_a_read(tmp_path, monkeypatch):
    big = _sparse(tmp_path / "huge.txt", 40 * 2**30)
    monkeypatch.setattr("ghostpen.training.corpus.read_small", lambda *a: pytest.fail("read"))
    with pytest.raises(CorpusError, match="the corpus is 40.0 GB .*at most 512 MB"):
        load_corpus([big])


def test_the_cap_counts_what_was_read_before(tmp_path):
    (tmp_path / "a.txt").write_text("some text to train on\n" * 10, encoding="utf-8")
    _sparse(tmp_path / "b.txt", 2000)
    with pytest.raises(CorpusError, match="b.txt alone is"):
        load_corpus([tmp_path], max_bytes=1000)
    assert load_corpus([tmp_path / "a.txt"], max_bytes=1000).files == [tmp_path / "a.txt"]


def test_a_fifo_or_device_is_named(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(CorpusError, match="pipe.txt: a FIFO, not a text file or folder"):
        load_corpus([tmp_path / "pipe.txt"])
    with pytest.raises(CorpusError, match="/dev/zero: a character device"):
        load_corpus(["/dev/zero"])
    with pytest.raises(CorpusError, match="no such file or folder"):
        load_corpus([tmp_path / "missing.txt"])


def test_fifos_and_device_links_in_a_folder_are_passed_over(tmp_path):
    (tmp_path / "a.txt").write_text("some text to train on\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    assert load_corpus([tmp_path]).files == [tmp_path / "a.txt"]
