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
the user may well stop), not as candidates: a suggestion adds at least 2 characters.

The index is the store's keys in sorted order (words, 2-word and 3-word phrases: the entries
starting with a string are one slice, found by bisection) plus two precomputed tables: the
best word and total for every 2- and 3-letter prefix, and the best next word for every
context with more than `DENSE` followers. Building it for full tables (50,000 words, 100,000
phrases) takes a fraction of a second and a few MB; a lookup scans at most a short slice.
"""

from __future__ import annotations

from bisect import bisect_left

from ghostpen.suggest.adapt import word_prefix
from ghostpen.suggest.habits import _PHRASE_GAP, BREATHE_EVERY, MAX_PHRASE, WORD_RE, breathe
from ghostpen.suggest.types import Suggestion

SHORT_PREFIXES = (2, 3)  # prefix lengths whose best word and total are precomputed
MIN_PREFIX = 2  # letters typed before stored words are proposed without a context
DENSE = 16  # contexts with more followers than this have their best next word precomputed
CONTEXT_CHARS = 256  # characters before the cursor searched for the context words
NOVELTY = 1.0  # pseudo-count of "a word not in the habits"


class _Sorted:
    """Keys in sorted order with their counts: the keys starting with a string are a slice."""

    __slots__ = ("keys", "counts")

    def __init__(self, table: dict[str, float]) -> None:
        breathe()
        self.keys = sorted(table)  # one C call: ~30 ms for 100,000 keys
        breathe()
        self.counts = [table[k] for k in self.keys]

    def starting_with(self, start: str):
        keys, counts = self.keys, self.counts
        i = bisect_left(keys, start)
        while i < len(keys) and keys[i].startswith(start):
            yield keys[i], counts[i]
            i += 1


def _better(word: str, count: float, best: tuple[str, float] | None) -> bool:
    """More frequent, then shorter (then first in sorted order, as keys are scanned)."""
    return best is None or (count, -len(word)) > (best[1], -len(best[0]))


def _best_per_group(table: _Sorted, group, min_extra: int) -> dict[str, tuple]:
    """{group key: (best (word, count) or None, total count)} over `table` in one pass;
    `group(key)` gives (group key, the candidate word, its minimum length) or None."""
    out: dict[str, list] = {}
    for i, (key, c) in enumerate(zip(table.keys, table.counts, strict=True)):
        if i % BREATHE_EVERY == 0:
            breathe()
        found = group(key)
        if found is None:
            continue
        g, word, min_len = found
        entry = out.get(g)
        if entry is None:
            entry = out[g] = [None, 0.0, 0]
        entry[1] += c
        entry[2] += 1
        if len(word) >= min_len and _better(word, c, entry[0]):
            entry[0] = (word, c)
    return {g: (e[0], e[1]) for g, e in out.items() if e[2] > min_extra}


class Habits:
    """A frozen index of word and phrase counts (see the module docstring)."""

    def __init__(self, words: dict[str, float], phrases: dict[str, float]) -> None:
        self.size = len(words) + len(phrases)
        self._words = _Sorted(words)
        by_len: dict[int, dict[str, float]] = {2: {}, 3: {}}
        for i, (key, c) in enumerate(phrases.items()):
            if i % BREATHE_EVERY == 0:
                breathe()
            by_len.setdefault(key.count(" ") + 1, {})[key] = c
        self._phrases = {n: _Sorted(by_len[n]) for n in (2, 3)}  # by number of words
        self._short: dict[str, tuple] = {}
        for k in SHORT_PREFIXES:
            self._short.update(
                _best_per_group(
                    self._words, lambda w, k=k: (w[:k], w, k + 2) if len(w) >= k else None, -1
                )
            )
        self._dense: dict[str, tuple] = {}
        for table in self._phrases.values():
            self._dense.update(_best_per_group(table, lambda key: (*key.rsplit(" ", 1), 2), DENSE))

    def __len__(self) -> int:
        return self.size

    def _scan(self, table: _Sorted, start: str, skip: int, min_len: int):
        """(best (word, count) or None, total) over the keys starting with `start`; the word
        is a key less its first `skip` characters."""
        best, total = None, 0.0
        for key, c in table.starting_with(start):
            total += c
            word = key[skip:]
            if len(word) >= min_len and _better(word, c, best):
                best = (word, c)
        return best, total

    def complete(self, previous: tuple[str, ...], prefix: str) -> tuple[str, float] | None:
        """The likeliest word after the words `previous` that extends `prefix` by at least
        2 characters: (word, probability) or None."""
        for k in range(min(len(previous), MAX_PHRASE - 1), 0, -1):
            context = " ".join(previous[-k:])
            if not prefix and context in self._dense:
                best, total = self._dense[context]
            else:
                table, skip = self._phrases[k + 1], len(context) + 1
                best, total = self._scan(table, f"{context} {prefix}", skip, len(prefix) + 2)
            if best is not None:
                return best[0], best[1] / (total + NOVELTY)
        if len(prefix) < MIN_PREFIX:
            return None
        if len(prefix) in SHORT_PREFIXES:
            best, total = self._short.get(prefix, (None, 0.0))
        else:
            best, total = self._scan(self._words, prefix, 0, len(prefix) + 2)
        return None if best is None else (best[0], best[1] / (total + NOVELTY))

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
