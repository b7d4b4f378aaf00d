"""Failed writes in words: "disk full", not errno 28 or MXNet's std::fwrite check."""

import errno

from ghostpen import oserrors


def test_os_errors_in_words():
    assert oserrors.describe_os_error(OSError(errno.ENOSPC, "No space left on device")) == (
        "disk full"
    )
    assert oserrors.describe_os_error(OSError(errno.EROFS, "x")) == "read-only file system"
    assert oserrors.describe_os_error(OSError(errno.EACCES, "Permission denied")) == (
        "Permission denied"
    )


class FakeMXNetError(Exception):
    pass


FWRITE = (
    "Traceback:\n  [bt] (0) x\nCheck failed: std::fwrite(ptr, 1, size, fp_) == size: incomplete"
)


def test_a_failed_fwrite_on_a_full_disk_says_disk_full(monkeypatch, tmp_path):
    monkeypatch.setattr(oserrors, "free_bytes", lambda folder: 4096)
    why = oserrors.describe_write_error(FakeMXNetError(FWRITE), tmp_path, need=10_000)
    assert why == "disk full: 4 KB free"


def test_a_failed_write_with_room_left_quotes_the_writer(monkeypatch, tmp_path):
    monkeypatch.setattr(oserrors, "free_bytes", lambda folder: 10 * 2**30)
    why = oserrors.describe_write_error(FakeMXNetError(FWRITE), tmp_path, need=10_000)
    assert "fwrite" in why and "disk full" not in why
