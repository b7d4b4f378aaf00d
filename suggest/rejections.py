"""Remembered rejections: a word the user typed past is not offered again at that position.

The engine is called with the text before the cursor on every keystroke (by the editor's worker
and by the simulated typist alike), so the memory lives in the engine, one per document:

- after each call it remembers what it showed (`shown`): the text before the cursor, B0, and
  the suggestion, S0;
- on the next call with text B1 that continues B0 by t = B1[len(B0):], t *types past* S0 when
  it is not an acceptance of it: t contradicts S0 (the user typed another character), or t is
  a prefix of S0 that does not end where Tab or Ctrl+Right would have ended (the user typed
  the suggestion's own first letters instead of accepting it: a typist who wanted that word
  takes it in one key; this is what word predictors do, and KenLM gains +0.03 ksr from it).
  The word of S0 that t diverged in (its whole word, typed part included: "the" for "he "
  after "t") is then rejected at its start;
- a rejection is keyed by the word's start (as a document offset, window moves accounted for)
  and the CONTEXT characters before it; every call computes the key of the word at the
  cursor, and a different key (the word ended, the cursor moved, an edit before it) clears
  the memory. So a rejected word is not offered again while the user types that word, and is
  offered again at the next word.

The decoder (`decode.py`) skips a candidate whose first word, completed from the typed part,
is rejected (`is_banned`). Words are the units of `words.next_word_len`.
"""

from __future__ import annotations

from ghostpen.suggest.textdiff import common_prefix_len
from ghostpen.suggest.words import next_word_len

CONTEXT = 32  # characters before a word that key its rejections
REJECT_TYPED_PREFIX = True  # typing a suggestion's own first letters rejects it (see above)


def unit_start(before: str) -> int:
    """Where the word (unit) being typed at the end of `before` starts (len(before) after
    whitespace or at the start of an empty text)."""
    i = len(before)
    while i > 0 and not before[i - 1].isspace():
        i -= 1
    token = before[i:]  # the whitespace-free tail; walk its units as Ctrl+Right would
    j = 0
    while True:
        k = next_word_len(token[j:])
        if k <= 0 or j + k >= len(token):
            return i + j
        j += k


def is_banned(prefix: str, text: str, banned: frozenset[str]) -> bool:
    """Whether suggestion `text` after the typed part `prefix` of the word at the cursor
    completes that word to a rejected one."""
    if not banned:
        return False
    full = prefix + text
    k = next_word_len(full)
    return k > len(prefix) and full[:k] in banned


def typed_past(prefix0: str, shown: str, typed: str) -> tuple[int, str] | None:
    """(start relative to the typed part's start, word) rejected when `typed` follows a
    suggestion `shown` made after the typed part `prefix0`, or None when `typed` accepts it,
    completes it, or diverged before the word began (in its leading whitespace)."""
    d = common_prefix_len(typed, shown)
    if d >= len(shown):
        return None  # the whole suggestion was typed or taken
    if d == len(typed):  # a prefix of the suggestion: taken by Tab/Ctrl+Right, or typed
        if not REJECT_TYPED_PREFIX:
            return None
        j = 0
        while j < d:
            j += max(1, next_word_len(shown[j:]))
        if j == d:
            return None  # ends on a word boundary: what Ctrl+Right takes
    full = prefix0 + shown
    pos = len(prefix0) + d
    a = 0
    while a < len(full):
        b = a + max(1, next_word_len(full[a:]))
        if pos < b:
            ws = a
            while ws < b and full[ws].isspace():
                ws += 1
            if pos < ws or ws == b:
                return None  # diverged in the whitespace before the word
            return ws, full[ws:b]
        a = b
    return None


class RejectionMemory:
    """The rejections of one document (see the module docstring)."""

    def __init__(self) -> None:
        self._key: tuple[int, str] | None = None  # (document offset, context) of the word
        self._banned: set[str] = set()
        # (before, origin, the texts shown: the suggestion and its alternatives)
        self._shown: tuple[str, int, tuple[str, ...]] | None = None

    def observe(self, before: str, origin: int = 0) -> tuple[str, frozenset[str]]:
        """Account for the text typed since the last call; (typed part of the word at the
        cursor, the words rejected there). `origin`: document offset of before[0]."""
        us = unit_start(before)
        key = (origin + us, before[max(0, us - CONTEXT) : us])
        if key != self._key:
            self._key, self._banned = key, set()
        shown, self._shown = self._shown, None
        if shown is not None:
            b0, o0, texts = shown
            if o0 == origin and len(before) > len(b0) and before.startswith(b0):
                us0 = unit_start(b0)
                for s0 in texts:
                    hit = typed_past(b0[us0:], s0, before[len(b0) :])
                    if hit is not None and us0 + hit[0] == us:
                        self._banned.add(hit[1])
        return before[us:], frozenset(self._banned)

    def shown(self, before: str, origin: int, suggestion) -> None:
        """What the call for `before` showed: a text, the texts of a suggestion and its
        alternatives (every one the user saw and typed past is rejected), or None/()."""
        texts = (suggestion,) if isinstance(suggestion, str) else tuple(suggestion or ())
        texts = tuple(t for t in texts if t)
        self._shown = (before, origin, texts) if texts else None
