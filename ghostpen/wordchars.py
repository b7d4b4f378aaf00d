"""What a word character is: one definition for the suggestion engine and the word model.

A word is a run of word characters (letters and digits of any script, and `_`); an apostrophe
between two word characters stays inside the word, so "don't" and "one's" are one word.
`suggest/words.py` (Ctrl+Right, the typist) and `model/wordtok.py` (the word n-gram model)
both read these, so the model's words are the words the engine offers.
"""

from __future__ import annotations

APOSTROPHES = "'\u2019"
# a word: word characters, with single apostrophes between them ("don't", "one\u2019s")
WORD_PATTERN = r"[^\W]+(?:['\u2019][^\W]+)*"


def is_word_char(ch: str) -> bool:
    """Letters, digits (any script) and underscore."""
    return ch.isalnum() or ch == "_"
