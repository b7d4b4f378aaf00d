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

A model that fits (e.g. `model/wordlm.py`'s modified-Kneser-Ney n-gram model, wrapped per
document by `wordprior.DocumentPrior`) needs only these two methods; the context is the tokens
before the one being typed, oldest first, as `context_words` returns them: the word model's own
reading (`ghostpen.model.wordtok.split_context`: punctuation tokens kept, `<s>` at a sentence
start).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ghostpen.model.wordtok import TAIL_CHARS, split_context

# weight of the word model in the mixture, fitted with `eval ksr` on the bundled model's
# validation slice (the first 10,000 characters `eval ksr --text nietzsche-90.txt` types, see
# types.py): weight 0 (no word model) 0.3917, 0.3 0.3944, 0.5 0.3891, 0.7 0.3846
PRIOR_WEIGHT = 0.3
# a listed word the character model did not find is stepped through it (model steps: latency)
# only when it holds at least this share of the listed words' probability
PRIOR_MIN_SHARE = 0.1
PRIOR_CANDIDATES = 6  # words asked of the word model per word position
CONTEXT_WORDS = 3  # words of context passed (a 4-gram model reads 3)
PRIOR_TAIL = TAIL_CHARS + 64  # characters before the cursor the decoder keeps for the context


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
    """The last n tokens of `text` before the word being typed at its end."""
    return list(split_context(text, n)[0])
