"""Prior typing habits: a persistent, size-bounded store of the words and short phrases of the
documents a user saved (opt-in; the editor's Suggestions ▸ Typing history…).

What is stored, and what is not:

- word counts (a word as the document cache reads it: letters, digits, `_`, an apostrophe
  between two of them) and the counts of 2- and 3-word phrases (consecutive words separated by
  spaces only, at most one line break between them: punctuation, a blank line or a skipped word
  ends a phrase). Never sentences, lines or the text itself: no entry is longer than
  `MAX_PHRASE` words, and no word is longer than `MAX_WORD` characters;
- words that look like secrets are skipped (and end the phrase): longer than `MAX_WORD`;
  `SECRET_MIXED_LEN` characters or more mixing letters and digits (API keys, tokens, hashes);
  `SECRET_HEX_LEN`+ hex digits with a digit among them; `SECRET_DIGITS`+ digits in one word
  (card, phone and account numbers). The editor also leaves out excluded file types and
  folders (.env, .key, .pem, … by default);
- bounds (`HabitsLimits`): at most `max_words` words and `max_phrases` phrases. When a feed
  pushes a table over its cap, every count in that table is multiplied by `decay` (older
  habits weigh less) and the smallest entries are dropped until `low_water` of the cap remains.
  A save whose file would exceed `max_bytes` drops the smallest entries of both tables until
  it fits.

The file is JSON (`{"format": "ghostpen-habits", "version": 1, "words": {...}, "phrases":
{...}}`, never pickle), written atomically and private (0600) at `default_path()`:
`platformdirs.user_data_dir("ghostpen")/habits.json` (on Linux
~/.local/share/ghostpen/habits.json; `GHOSTPEN_HABITS_FILE` overrides it, e.g. for tests).
Saving merges, under a lock, what this store added into the file as it is now, so two editors
never lose each other's words; a symbolic link is written through (`habits_file`).
A file that cannot be parsed is moved aside to `habits.json.corrupt` (nothing is lost) and a
new store starts; a file from a newer ghostpen, or one that cannot be read (a FIFO, a device),
raises `HabitsError` and is left as it is. `HabitsStore.snapshot()` gives the engine a
read-only index (`habits_index.Habits`).
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from glob import escape as glob_escape
from itertools import islice
from operator import itemgetter
from pathlib import Path

from ghostpen.smallfile import SmallFileError
from ghostpen.suggest import habits_file
from ghostpen.suggest.words import APOSTROPHES

FORMAT = "ghostpen-habits"
VERSION = 1
FILE_NAME = "habits.json"
MAX_PHRASE = 3  # words in the longest stored phrase
MAX_WORD = 40  # longer words are not stored (nor phrases through them)
SECRET_MIXED_LEN = 20  # letters and digits mixed in a word this long: a key or token
SECRET_HEX_LEN = 16  # hex digits (with at least one digit) in a word this long: a hash or key
SECRET_DIGITS = 7  # a word with this many digits: a card, phone or account number
MAX_FEED_CHARS = 4_000_000  # documents longer than this are not remembered (data, logs)
REMEMBERED_DOCUMENTS = 16  # documents whose last feed is kept in memory (re-saves add the diff)
BREATHE_EVERY = 256  # steps of a long loop between two `breathe()` calls
JSON_CHUNK = 2048  # entries serialised by one json.dumps call (it holds the GIL throughout)
PACE_WORK_S = 0.003  # a paced thread works this long ...
PACE_REST_S = 0.003  # ... then sleeps this long (see `pace_this_thread`)

WORD_RE = re.compile(r"\w+(?:[" + APOSTROPHES + r"]\w+)*")  # as the document cache's words
_HEX = re.compile(r"[0-9a-fA-F]+")
_PHRASE_GAP = re.compile(r"[ \t]*(?:\r?\n)?[ \t]*")  # what may separate two words of a phrase


class HabitsError(Exception):
    """The store's file could not be used; the message says why and what was done."""


@dataclass(frozen=True)
class HabitsLimits:
    """How big the store may grow (see the module docstring for the policy)."""

    max_words: int = 50_000  # distinct words kept
    max_phrases: int = 100_000  # distinct 2- and 3-word phrases kept
    max_bytes: int = 8_000_000  # size of the saved file at most
    decay: float = 0.9  # counts of an overflowing table are multiplied by this
    low_water: float = 0.9  # ... and its smallest entries dropped down to this fraction of cap

    def __post_init__(self) -> None:
        if self.max_words < 1 or self.max_phrases < 1 or self.max_bytes < 1024:
            raise ValueError("habits limits: at least 1 word, 1 phrase and 1024 bytes")
        if not (0.0 < self.decay <= 1.0 and 0.0 < self.low_water <= 1.0):
            raise ValueError("habits limits: decay and low_water must be in (0, 1]")


class Pacer:
    """Sleeps `rest_s` whenever `work_s` of work went by since the last rest."""

    def __init__(self, work_s: float = PACE_WORK_S, rest_s: float = PACE_REST_S) -> None:
        self.work_s, self.rest_s = work_s, rest_s
        self._since = time.perf_counter()

    def __call__(self) -> None:
        if time.perf_counter() - self._since >= self.work_s:
            time.sleep(self.rest_s)
            self._since = time.perf_counter()


_PACE = threading.local()  # the calling thread's Pacer, if `pace_this_thread` gave it one


def pace_this_thread(work_s: float = PACE_WORK_S, rest_s: float = PACE_REST_S) -> None:
    """Make the long operations of this module pause regularly in the calling thread.

    The editor feeds, saves and indexes the store in its typing-history thread. CPython runs
    one thread at a time (the GIL), and the GUI thread needs the GIL for each of the many Python
    callbacks behind one event (a keystroke, a repaint): while another thread ran a long
    pure-Python loop, each of them waited up to the 5 ms switch interval, and after saving a
    1.1 MB document the window stopped answering for 0.4-1.4 s (a 1 ms QTimer's longest gap).
    Paced, that thread rests `rest_s` after every `work_s` of work (long loops call `breathe`
    every BREATHE_EVERY steps; no C call such as json.dumps gets more than a few thousand
    entries), so the GUI gets the GIL at once about half the time; the feed takes about twice
    as long, in the background. Other threads (the evals, the tests) are not paced.
    """
    _PACE.pacer = Pacer(work_s, rest_s)


def breathe() -> None:
    """Pause here if the calling thread is paced (see `pace_this_thread`)."""
    pacer = getattr(_PACE, "pacer", None)
    if pacer is not None:
        pacer()


def default_path() -> Path:
    """Where the store lives (not created here)."""
    override = os.environ.get("GHOSTPEN_HABITS_FILE")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("ghostpen")) / FILE_NAME


def looks_secret(word: str) -> bool:
    """A word not to remember: very long, or shaped like a key, token, hash or number."""
    if len(word) > MAX_WORD:
        return True
    digits = sum(ch.isdigit() for ch in word)
    if digits >= SECRET_DIGITS:
        return True
    if len(word) >= SECRET_MIXED_LEN and digits and digits < len(word):
        return True
    return len(word) >= SECRET_HEX_LEN and digits > 0 and _HEX.fullmatch(word) is not None


def count_text(text: str) -> tuple[Counter, Counter]:
    """(word counts, phrase counts) of `text`; phrases are 2..MAX_PHRASE words joined by one
    space."""
    words: Counter = Counter()
    phrases: Counter = Counter()
    run: list[str] = []  # the current phrase's last words
    end = -1  # where the previous word ended
    for i, m in enumerate(WORD_RE.finditer(text)):
        if i % BREATHE_EVERY == 0:
            breathe()
        w = m.group()
        if end < 0 or not _PHRASE_GAP.fullmatch(text, end, m.start()):
            run = []
        end = m.end()
        if looks_secret(w):
            run = []
            continue
        words[w] += 1
        run.append(w)
        if len(run) > MAX_PHRASE:
            del run[0]
        for k in range(2, len(run) + 1):
            phrases[" ".join(run[-k:])] += 1
    return words, phrases


def _valid_key(key: object, phrase: bool) -> bool:
    if not isinstance(key, str) or not key:
        return False
    parts = key.split(" ")
    if not (2 <= len(parts) <= MAX_PHRASE if phrase else len(parts) == 1):
        return False
    return all(WORD_RE.fullmatch(p) and not looks_secret(p) for p in parts)


def _count(value: object) -> float | None:
    """A stored count as a float, or None when it is not a positive finite number (a bool, a
    string, NaN, or an integer too large for a float, such as 400 digits)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        count = float(value)
    except OverflowError:
        return None
    return count if math.isfinite(count) and count > 0 else None


def _prune(table: dict[str, float], keep: int) -> None:
    """Keep the `keep` largest counts of `table` (ties: the earlier added)."""
    if len(table) <= keep:
        return
    breathe()
    ranked = sorted(table.items(), key=itemgetter(1), reverse=True)  # stable: ties keep order
    breathe()
    table.clear()
    table.update(ranked[:keep])


def _dumps(table: dict[str, float]) -> str:
    """`table` as a JSON object (counts to 3 decimals), a few thousand entries per C call."""
    parts = []
    items = iter(table.items())
    while chunk := dict((k, round(v, 3)) for k, v in islice(items, JSON_CHUNK)):
        parts.append(json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))[1:-1])
        breathe()
    return "{" + ",".join(parts) + "}"


class HabitsStore:
    """Word and phrase counts, bounded by `limits`, saved to `path` (None: never saved)."""

    def __init__(self, path: str | os.PathLike | None = None, limits: HabitsLimits | None = None):
        self.path = None if path is None else Path(path)
        self.limits = limits or HabitsLimits()
        self.words: dict[str, float] = {}
        self.phrases: dict[str, float] = {}
        self.dirty = False  # counts changed since the last save or load
        self.saved_bytes = 0  # size of the file as last saved or loaded
        self.notice: str | None = None  # what the last save did that the user should know
        self._fed: OrderedDict[str, tuple[Counter, Counter]] = OrderedDict()
        self._synced: str | None = None  # digest of the file as last read or written (None: none)
        self._added: tuple[Counter, Counter] = (Counter(), Counter())  # since then (to merge)

    def __len__(self) -> int:
        return len(self.words) + len(self.phrases)

    # -- feeding ------------------------------------------------------------------------------
    def feed(self, text: str, key: str | None = None) -> bool:
        """Remember the words and phrases of `text` (a saved document; False if too long).

        With `key` (the document's path), a document saved again in this session adds only
        what it gained since its last feed, so saving often does not inflate its counts.
        """
        if len(text) > MAX_FEED_CHARS:
            return False
        words, phrases = count_text(text)
        if key is not None:
            last = self._fed.pop(key, None)
            self._fed[key] = (words, phrases)
            while len(self._fed) > REMEMBERED_DOCUMENTS:
                self._fed.popitem(last=False)
            if last is not None:
                words, phrases = words - last[0], phrases - last[1]  # positive gains only
        self.add_counts(words, phrases)
        return True

    def add_counts(self, words: dict[str, float], phrases: dict[str, float]) -> None:
        """Add counts, then keep both tables within their caps."""
        if not words and not phrases:
            return
        for table, add, added in (
            (self.words, words, self._added[0]),
            (self.phrases, phrases, self._added[1]),
        ):
            for i, (key, count) in enumerate(add.items()):
                if i % BREATHE_EVERY == 0:
                    breathe()
                table[key] = table.get(key, 0.0) + count
                added[key] += count
        caps = (self.limits.max_words, self.limits.max_phrases)
        for added, cap in zip(self._added, caps, strict=True):
            if len(added) > 2 * cap:  # many feeds and no save: keep what the tables keep
                _prune(added, cap)
        self._bound(self.words, self.limits.max_words)
        self._bound(self.phrases, self.limits.max_phrases)
        self.dirty = True

    def _bound(self, table: dict[str, float], cap: int) -> None:
        if len(table) <= cap:
            return
        decay = self.limits.decay
        for i, key in enumerate(table):
            if i % BREATHE_EVERY == 0:
                breathe()
            table[key] *= decay
        _prune(table, max(1, int(cap * self.limits.low_water)))

    def clear(self) -> None:
        """Empty the counts in memory (the file is left alone; see `forget`)."""
        self.words.clear()
        self.phrases.clear()
        self._fed.clear()
        self._added = (Counter(), Counter())
        self.dirty = False

    # -- the file -----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The JSON file's content, within `max_bytes` (dropping the smallest entries)."""
        while True:
            head = json.dumps({"format": FORMAT, "version": VERSION}, separators=(",", ":"))
            data = (
                f'{head[:-1]},"words":{_dumps(self.words)},"phrases":{_dumps(self.phrases)}}}'
            ).encode()
            if len(data) <= self.limits.max_bytes or not (self.words or self.phrases):
                return data
            shrink = 0.95 * self.limits.max_bytes / len(data)
            _prune(self.words, int(len(self.words) * shrink))
            _prune(self.phrases, int(len(self.phrases) * shrink))

    def save(self) -> int:
        """Merge what this store added into the file as it is now and write it atomically (a
        private file; a link is written through), all under the history's lock; returns the
        size in bytes. `notice` says when an unreadable file had to be moved aside."""
        from ghostpen.model.atomic import atomic_write_bytes

        if self.path is None:
            raise HabitsError("this typing history has no file")
        self.notice = None
        target = habits_file.real_path(self.path)
        try:
            with habits_file.locked(self.path):
                self._merge_disk(target)
                data = self.to_bytes()
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(target, data)
        except HabitsError:
            raise
        except OSError as exc:
            raise HabitsError(f"could not save the typing history to {self.path}: {exc}") from exc
        self._synced = habits_file.digest(data)
        self._added = (Counter(), Counter())
        self.dirty = False
        self.saved_bytes = len(data)
        return len(data)

    def _merge_disk(self, target: Path) -> None:
        """If another editor wrote (or forgot) the file since this store last read or wrote
        it, the counts become the file's plus what this store added since (bounded)."""
        try:
            raw = habits_file.read_raw(target, self._read_cap())
        except SmallFileError as exc:
            raise HabitsError(
                f"the typing history {self.path} was not saved: it is {exc.strerror} "
                "and is left as it is"
            ) from None
        if habits_file.digest(raw) == self._synced:
            return  # nobody else wrote it: the counts in memory are the file's plus ours
        words: dict[str, float] = {}
        phrases: dict[str, float] = {}
        if raw is not None:
            try:
                doc = self._check(habits_file.parse(raw))
            except ValueError as exc:
                self.notice = self._move_aside(str(exc))
            else:
                self._read_tables(doc, words, phrases)
        for table, added in zip((words, phrases), self._added, strict=True):
            for key, count in added.items():
                table[key] = table.get(key, 0.0) + count
        self.words, self.phrases = words, phrases
        self._bound(self.words, self.limits.max_words)
        self._bound(self.phrases, self.limits.max_phrases)

    def _read_cap(self) -> int:
        return 4 * self.limits.max_bytes + (1 << 20)

    def forget(self) -> None:
        """Delete the file (the one a link points to, and any copy moved aside as unreadable)
        and empty the counts ("Forget my typing history")."""
        if self.path is not None and habits_file.real_path(self.path).parent.is_dir():
            target = habits_file.real_path(self.path)
            try:
                with habits_file.locked(self.path):
                    self._delete(target)
            except HabitsError:
                raise
            except OSError as exc:
                raise HabitsError(f"could not forget the typing history: {exc}") from exc
        self.clear()
        self._synced = None
        self.saved_bytes = 0

    def _delete(self, target: Path) -> None:
        found = []
        for folder, name in {(target.parent, target.name), (self.path.parent, self.path.name)}:
            if folder.is_dir():
                found.extend(sorted(folder.glob(glob_escape(name) + ".corrupt*")))
        for path in (target, *found):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise HabitsError(f"could not delete {path}: {exc}") from exc

    @classmethod
    def load(
        cls, path: str | os.PathLike, limits: HabitsLimits | None = None
    ) -> tuple[HabitsStore, str | None]:
        """The store saved at `path` (empty if there is none) and a message for the user or
        None. An unparsable or absurdly large file is moved aside (the message says where); a
        file that cannot be read (a FIFO, a device, a folder, no permission) or comes from a
        newer ghostpen raises HabitsError and is not touched."""
        store = cls(path, limits)
        try:
            raw = habits_file.read_raw(store.path, store._read_cap())
        except SmallFileError as exc:
            if exc.errno != errno.EFBIG:
                raise HabitsError(
                    f"cannot read the typing history {store.path}: it is {exc.strerror}"
                ) from None
            return store, store._move_aside(exc.strerror)
        except OSError as exc:
            raise HabitsError(f"cannot read the typing history {store.path}: {exc}") from exc
        if raw is None:
            return store, None
        try:
            doc = store._check(habits_file.parse(raw))
        except ValueError as exc:
            return store, store._move_aside(str(exc))
        store._read_tables(doc, store.words, store.phrases)
        _prune(store.words, store.limits.max_words)
        _prune(store.phrases, store.limits.max_phrases)
        store.saved_bytes = len(raw)
        store._synced = habits_file.digest(raw)
        return store, None

    def _check(self, doc: object) -> dict:
        """`doc` if it is a typing history this ghostpen reads; ValueError if it is not one,
        HabitsError if a newer ghostpen wrote it."""
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError("not a ghostpen typing history")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(f"bad version {str(version)[:20]!r}")
        if version > VERSION:
            raise HabitsError(
                f"the typing history {self.path} was written by a newer ghostpen "
                f"(version {version}); it is left as it is and not used"
            )
        if not isinstance(doc.get("words"), dict) or not isinstance(doc.get("phrases"), dict):
            raise ValueError("words or phrases missing")
        return doc

    @staticmethod
    def _read_tables(doc: dict, words: dict, phrases: dict) -> None:
        """Copy the valid entries of `doc` into `words` and `phrases` (bad ones are dropped)."""
        pairs = ((words, doc["words"], False), (phrases, doc["phrases"], True))
        for table, entries, phrase in pairs:
            for i, (key, value) in enumerate(entries.items()):
                if i % BREATHE_EVERY == 0:
                    breathe()
                count = _count(value)
                if count is not None and _valid_key(key, phrase):
                    table[key] = count

    def _move_aside(self, why: str) -> str:
        """Rename the unreadable file (the one a link points to) beside itself; the message."""
        real = habits_file.real_path(self.path)
        aside = real.with_name(real.name + ".corrupt")
        n = 1
        while aside.exists():
            n += 1
            aside = real.with_name(f"{real.name}.corrupt{n}")
        try:
            os.replace(real, aside)
        except OSError as exc:
            raise HabitsError(
                f"the typing history {self.path} is unreadable ({why}) and could not be moved "
                f"aside ({exc}); it is left as it is and not used"
            ) from exc
        self._synced = None
        return (
            f"The typing history {self.path} could not be read ({why}); it was moved to "
            f"{aside.name} and a new one is started."
        )

    def snapshot(self):
        """A read-only index of the counts now, for the engine (safe to hand to a thread)."""
        from ghostpen.suggest.habits_index import Habits

        return Habits(self.words, self.phrases)


def store_from_files(paths, limits: HabitsLimits | None = None) -> HabitsStore:
    """A store (no file) fed with the text files `paths`, in order (for `eval ksr`);
    raises ghostpen.textio.TextReadError."""
    from ghostpen.textio import read_text

    store = HabitsStore(None, limits)
    for path in paths:
        store.feed(read_text(path), key=os.fspath(path))
    return store
