"""The typing history's file: two stores (or processes) merge instead of losing each other's
words, links are written through, FIFOs and devices are refused without blocking, absurd
numbers and nesting are handled, and the lock never makes a save wait forever."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys

import pytest

from ghostpen.suggest import habits_file
from ghostpen.suggest.habits import HabitsError, HabitsStore

needs_fcntl = pytest.mark.skipif(sys.platform == "win32", reason="no fcntl locks on Windows")


def saved_words(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["words"]


def test_two_stores_keep_each_others_words(tmp_path):
    path = tmp_path / "habits.json"
    a, _ = HabitsStore.load(path)
    b, _ = HabitsStore.load(path)  # both opened before either saved
    a.feed("Alphaword Alphaword")
    a.save()
    b.feed("Betaword")
    b.save()
    assert {"Alphaword", "Betaword"} <= set(saved_words(path))
    a.feed("Gammaword")
    a.save()  # A saves again: B's word is not dropped by A's older picture of the file
    words = saved_words(path)
    assert words["Alphaword"] == 2 and words["Betaword"] == 1 and words["Gammaword"] == 1
    assert "Betaword" in a.words  # A's counts now include what B saved


def test_a_store_that_did_not_change_the_file_keeps_its_counts_without_reading(tmp_path):
    path = tmp_path / "habits.json"
    store = HabitsStore(path)
    store.feed("one two three")
    store.save()
    store.feed("one")
    store.save()
    assert saved_words(path)["one"] == 2 and saved_words(path)["two"] == 1


def test_forgotten_in_one_window_is_not_brought_back_by_another(tmp_path):
    path = tmp_path / "habits.json"
    a, b = HabitsStore(path), HabitsStore(path)
    a.feed("Secretish words")
    a.save()
    b2, _ = HabitsStore.load(path)
    b2.forget()
    assert not path.exists()
    a.feed("Later")
    a.save()
    assert set(saved_words(path)) == {"Later"}  # only what A typed after the forget
    del b


def _writer(path: str, word: str, rounds: int) -> None:
    store, _ = HabitsStore.load(path)
    for i in range(rounds):
        store.feed(f"{word}{i}")
        store.save()


@needs_fcntl
def test_processes_saving_at_once_lose_nothing(tmp_path):
    path = tmp_path / "habits.json"
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_writer, args=(str(path), word, 15)) for word in ("Alpha", "Beta", "Ga")
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    words = saved_words(path)
    for word in ("Alpha", "Beta", "Ga"):
        assert all(f"{word}{i}" in words for i in range(15)), word


@needs_fcntl
def test_a_held_lock_makes_a_save_fail_with_a_message_not_wait(tmp_path, monkeypatch):
    import fcntl

    path = tmp_path / "habits.json"
    monkeypatch.setattr(habits_file, "LOCK_TIMEOUT_S", 0.2)
    fd = os.open(habits_file.lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    other = os.open(habits_file.lock_path(path), os.O_RDWR)  # another open file: another lock
    fcntl.flock(other, fcntl.LOCK_EX)
    try:
        store = HabitsStore(path)
        store.feed("word")
        with pytest.raises(HabitsError, match="locked"):
            store.save()
        assert store.dirty and not path.exists()
    finally:
        os.close(other)
        os.close(fd)
    store.save()  # the lock is free again: saved
    assert "word" in saved_words(path)


def test_a_symlinked_history_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "dotfiles" / "habits.json"
    target.parent.mkdir()
    link = tmp_path / "data" / "habits.json"
    link.parent.mkdir()
    link.symlink_to(target)
    store = HabitsStore(link)
    store.feed("Linkedword")
    store.save()
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "Linkedword" in saved_words(target)
    store.feed("Again")
    store.save()
    assert link.is_symlink() and "Again" in saved_words(target)
    loaded, _ = HabitsStore.load(link)
    assert "Linkedword" in loaded.words
    loaded.forget()  # forgetting deletes the words (the target), not just the link
    assert not target.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_at_once_and_left_alone(tmp_path):
    path = tmp_path / "habits.json"
    os.mkfifo(path)
    with pytest.raises(HabitsError, match="FIFO"):
        HabitsStore.load(path)  # would block forever on open() without the guard
    store = HabitsStore(path)
    store.feed("word")
    with pytest.raises(HabitsError, match="FIFO"):
        store.save()
    assert path.is_fifo()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_link_to_a_device_is_refused_and_never_replaced(tmp_path):
    path = tmp_path / "habits.json"
    path.symlink_to("/dev/zero")
    with pytest.raises(HabitsError, match="device"):
        HabitsStore.load(path)
    store = HabitsStore(path)
    store.feed("word")
    with pytest.raises(HabitsError, match="device"):
        store.save()
    assert path.is_symlink() and os.readlink(path) == "/dev/zero"


def test_a_400_digit_count_is_dropped_not_a_crash(tmp_path):
    path = tmp_path / "habits.json"
    path.write_text(
        '{"format": "ghostpen-habits", "version": 1, "words": {"huge": '
        + "9" * 400
        + ', "fine": 2}, "phrases": {"a b": 1e400}}',
        encoding="utf-8",
    )
    store, message = HabitsStore.load(path)
    assert message is None and store.words == {"fine": 2.0} and store.phrases == {}


def test_nesting_100000_levels_is_moved_aside_not_a_crash(tmp_path):
    path = tmp_path / "habits.json"
    deep = b"[" * 100_000 + b"]" * 100_000
    path.write_bytes(deep)
    store, message = HabitsStore.load(path)
    assert len(store) == 0 and "nested too deeply" in message
    assert (tmp_path / "habits.json.corrupt").read_bytes() == deep


def test_a_file_corrupted_by_someone_else_before_a_save_is_kept_aside(tmp_path):
    path = tmp_path / "habits.json"
    store = HabitsStore(path)
    store.feed("mine")
    store.save()
    path.write_bytes(b"{garbage")
    store.feed("more")
    store.save()
    assert (tmp_path / "habits.json.corrupt").read_bytes() == b"{garbage"
    assert "moved to habits.json.corrupt" in store.notice
    assert set(saved_words(path)) == {"more"}


def test_forgetting_a_history_that_never_existed_creates_nothing(tmp_path):
    store = HabitsStore(tmp_path / "nowhere" / "habits.json")
    store.forget()
    assert not (tmp_path / "nowhere").exists()
