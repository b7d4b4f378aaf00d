"""The engine's read-only view of the typing habits (`habits.py`): next words and completions.

`HabitsStore.snapshot()` builds a `Habits`; it is never changed afterwards, so the editor hands
it from the habits thread to the suggestion worker without sharing anything mutable. The
engine asks it (`suggestion(before, max_chars)`) when neither the model nor the document has
a suggestion above the confidence threshold, as it asks the document cache for words:

- the context is the word being typed (`prefix`, maybe empty) and up to two words before it,
  separated as the store's phrases are (spaces, at most one line break);
- with a context, the likeliest word that followed it (the two words, else the last one) and
  starts with the prefix: P = count / (count of the followers with this prefix + `novelty`);
- otherwise, with at least `MIN_PREFIX` letters typed, the likeliest stored word extending
  them: P = count / (count of the stored words with this prefix + `novelty`).

The word typed so far and words only one letter longer count in the denominator (after "Rust"
the user may well stop), not as candidates: a suggestion adds at least 2 characters. Lookups
are a few dict reads and a scan of one sorted bucket (at most `MAX_FOLLOWERS` followers of a
context are kept).
"""

from __future__ import annotations

from ghostpen.suggest.adapt import word_prefix
from ghostpen.suggest.habits import _PHRASE_GAP, MAX_PHRASE, WORD_RE
from ghostpen.suggest.types import Suggestion

PREFIX_KEYS = (2, 3, 4, 6)  # word prefixes indexed (a longer prefix filters the longest key)
MIN_PREFIX = 2  # letters typed before stored words are proposed without a context
MAX_FOLLOWERS = 256  # most frequent followers kept per context
CONTEXT_CHARS = 256  # characters before the cursor searched for the context words
NOVELTY = 1.0  # pseudo-count of "a word not in the habits"


class _Bucket:
    """Words with their counts, most frequent first, and the total count."""

    __slots__ = ("words", "counts", "total")

    def __init__(self, items: list[tuple[str, float]], keep: int | None = None) -> None:
        items.sort(key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
        self.total = sum(c for _, c in items)
        items = items if keep is None else items[:keep]
        self.words = [w for w, _ in items]
        self.counts = [c for _, c in items]

    def best(self, prefix: str, exact_total: bool) -> tuple[str, float] | None:
        """The most frequent word at least 2 characters longer than `prefix` starting with
        it, and its probability among the words starting with it (`exact_total`: every word
        here does)."""
        found = None
        total = self.total if exact_total else 0.0
        for w, c in zip(self.words, self.counts, strict=True):
            if not w.startswith(prefix):
                continue
            if found is None and len(w) >= len(prefix) + 2:
                found = (w, c)
                if exact_total:
                    break
            if not exact_total:
                total += c
        if found is None:
            return None
        return found[0], found[1] / (total + NOVELTY)


class Habits:
    """A frozen index of word and phrase counts (see the module docstring)."""

    def __init__(self, words: dict[str, float], phrases: dict[str, float]) -> None:
        self.size = len(words) + len(phrases)
        by_prefix: dict[str, list[tuple[str, float]]] = {}
        for w, c in words.items():
            for k in PREFIX_KEYS:
                if len(w) < k:
                    break
                by_prefix.setdefault(w[:k], []).append((w, c))
        self._prefixes = {key: _Bucket(items) for key, items in by_prefix.items()}
        followers: dict[str, list[tuple[str, float]]] = {}
        for phrase, c in phrases.items():
            context, _, last = phrase.rpartition(" ")
            followers.setdefault(context, []).append((last, c))
        self._next = {ctx: _Bucket(items, MAX_FOLLOWERS) for ctx, items in followers.items()}

    def __len__(self) -> int:
        return self.size

    def complete(self, previous: tuple[str, ...], prefix: str) -> tuple[str, float] | None:
        """The likeliest word after the words `previous` that extends `prefix`:
        (word, probability) or None."""
        for k in range(min(len(previous), MAX_PHRASE - 1), 0, -1):
            bucket = self._next.get(" ".join(previous[-k:]))
            if bucket is not None:
                found = bucket.best(prefix, exact_total=not prefix)
                if found is not None:
                    return found
        if len(prefix) < MIN_PREFIX:
            return None
        key = prefix[: max(k for k in PREFIX_KEYS if k <= len(prefix))]
        bucket = self._prefixes.get(key)
        if bucket is None:
            return None
        return bucket.best(prefix, exact_total=len(key) == len(prefix))

    def suggestion(self, before: str, max_chars: int) -> Suggestion | None:
        """Ghost text from the habits at the end of `before`, or None."""
        previous, prefix = context(before)
        found = self.complete(previous, prefix)
        if found is None:
            return None
        word, prob = found
        rest = word[len(prefix) : len(prefix) + max_chars]
        if len(rest) < 2:
            return None
        return Suggestion(rest, min(1.0, prob), "habits")


def context(before: str) -> tuple[tuple[str, ...], str]:
    """(up to MAX_PHRASE - 1 words before the word being typed, the word being typed)."""
    tail = before[-CONTEXT_CHARS:]
    prefix = word_prefix(tail)
    body = tail[: len(tail) - len(prefix)]
    matches = list(WORD_RE.finditer(body))
    if matches and matches[0].start() == 0 and len(before) > len(tail):
        del matches[0]  # maybe the end of a word cut by the tail
    previous: list[str] = []
    end = len(body)
    for m in reversed(matches):
        if len(previous) == MAX_PHRASE - 1 or not _PHRASE_GAP.fullmatch(body, m.end(), end):
            break
        if m.end() == end:  # no gap at all: an apostrophe or the like joins them
            break
        previous.append(m.group())
        end = m.start()
    return tuple(reversed(previous)), prefix
