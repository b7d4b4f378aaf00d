"""editor/disk_state: fingerprints of files on disk and how they compare (no Qt)."""

from __future__ import annotations

import os

import pytest

from ghostpen.editor import disk_state
from ghostpen.editor.disk_state import APPEARED, CHANGED, DELETED, UNCHANGED


def test_fingerprint_of_a_file_and_of_nothing(tmp_path):
    path = tmp_path / "a.txt"
    assert disk_state.fingerprint(str(path)) is None
    path.write_bytes(b"hello\n")
    fp = disk_state.fingerprint(str(path))
    info = os.stat(path)
    assert (fp.size, fp.mtime_ns, fp.inode) == (6, info.st_mtime_ns, info.st_ino)
    assert fp.sha256 == disk_state.sha256_of_bytes(b"hello\n")
    assert disk_state.fingerprint(str(tmp_path)) is None  # a folder is not a file


def test_unchanged_stat_reads_nothing(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello\n")
    base = disk_state.fingerprint(str(path))

    def no_read(_path):
        raise AssertionError("hashed although the stat matched")

    monkeypatch.setattr(disk_state, "sha256_of_file", no_read)
    assert disk_state.compare(base, str(path)) == (UNCHANGED, base)


def test_touch_is_unchanged_with_the_new_stat(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello\n")
    base = disk_state.fingerprint(str(path))
    os.utime(path, ns=(base.mtime_ns + 5_000_000_000, base.mtime_ns + 5_000_000_000))
    verdict, now = disk_state.compare(base, str(path))
    assert verdict == UNCHANGED
    assert now.mtime_ns == base.mtime_ns + 5_000_000_000 and now.sha256 == base.sha256


def test_changed_deleted_appeared(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello\n")
    base = disk_state.fingerprint(str(path))
    path.write_bytes(b"hello world\n")
    verdict, now = disk_state.compare(base, str(path))
    assert verdict == CHANGED and now.sha256 == disk_state.sha256_of_bytes(b"hello world\n")
    path.unlink()
    assert disk_state.compare(base, str(path)) == (DELETED, None)
    assert disk_state.compare(None, str(path)) == (UNCHANGED, None)
    path.write_bytes(b"back\n")
    verdict, now = disk_state.compare(None, str(path))
    assert verdict == APPEARED and now.size == 5


def test_same_bytes_in_a_new_inode_is_unchanged(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello\n")
    base = disk_state.fingerprint(str(path))
    tmp = tmp_path / "tmp"
    tmp.write_bytes(b"hello\n")
    os.replace(tmp, path)
    verdict, now = disk_state.compare(base, str(path))
    assert verdict == UNCHANGED and now.inode == os.stat(path).st_ino


@pytest.mark.parametrize(
    ("old", "new", "ends"),
    [
        ("", "", (0, 0)),
        ("abc", "abc", (3, 0)),
        ("abcdef", "abXYef", (2, 2)),
        ("aaa", "aaaa", (3, 0)),
        ("aaaa", "aa", (2, 0)),
        ("xabc", "abc", (0, 3)),
        ("hello\nworld\n", "hello\nthere\nworld\n", (6, 6)),
    ],
)
def test_common_ends(old, new, ends):
    prefix, suffix = disk_state.common_ends(old, new)
    assert (prefix, suffix) == ends
    assert prefix + suffix <= min(len(old), len(new))
    assert old[:prefix] == new[:prefix]
    assert old[len(old) - suffix :] == new[len(new) - suffix :]


def test_unified_diff_from_disk_to_buffer():
    diff = disk_state.unified_diff("one\ntwo\n", "one\n2\n", "a.txt")
    assert diff.splitlines()[:2] == ["--- a.txt (on disk)", "+++ a.txt (your version)"]
    assert "-two\n" in diff and "+2\n" in diff
    assert disk_state.unified_diff("same\n", "same\n", "a.txt") == ""
    assert "\\ No newline at end of file" in disk_state.unified_diff("a", "b", "a.txt")


def test_same_size_in_place_with_the_mtime_put_back_is_found_only_when_strict(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello\n")
    base = disk_state.fingerprint(str(path))
    with open(path, "r+b") as fh:  # in place: same inode, same size
        fh.write(b"HELLO\n")
    os.utime(path, ns=(base.mtime_ns, base.mtime_ns))  # as `cp -p` / `rsync -t --inplace`
    assert disk_state.compare(base, str(path)) == (UNCHANGED, base)  # the cheap check
    verdict, now = disk_state.compare(base, str(path), strict=True)  # before a save
    assert verdict == CHANGED and now.sha256 == disk_state.sha256_of_bytes(b"HELLO\n")
    path.write_bytes(b"hello\n")
    os.utime(path, ns=(base.mtime_ns, base.mtime_ns))
    assert disk_state.compare(base, str(path), strict=True)[0] == UNCHANGED
