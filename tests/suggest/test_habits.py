"""The typing-habits store: what it counts, what it skips, bounded, persisted, cleared, corrupt
files, and that the text itself cannot be read back from it."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from ghostpen.suggest import habits
from ghostpen.suggest.habits import (
    MAX_PHRASE,
    HabitsError,
    HabitsLimits,
    HabitsStore,
    count_text,
    looks_secret,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def text():
    return (FIXTURES / "tiny.txt").read_text(encoding="utf-8")


def test_words_and_phrases_are_counted_within_phrase_boundaries():
    words, phrases = count_text("the Town Mouse said: the Town Mouse\nwent home.\n\nHome again")
    assert words["Town"] == 2 and words["Mouse"] == 2 and words["home"] == 1
    assert phrases["the Town"] == 2 and phrases["the Town Mouse"] == 2
    assert phrases["Mouse went"] == 1  # one line break continues a phrase
    assert "Mouse said the" not in phrases and "said the" not in phrases  # ':' ends it
    assert "home Home" not in phrases  # a blank line ends it
    assert all(1 < len(p.split(" ")) <= MAX_PHRASE for p in phrases)


def test_words_that_look_like_secrets_are_skipped_and_break_phrases():
    secrets = [
        "ghp_4f9Kq2mZ7xR1tY8wB3nL6vC0",  # an access token: letters and digits, 20+
        "d41d8cd98f00b204e9800998ecf8427e",  # an md5 hash
        "4111111111111111",  # a card number
        "x" * 41,  # a very long word
    ]
    for secret in secrets:
        assert looks_secret(secret), secret
        words, phrases = count_text(f"my token is {secret} keep it")
        assert secret not in words
        assert not any(secret in p for p in phrases)
        assert "is keep" not in phrases and "token is" in phrases
    for word in ("2024", "Zarathustra", "MAX_DECODE_STEPS", "utf8", "x86_64"):
        assert not looks_secret(word), word


def test_the_store_stays_within_its_caps(tmp_path):
    limits = HabitsLimits(max_words=50, max_phrases=80, max_bytes=4096)
    store = HabitsStore(tmp_path / "h.json", limits)
    rng = random.Random(0)
    vocab = [f"w{i}x" for i in range(2000)]
    for _ in range(40):  # far more distinct words and phrases than the caps
        words = [rng.choice(vocab) for _ in range(300)]
        store.feed(" ".join(words) + " keepme keepme keepme")
        assert len(store.words) <= 50 and len(store.phrases) <= 80
    assert "keepme" in store.words  # the frequent word survives decay and pruning
    size = store.save()
    assert size == (tmp_path / "h.json").stat().st_size <= 4096


def test_the_byte_cap_drops_the_rarest_entries(tmp_path):
    limits = HabitsLimits(max_words=10_000, max_phrases=10_000, max_bytes=2048)
    store = HabitsStore(tmp_path / "h.json", limits)
    store.feed(" ".join(f"word{i}" for i in range(1000)) + " often" * 50)
    assert store.save() <= 2048
    assert "often" in store.words and len(store.words) < 1000


def test_a_saved_store_loads_with_the_same_counts(tmp_path, text):
    path = tmp_path / "sub" / "habits.json"
    store = HabitsStore(path)
    store.feed(text)
    store.save()
    assert path.stat().st_mode & 0o077 == 0  # private to the user
    loaded, message = HabitsStore.load(path)
    assert message is None and not loaded.dirty
    assert loaded.words == pytest.approx(store.words)
    assert loaded.phrases == pytest.approx(store.phrases)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (doc["format"], doc["version"]) == ("ghostpen-habits", 1)


def test_a_missing_file_is_an_empty_store(tmp_path):
    store, message = HabitsStore.load(tmp_path / "none.json")
    assert len(store) == 0 and message is None


def test_forget_removes_the_file_and_the_counts(tmp_path, text):
    path = tmp_path / "habits.json"
    store = HabitsStore(path)
    store.feed(text)
    store.save()
    (tmp_path / "habits.json.corrupt").write_text("old", encoding="utf-8")
    store.forget()
    assert not path.exists() and not (tmp_path / "habits.json.corrupt").exists()
    assert len(store) == 0 and store.snapshot().complete((), "Mo") is None
    assert len(HabitsStore.load(path)[0]) == 0


def test_no_raw_text_can_be_read_back(tmp_path, text):
    path = tmp_path / "habits.json"
    store = HabitsStore(path)
    store.feed(text)
    store.save()
    saved = path.read_text(encoding="utf-8")
    doc = json.loads(saved)
    for key in [*doc["words"], *doc["phrases"]]:
        assert len(key.split(" ")) <= MAX_PHRASE
    words = re.findall(r"\w+(?:['\u2019]\w+)*", text)
    assert len(words) > 100
    runs = {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}
    assert not any(run in saved for run in runs)
    spans = re.finditer(r"(?=((?:\w+\W+){4}\w+))", text)  # 5-word runs as written
    assert not any(m.group(1) in saved for m in spans)
    for line in text.splitlines():
        if len(line.split()) >= 4:
            assert line not in saved and line.strip() not in saved


def test_saving_a_document_again_adds_only_what_it_gained(text):
    store = HabitsStore()
    store.feed(text, key="/a.txt")
    once = dict(store.words)
    store.feed(text, key="/a.txt")
    assert store.words == once
    store.feed(text + " Quetzalbrook", key="/a.txt")
    assert store.words["Quetzalbrook"] == 1 and store.words["Mouse"] == once["Mouse"]
    store.feed(text, key="/b.txt")  # another document counts again
    assert store.words["Mouse"] == 2 * once["Mouse"]


def test_a_huge_document_is_not_remembered(monkeypatch):
    monkeypatch.setattr(habits, "MAX_FEED_CHARS", 100)
    store = HabitsStore()
    assert store.feed("word " * 30) is False and len(store) == 0


def test_a_corrupt_file_is_moved_aside_never_overwritten(tmp_path):
    path = tmp_path / "habits.json"
    garbage = b'{"format": "ghostpen-habits", "version": 1, "words": {"a": 1'
    path.write_bytes(garbage)
    store, message = HabitsStore.load(path)
    aside = tmp_path / "habits.json.corrupt"
    assert message is not None and "habits.json.corrupt" in message and str(path) in message
    assert aside.read_bytes() == garbage and not path.exists()
    store.feed("new words here")
    store.save()
    assert aside.read_bytes() == garbage  # still there after the new store is saved
    path.write_bytes(b"\xff\xfe not json")  # a second corrupt file gets its own name
    _, message = HabitsStore.load(path)
    assert "habits.json.corrupt2" in message
    assert (tmp_path / "habits.json.corrupt2").read_bytes() == b"\xff\xfe not json"


def test_a_file_of_the_wrong_kind_is_moved_aside(tmp_path):
    path = tmp_path / "habits.json"
    path.write_text('{"something": "else"}', encoding="utf-8")
    store, message = HabitsStore.load(path)
    assert len(store) == 0 and "not a ghostpen typing history" in message


def test_a_newer_or_unreadable_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "habits.json"
    newer = '{"format": "ghostpen-habits", "version": 99, "words": {}, "phrases": {}}'
    path.write_text(newer, encoding="utf-8")
    with pytest.raises(HabitsError, match="newer ghostpen"):
        HabitsStore.load(path)
    assert path.read_text(encoding="utf-8") == newer
    folder = tmp_path / "dir.json"
    folder.mkdir()
    with pytest.raises(HabitsError, match="cannot read"):
        HabitsStore.load(folder)
    assert folder.is_dir()


def test_bad_entries_in_a_file_are_dropped(tmp_path):
    path = tmp_path / "habits.json"
    doc = {
        "format": "ghostpen-habits",
        "version": 1,
        "words": {"good": 2, "bad word": 1, "neg": -1, "nan": "x", "4111111111111111": 3},
        "phrases": {"two words": 1, "one": 1, "a b c d e": 1, "ok then": True},
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    store, message = HabitsStore.load(path)
    assert message is None
    assert store.words == {"good": 2.0} and store.phrases == {"two words": 1.0}


def test_the_default_path_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GHOSTPEN_HABITS_FILE", str(tmp_path / "x.json"))
    assert habits.default_path() == tmp_path / "x.json"
    monkeypatch.delenv("GHOSTPEN_HABITS_FILE")
    assert habits.default_path().name == "habits.json"


def test_store_from_files(tmp_path, text):
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    store = habits.store_from_files([tmp_path / "a.md"])
    assert store.words["Mouse"] >= 2 and store.path is None
