"""Tests for ghostpen.editor.recovery: save/pending/discard, corrupt entries, live sessions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ghostpen.editor import recovery
from ghostpen.editor.files import FileError
from ghostpen.editor.recovery import RecoveredDoc, RecoveryStore, pid_alive


def entry_files(root: Path) -> list[Path]:
    return sorted(root.glob("*.json"))


def test_save_pending_discard(tmp_path):
    root = tmp_path / "recovery"
    crashed = RecoveryStore(root)
    crashed.save(
        "buf-1", "first draft\n", path="/home/u/notes.txt", encoding="cp1252", newline="\r\n"
    )
    crashed.save("buf-2", "untitled text", path=None)
    crashed.save(
        "buf-1", "second draft\n", path="/home/u/notes.txt", encoding="cp1252", newline="\r\n"
    )  # replaces the first copy
    assert len(entry_files(root)) == 2
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]
    if os.name == "posix":
        assert (entry_files(root)[0].stat().st_mode & 0o777) == 0o600

    later = RecoveryStore(root, session_id=crashed.session_id)  # e.g. a restarted session
    docs = later.pending()
    assert [d.key for d in docs] == ["buf-1", "buf-2"]  # newest first
    first = docs[0]
    assert first == RecoveredDoc(
        "buf-1", "/home/u/notes.txt", "second draft\n", first.saved_at, "cp1252", "\r\n"
    )
    assert docs[1].path is None and docs[1].text == "untitled text"
    assert docs[0].saved_at >= docs[1].saved_at
    assert abs(first.saved_at - time.time()) < 60

    crashed.discard("buf-1")
    crashed.discard("never-saved")  # a missing entry is fine
    assert [d.key for d in later.pending()] == ["buf-2"]
    assert RecoveryStore(root).pending() == []  # another session: crashed's is still running
    later.clear()
    assert later.pending() == [] and entry_files(root) == []


def test_text_survives_exactly(tmp_path):
    store = RecoveryStore(tmp_path)
    text = 'ünïcödé \u4e2d\U0001f600 \x00 \ud800 lone surrogate\n"quotes" \\ back'
    store.save("k", text, path=tmp_path / "a file.txt")
    (doc,) = store.pending()  # a session's own entries are offered to itself
    assert doc.text == text
    assert doc.path == str(tmp_path / "a file.txt")


def test_pending_on_missing_root_is_empty(tmp_path):
    store = RecoveryStore(tmp_path / "not" / "there")
    assert store.pending() == []
    store.clear()
    store.discard("x")


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe binary junk",
        b"[]",
        b'{"version": 1, "key": "k"}',
        b"",
    ],
)
def test_corrupt_entry_skipped_and_moved_aside(tmp_path, content):
    store = RecoveryStore(tmp_path)
    store.save("good", "keep me", path=None)
    bad = tmp_path / "0123456789abcdef0123456789abcdef.json"
    bad.write_bytes(content)
    docs = store.pending()
    assert [d.key for d in docs] == ["good"]
    assert not bad.exists()
    assert (tmp_path / recovery.CORRUPT_DIR / bad.name).read_bytes() == content
    assert [d.key for d in store.pending()] == ["good"]


def test_entry_with_wrong_types_is_corrupt(tmp_path):
    store = RecoveryStore(tmp_path)
    store.save("k", "text", path=None)
    (file,) = entry_files(tmp_path)
    record = json.loads(file.read_text("utf-8"))
    record["text"] = 42
    file.write_text(json.dumps(record), "utf-8")
    assert store.pending() == []
    assert (tmp_path / recovery.CORRUPT_DIR / file.name).exists()


def test_another_live_session_in_this_process_is_not_offered(tmp_path):
    other = RecoveryStore(tmp_path, session_id="other-window")
    other.save("theirs", "still open elsewhere", path=None)
    mine = RecoveryStore(tmp_path, session_id="mine")
    mine.save("ours", "my buffer", path=None)
    assert [d.key for d in mine.pending()] == ["ours"]
    assert [d.key for d in other.pending()] == ["theirs"]
    mine.clear()  # never removes another live session's buffers
    assert [d.key for d in other.pending()] == ["theirs"]


CHILD = textwrap.dedent("""
    import sys
    from ghostpen.editor.recovery import RecoveryStore
    store = RecoveryStore(sys.argv[1])
    store.save("child-buffer", "typed in the other editor", path="/tmp/other.txt")
    print("ready", flush=True)
    sys.stdin.readline()
""")


def test_other_running_editor_is_not_offered_until_it_dies(tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        store = RecoveryStore(tmp_path)
        assert store.pending() == []
        store.clear()
        assert len(entry_files(tmp_path)) == 1
    finally:
        child.communicate("exit\n", timeout=60)  # exits without discarding: a crash
    (doc,) = RecoveryStore(tmp_path).pending()
    assert (doc.key, doc.text, doc.path) == (
        "child-buffer",
        "typed in the other editor",
        "/tmp/other.txt",
    )


def test_dead_or_reused_pid_is_offered(tmp_path):
    store = RecoveryStore(tmp_path)
    store.save("k", "text", path=None)
    (file,) = entry_files(tmp_path)
    record = json.loads(file.read_text("utf-8"))
    record["session"] = "crashed"
    record["pid"] = 2**31 - 2  # no such process
    file.write_text(json.dumps(record), "utf-8")
    assert [d.key for d in RecoveryStore(tmp_path).pending()] == ["k"]
    if recovery._process_started(os.getppid()) is not None:
        record["pid"] = os.getppid()  # alive, but started later than the writer: pid reused
        record["pid_started"] = "1"
        file.write_text(json.dumps(record), "utf-8")
        assert [d.key for d in RecoveryStore(tmp_path).pending()] == ["k"]


def test_pid_alive():
    assert pid_alive(os.getpid())
    assert not pid_alive(0)
    assert not pid_alive(-1)
    assert not pid_alive(2**31 - 2)
    assert not pid_alive(2**80)


def test_stale_temp_files_removed(tmp_path):
    store = RecoveryStore(tmp_path)
    stale = tmp_path / ".abc.json.x1y2.tmp"
    fresh = tmp_path / ".def.json.z3w4.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    old = time.time() - 2 * recovery.STALE_TMP_SECONDS
    os.utime(stale, (old, old))
    assert store.pending() == []
    assert not stale.exists() and fresh.exists()


def test_unwritable_root_raises_file_error(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_bytes(b"")
    store = RecoveryStore(blocker / "recovery")
    with pytest.raises(FileError, match="Could not write the recovery copy of notes.txt"):
        store.save("k", "text", path="notes.txt")
    with pytest.raises(ValueError):
        store.save("", "text", path=None)


def test_default_root_is_the_state_dir(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_state_dir", lambda app: str(tmp_path / app))
    assert RecoveryStore().root == tmp_path / "ghostpen" / "recovery"


def test_encode_record_is_json_of_the_exact_text(monkeypatch):
    monkeypatch.setattr(recovery, "ENCODE_CHUNK", 3)  # chunk borders everywhere
    text = 'a\u00a0b\u2028"\\\n\ud800\U0001f600' * 5
    record = {"version": 1, "key": "k"}
    data = recovery.encode_record(record, text)
    assert json.loads(data.decode("utf-8", "surrogatepass")) == {**record, "text": text}
    raw = text.replace("\n", "\u2029")  # QTextDocument.toRawText: blocks joined by U+2029
    data = recovery.encode_record(record, raw, raw=True)
    assert json.loads(data.decode("utf-8", "surrogatepass"))["text"] == text


def test_save_taken_before_a_discard_is_dropped(tmp_path):
    store = RecoveryStore(tmp_path)
    taken = store.generation("k")  # a worker took the text...
    store.discard("k")  # ...then the buffer was saved
    assert store.save("k", "stale", path=None, generation=taken) is False
    assert entry_files(tmp_path) == [] and not list(tmp_path.glob(".*.tmp"))
    assert store.save("k", "new", path=None, generation=store.generation("k")) is True
    assert [d.text for d in store.pending()] == ["new"]


def test_discard_that_fails_raises_file_error(tmp_path, monkeypatch):
    store = RecoveryStore(tmp_path)
    store.save("k", "text", path=None)

    def refuse(path, *args, **kw):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "unlink", refuse)
    with pytest.raises(FileError, match="Could not remove the recovery copy of notes.txt"):
        store.discard("k", path="notes.txt")
    monkeypatch.undo()
    RecoveryStore(tmp_path / "file").discard("k")  # no folder: nothing to remove
    (tmp_path / "blocker").write_bytes(b"")
    RecoveryStore(tmp_path / "blocker" / "recovery").discard("k")  # a file in its place


def test_pending_says_whether_the_copy_is_newer_than_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("on disk")
    store = RecoveryStore(tmp_path / "recovery")
    store.save("k", "recovered", path=path)
    (doc,) = store.pending()
    os.utime(path, (doc.saved_at - 3600, doc.saved_at - 3600))
    (doc,) = store.pending()
    assert doc.file_mtime == pytest.approx(doc.saved_at - 3600)
    assert "the recovered copy (" in doc.age_note() and "is newer than the file on disk (" in (
        doc.age_note()
    )
    os.utime(path, (doc.saved_at + 3600, doc.saved_at + 3600))
    (doc,) = store.pending()
    assert "is older than the file on disk" in doc.age_note()
    path.unlink()
    (doc,) = store.pending()
    assert doc.file_mtime is None and "not on disk" in doc.age_note()
    assert RecoveredDoc("u", None, "t", 1.0, "utf-8", "\n").age_note() == ""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_or_device_named_json_is_skipped_without_blocking(tmp_path):
    store = RecoveryStore(tmp_path / "r")
    store.save("k", "kept text\n", path=None)
    os.mkfifo(tmp_path / "r" / "0000fifo.json")  # opening it for reading would block forever
    if os.path.exists("/dev/zero"):
        (tmp_path / "r" / "0001zero.json").symlink_to("/dev/zero")  # endless bytes
    other = RecoveryStore(tmp_path / "r")
    recovery._LIVE_SESSIONS.discard(store.session_id)
    assert [d.text for d in other.pending()] == ["kept text\n"]
    assert (tmp_path / "r" / "0000fifo.json").is_fifo()  # left where it is, not moved
    other.clear()
    assert (tmp_path / "r" / "0000fifo.json").is_fifo()
