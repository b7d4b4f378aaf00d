"""Expected keystrokes a suggestion saves under the typist's rules (`evals/ksr.py simulate`).

The typist (and a user) takes a suggestion S, split into units u_1..u_n the way Ctrl+Right
takes them (`words.next_word_len`, so "the same " is "the", " same", " "):

- the upcoming text starts with all of S: Tab, one keystroke for len(S) characters;
- else the longest run of leading units that matches: one Ctrl+Right per unit;
- else nothing is taken (the typist types a character, as without a suggestion).

With q_j = P(the upcoming text starts with u_1..u_j) (the decoder's probability of that prefix
of S), the expected keystrokes saved are

    E[S] = sum_{j<n} q_j * (len(u_j) - 1)  +  q_n * (len(u_n) - 1 + (n - 1))

(each unit taken saves its length less the key that took it; the whole suggestion also saves
the n - 1 Ctrl+Right presses Tab replaces). A lone trailing separator (" ") adds q_n * (n - 1)
and never costs: when the space is wrong the word before it is still taken by Ctrl+Right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ghostpen.suggest.words import next_word_len


def unit_ends(text: str) -> list[int]:
    """End offsets of the units of `text` as Ctrl+Right takes them (the last is len(text))."""
    ends, j = [], 0
    while j < len(text):
        k = next_word_len(text[j:])
        if k <= 0:
            break
        j += k
        ends.append(j)
    return ends


def expected_savings(text: str, cum_logp: Sequence[float]) -> float:
    """E[S] above; cum_logp[i] = log P(text[: i + 1]) (one entry per character of text)."""
    ends = unit_ends(text)
    n = len(ends)
    total, start = 0.0, 0
    for j, end in enumerate(ends, 1):
        gain = end - start - 1 + (n - 1 if j == n else 0)
        if gain > 0:
            total += math.exp(cum_logp[end - 1]) * gain
        start = end
    return total


def useful_logp(text: str, cum_logp: Sequence[float]) -> float:
    """log P(taking `text` saves a keystroke): P(its text up to the end of its first unit of
    two or more characters), or P(all of it) when no unit before the last is that long (so
    "e " after "th" needs all of "e " right; "the same" only "the"). -inf for empty text."""
    if not text:
        return -math.inf
    ends = unit_ends(text)
    start = 0
    for end in ends[:-1]:
        if end - start >= 2:
            return cum_logp[end - 1]
        start = end
    return cum_logp[len(text) - 1]


def saved_keys(suggestion: str, upcoming: str) -> int:
    """Keystrokes the typist saves with `suggestion` before `upcoming` (0 when nothing fits)."""
    if suggestion and upcoming.startswith(suggestion):
        return len(suggestion) - 1
    saved, j = 0, 0
    for end in unit_ends(suggestion):
        if suggestion[j:end] != upcoming[j:end]:
            break
        saved += end - j - 1
        j = end
    return saved
