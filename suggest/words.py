"""What a "word" is, for the engine's stop rule, the simulated typist and the editor's Ctrl+Right.

One definition serves all three so a suggestion accepted word by word in the editor behaves as
the evaluation assumes: the next word of a text is its optional leading whitespace followed by
either a run of word characters (letters, digits, `_`; an apostrophe between two word
characters stays inside the word, so "don't" is one word) or a run of punctuation (characters
that are neither word characters nor whitespace, e.g. `",` or `...`).
"""

from __future__ import annotations

from ghostpen.wordchars import APOSTROPHES, is_word_char

__all__ = ["APOSTROPHES", "is_word_char", "next_word_len"]


def next_word_len(text: str) -> int:
    """Length of the next word at the start of `text` (see the module docstring).

    Whitespace alone counts as one word (so accepting it word by word always makes progress);
    the empty text has length 0.
    """
    n = len(text)
    i = 0
    while i < n and text[i].isspace():
        i += 1
    if i == n:
        return n
    if is_word_char(text[i]):
        i += 1
        while i < n:
            ch = text[i]
            if is_word_char(ch):
                i += 1
            elif ch in APOSTROPHES and i + 1 < n and is_word_char(text[i + 1]):
                i += 2
            else:
                break
        return i
    while i < n and not text[i].isspace() and not is_word_char(text[i]):
        i += 1
    return i
