"""The hook for a word-level model: a `WordPrior` proposes and weighs whole-word candidates.

The decoder (`decode.py`) finds word candidates with the character model; given a
`word_prior` it also asks it for the likeliest words that extend the word being typed, steps
each through the character model (so every candidate has a character-model probability and a
state to continue a phrase from), and mixes the two word distributions linearly:

    P(w) = (1 - weight) * P_char(w) + weight * P_word(w | context) / Z

P_char(w): the character model's probability of the rest of w followed by a word end;
P_word: the word model's, Z: the word model's mass over the candidates it listed (its top
`PRIOR_CANDIDATES`), so that P_word / Z is its distribution over the words that fit the typed
prefix (an over-estimate when the list is short of the prefix's mass). The mixed probability
replaces P_char(w) in ranking, gating and the expected savings of every suggestion starting
with w. `word_prior=None` is the character model alone.

A model that fits (e.g. `model/wordlm.py`'s modified-Kneser-Ney n-gram model) needs only these
two methods; the context is the words before the one being typed, oldest first, as
`context_words` returns them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

PRIOR_WEIGHT = 0.3  # weight of the word model in the mixture (to fit on `eval ksr`)
PRIOR_CANDIDATES = 6  # words asked of the word model per word position
CONTEXT_WORDS = 3  # words of context passed (a 4-gram model reads 3)

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


@runtime_checkable
class WordPrior(Protocol):
    """What the decoder needs of a word-level model."""

    def logprob(self, word: str, context_words: Sequence[str]) -> float:
        """Natural log P(word | context_words)."""

    def top_continuations(
        self, context_words: Sequence[str], prefix: str, k: int
    ) -> list[tuple[str, float]]:
        """The k likeliest words starting with `prefix` after the context, best first, as
        (word, natural log probability)."""


def context_words(text: str, n: int = CONTEXT_WORDS) -> list[str]:
    """The last n complete words of `text` (the word being typed at its end excluded)."""
    tail = text[-200:]
    words = _WORD.findall(tail)
    if words and tail and not tail[-1].isspace() and tail.endswith(words[-1]):
        words = words[:-1]  # the word being typed
    return words[-n:] if n > 0 else []
