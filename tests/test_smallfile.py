"""The guarded small-file reader: regular files only, bounded, never blocks on a FIFO."""

import os

import pytest

from ghostpen.smallfile import SmallFileError, read_small, read_small_json


def test_reads_a_regular_file_and_follows_links(tmp_path):
    f = tmp_path / "a.json"
    f.write_bytes(b'{"x": 1}')
    link = tmp_path / "link.json"
    link.symlink_to(f)
    assert read_small(f, 100) == b'{"x": 1}'
    assert read_small_json(link, 100) == {"x": 1}


def test_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "meta.json"
    os.mkfifo(fifo)
    with pytest.raises(SmallFileError, match="a FIFO"):
        read_small(fifo, 100)


def test_refuses_a_device_and_a_folder(tmp_path):
    with pytest.raises(SmallFileError, match="character device"):
        read_small("/dev/zero", 100)
    with pytest.raises(SmallFileError, match="folder"):
        read_small(tmp_path, 100)


def test_refuses_a_file_over_the_cap(tmp_path):
    f = tmp_path / "big"
    f.write_bytes(b"x" * 2049)
    with pytest.raises(SmallFileError, match=r"too large \(2 KB; at most 2 KB\)"):
        read_small(f, 2048)
    assert isinstance(SmallFileError(), OSError)


def test_missing_file_is_the_usual_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_small(tmp_path / "nope", 10)


@pytest.mark.parametrize(
    "raw, reason",
    [(b"\xff", "not UTF-8"), (b"{", "not valid JSON"), (b"[" * 100_000, "nested too deeply")],
)
def test_json_reasons(tmp_path, raw, reason):
    f = tmp_path / "x.json"
    f.write_bytes(raw)
    with pytest.raises(ValueError, match=reason):
        read_small_json(f, 1 << 20)
