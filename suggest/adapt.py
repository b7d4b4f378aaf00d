"""Document adaptation: what the text being edited says, mixed with the neural model.

Two statistics over the document (before + CURSOR + after), both updated by diffs:

1. Character n-grams (orders `min_order`..`max_order`): which characters followed each
   context. `mixture(context)` turns them into a PPM distribution (escape method C, from the
   longest seen context down; the escape mass goes back to the model) and mixes it in:

       p = (1 - lam) * p_model + lam * p_ppm,     lam = sigmoid(w . features)

   The features are those of the longest seen context: its order K, log n_K (how often it was
   seen), whether it was always followed by the same character, and their product. The weights
   were fitted to maximise the likelihood of held-out prose (`python -m
   ghostpen.evals.fit_adapt`, first half of the tail of nietzsche.txt with the model shipped then,
   nietzsche-lstm-2x512;
   on the whole tail `ghostpen eval bpc` gives 1.833 bits per character alone, 1.802 mixed).
   Fixed Witten-Bell weights (lam = n/(n+u)) made the model worse (2.2 -> 2.5 on a small
   model): in prose a repeated context is a weak hint, so lam stays small (~0.05-0.4) unless
   the context is long and always continued the same way.

2. Words (runs of word characters as in `words.py`) with their counts, indexed by prefix.
   `complete_word(prefix)` proposes the most frequent document word that extends the word
   being typed, with the probability count / (words with that prefix + `novelty`). Per-character
   mixing is too timid for a name the model has never seen ("Zarathustrovich": every letter
   would keep most of its mass on the model); the engine shows this word when the model has
   no suggestion above the confidence threshold (as a competitor of the model's suggestions,
   its context-free frequency lowered the keystroke savings on nietzsche.txt).

A keystroke re-counts only the n-grams and words that overlap the changed span (common
prefix/suffix by slice bisection), about max_order dict updates; a window that dropped its
first characters (the editor aligns `before` to 4096-character steps) costs only the dropped
part.
"""

from __future__ import annotations

import math
import re

from ghostpen.suggest.textdiff import common_prefix_len, common_suffix_len
from ghostpen.suggest.words import APOSTROPHES, is_word_char

_SHIFT_PROBE = 256  # characters of the new text searched for in the old one to spot a shift
# joins before + CURSOR + after: n-grams across the cursor are not counted, so the text right
# after the cursor is never "predicted" back at it (U+FFFF is a noncharacter)
CURSOR = "\uffff"
_WORD = re.compile(r"\w+(?:[" + APOSTROPHES + r"]\w+)*")
_PREFIX_INDEX = (2, 3, 4, 6)  # word prefixes kept in the index (longer ones are filtered)

# lam = sigmoid(w0 + w1*K + w2*log(n_K) + w3*det + w4*det*log(n_K)), fitted by fit_adapt
DEFAULT_WEIGHTS = (-3.144, 0.14, 0.045, 0.226, 0.41)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0


def word_prefix(before: str) -> str:
    """The word being typed at the end of `before` (its trailing word characters)."""
    i = len(before)
    while i > 0:
        ch = before[i - 1]
        if is_word_char(ch):
            i -= 1
        elif ch in APOSTROPHES and i >= 2 and is_word_char(before[i - 2]) and i < len(before):
            i -= 1
        else:
            break
    return before[i:]


class DocumentCache:
    """Character n-gram and word counts over one document, updated incrementally."""

    def __init__(
        self,
        min_order: int = 2,
        max_order: int = 8,
        weights: tuple[float, ...] = DEFAULT_WEIGHTS,
        novelty: float = 1.0,
    ):
        if not 1 <= min_order <= max_order:
            raise ValueError("orders must satisfy 1 <= min_order <= max_order")
        self.min_order = min_order
        self.max_order = max_order
        self.weights = tuple(weights)
        self.novelty = novelty
        self.text = ""
        self._counts: dict[str, dict[str, int]] = {}  # context -> {next character: count}
        self._words: dict[str, int] = {}  # word -> count
        self._prefixes: dict[str, dict[str, int]] = {}  # prefix -> {word: count}

    def __len__(self) -> int:
        return len(self.text)

    def clear(self) -> None:
        self.text = ""
        self._counts.clear()
        self._words.clear()
        self._prefixes.clear()

    # -- updates ------------------------------------------------------------------------------

    def _apply(self, text: str, start: int, end: int, sign: int) -> None:
        """Add (sign=1) or remove (-1) the n-grams and words of `text` overlapping [start, end).

        An n-gram of order k at follower position i spans text[i-k:i+1]; it overlaps the span
        when i >= start and i - k < end.
        """
        counts = self._counts
        n = len(text)
        for k in range(self.min_order, self.max_order + 1):
            for i in range(max(start, k), min(n, end + k)):
                ctx = text[i - k : i]
                ch = text[i]
                if ch == CURSOR or CURSOR in ctx:
                    continue
                followers = counts.get(ctx)
                if sign > 0:
                    if followers is None:
                        counts[ctx] = {ch: 1}
                    else:
                        followers[ch] = followers.get(ch, 0) + 1
                elif followers is not None and ch in followers:
                    left = followers[ch] - 1
                    if left:
                        followers[ch] = left
                    else:
                        del followers[ch]
                        if not followers:
                            del counts[ctx]
        self._apply_words(text, start, end, sign)

    def _apply_words(self, text: str, start: int, end: int, sign: int) -> None:
        """Count the words overlapping or touching [start, end): the span is widened to
        characters that can never be inside a word, so both texts split the same way."""
        n = len(text)
        a = min(start, n)
        while a > 0 and (is_word_char(text[a - 1]) or text[a - 1] in APOSTROPHES):
            a -= 1
        b = max(min(end, n), a)
        while b < n and (is_word_char(text[b]) or text[b] in APOSTROPHES):
            b += 1
        words, prefixes = self._words, self._prefixes
        for m in _WORD.finditer(text, a, b):
            w = m.group()
            c = words.get(w, 0) + sign
            if c > 0:
                words[w] = c
            else:
                words.pop(w, None)
            for k in _PREFIX_INDEX:
                if len(w) <= k:
                    break
                bucket = prefixes.setdefault(w[:k], {})
                c = bucket.get(w, 0) + sign
                if c > 0:
                    bucket[w] = c
                else:
                    bucket.pop(w, None)
                    if not bucket:
                        del prefixes[w[:k]]

    def append(self, chars: str) -> None:
        """The document grew at its end."""
        old = self.text
        self.text = old + chars
        self._apply(old, len(old), len(old), -1)  # the last word may go on
        self._apply(self.text, len(old), len(self.text), +1)

    def drop_front(self, n: int) -> None:
        """Forget the first `n` characters (the window moved forward)."""
        n = min(n, len(self.text))
        if n:
            self._apply(self.text, 0, n, -1)
            rest = self.text[n:]
            self._apply(rest, 0, 0, +1)  # a word cut in two keeps its second part
            self.text = rest

    def sync(self, text: str) -> None:
        """Make the counts describe `text`, re-counting only what changed since the last call."""
        old = self.text
        if text == old:
            return
        p = common_prefix_len(old, text)
        s = common_suffix_len(old, text, min(len(old), len(text)) - p)
        if p < _SHIFT_PROBE and len(old) - p - s > 2 * _SHIFT_PROBE:
            # a big change near the start: maybe the window dropped its first characters
            shift = old.find(text[:_SHIFT_PROBE], 1) if len(text) >= _SHIFT_PROBE else -1
            if shift > 0:
                self.drop_front(shift)
                old = self.text
                p = common_prefix_len(old, text)
                s = common_suffix_len(old, text, min(len(old), len(text)) - p)
        self._apply(old, p, len(old) - s, -1)
        self._apply(text, p, len(text) - s, +1)
        self.text = text

    # -- prediction ---------------------------------------------------------------------------

    def followers(self, context: str) -> dict[str, int]:
        """Counts of the characters that followed `context` in the document (a copy)."""
        return dict(self._counts.get(context, {}))

    def ppm(self, context: str) -> tuple[dict[str, float], float, tuple[float, ...]] | None:
        """The document's own prediction after `context`, before mixing, or None if unseen.

        Returns (mass per character, escape mass left over, features of the longest seen
        context: (1, K, log n_K, det, det * log n_K)).
        """
        counts = self._counts
        seen = []
        for k in range(self.min_order, min(self.max_order, len(context)) + 1):
            followers = counts.get(context[-k:])
            if followers is None:
                break  # a longer context cannot have been seen either
            seen.append(followers)
        if not seen:
            return None
        sparse: dict[str, float] = {}
        escape = 1.0
        for followers in reversed(seen):  # PPM-C from the longest context down
            n = sum(followers.values())
            u = len(followers)
            f = escape / (n + u)
            for ch, c in followers.items():
                sparse[ch] = sparse.get(ch, 0.0) + f * c
            escape *= u / (n + u)
        top = seen[-1]
        log_n = math.log(sum(top.values()))
        det = 1.0 if len(top) == 1 else 0.0
        order = float(self.min_order + len(seen) - 1)
        return sparse, escape, (1.0, order, log_n, det, det * log_n)

    def mixture(self, context: str) -> tuple[float, dict[str, float]]:
        """Next-character mixture after `context`: p = alpha * p_model + sparse.

        `sparse` maps characters to probability mass (they may be outside the model's
        vocabulary); alpha + sum(sparse.values()) == 1.
        """
        found = self.ppm(context)
        if found is None:
            return 1.0, {}
        sparse, escape, features = found
        lam = _sigmoid(sum(w * x for w, x in zip(self.weights, features, strict=True)))
        alpha = 1.0 - lam * (1.0 - escape)  # the escape mass goes back to the model
        return alpha, {ch: lam * q for ch, q in sparse.items()}

    def word_counts(self, prefix: str) -> dict[str, int]:
        """Document words that start with `prefix` (at least 2 characters), with counts."""
        if len(prefix) < _PREFIX_INDEX[0]:
            return {}
        key = prefix[: max(k for k in _PREFIX_INDEX if k <= len(prefix))]
        bucket = self._prefixes.get(key, {})
        if len(key) == len(prefix):
            return dict(bucket)
        return {w: c for w, c in bucket.items() if w.startswith(prefix)}

    def complete_word(self, prefix: str) -> tuple[str, float] | None:
        """The likeliest document word extending `prefix`: (word, probability) or None.

        probability = count(word) / (count of all longer words with this prefix + novelty);
        `novelty` is the pseudo-count of "a word the document has not used yet".
        """
        candidates = self.word_counts(prefix)
        candidates.pop(prefix, None)  # the word being typed is not a completion
        if not candidates:
            return None
        best = max(candidates, key=lambda w: (candidates[w], -len(w)))
        return best, candidates[best] / (sum(candidates.values()) + self.novelty)
