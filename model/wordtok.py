"""How the word model reads text: words, punctuation tokens and sentence starts.

- A **word** is `ghostpen.wordchars.WORD_PATTERN` (word characters, inner apostrophes: "one's"),
  the words the suggestion engine offers. Case is kept: "The" and "the" are two words, and the
  sentence-start marker lets the model learn which one starts a sentence.
- A **punctuation token** is a run of characters that are neither word characters nor
  whitespace (`,`  `;`  `--`  `."`); it stays in the context ("said , the"), so the model knows
  what follows a comma, but is never offered as a continuation.
- A **sentence** ends after a punctuation token holding `.`, `!` or `?`, and at a paragraph
  break (a blank line); the next one starts with `<s>`. Each sentence ends with `</s>`. Single
  newlines (hard-wrapped lines) are spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ghostpen.wordchars import APOSTROPHES, WORD_PATTERN

UNK, BOS, EOS = "<unk>", "<s>", "</s>"
SPECIALS = (UNK, BOS, EOS)  # ids 0, 1, 2 of every vocabulary
_TOKEN = re.compile(rf"(?P<w>{WORD_PATTERN})|(?P<p>[^\w\s]+)|(?P<b>\n[^\S\n]*\n\s*)")
_ENDS = frozenset(".!?")
TAIL_CHARS = 256  # `split_context` reads this many characters before the cursor


def sentences(text: str) -> Iterator[list[str]]:
    """The token lists of the sentences of `text` (without the `<s>` / `</s>` markers)."""
    for _, tokens in sentence_spans(text):
        yield tokens


def sentence_spans(text: str, pos: int = 0) -> Iterator[tuple[int, list[str]]]:
    """(offset of its first token, tokens) of each sentence of `text[pos:]`; `pos` must be a
    token's start (then the sentences are those a scan from 0 finds there)."""
    current: list[str] = []
    first = pos
    for m in _TOKEN.finditer(text, pos):
        kind = m.lastgroup
        if kind == "b":
            if current:
                yield first, current
                current = []
            continue
        if not current:
            first = m.start()
        token = m.group()
        current.append(token)
        if kind == "p" and not _ENDS.isdisjoint(token):
            yield first, current
            current = []
    if current:
        yield first, current


def corpus_sentences(texts: Iterable[str]) -> Iterator[list[str]]:
    """`sentences` of every text in turn (a text's end also ends a sentence)."""
    for text in texts:
        yield from sentences(text)


def is_word(token: str) -> bool:
    """A word token (not punctuation, not a marker)."""
    return bool(token) and (token[0].isalnum() or token[0] == "_")


def split_context(before: str, n: int = 3) -> tuple[tuple[str, ...], str]:
    """(the last `n` tokens before the word being typed, its typed prefix) for the text
    `before` the cursor: "It was the sa" -> (("It", "was", "the"), "sa"); after a sentence end
    the context starts with `<s>`: "Yes. No" -> (("<s>",), "No"). The prefix is "" at a word
    start; a trailing apostrophe after a word stays in it ("don'"). Reads only the last
    `TAIL_CHARS` characters (a context cut there has no `<s>`)."""
    cut = len(before) > TAIL_CHARS
    tail = before[-TAIL_CHARS:]
    if cut:  # drop the partial token at the cut
        tail = tail[next((i for i, ch in enumerate(tail) if ch.isspace()), len(tail)) :]
    m = _PREFIX.search(tail)
    prefix = m.group() if m else ""
    if m:
        tail = tail[: m.start()]
    runs = list(sentences(tail))
    if _ends_sentence(tail) or not runs:
        context = [BOS]
    else:
        context = ([BOS] if len(runs) > 1 or not cut else []) + runs[-1]
    return (tuple(context[-n:]) if n > 0 else ()), prefix


_PREFIX = re.compile(rf"{WORD_PATTERN}[{APOSTROPHES}]?\Z")
_BREAK_AT_END = re.compile(r"\n[^\S\n]*\n\s*\Z")
_PUNCT_AT_END = re.compile(r"[^\w\s]+\Z")


def _ends_sentence(text: str) -> bool:
    """`text` is empty or ends with a sentence end (a `.!?` token or a paragraph break)."""
    stripped = text.rstrip()
    if not stripped or _BREAK_AT_END.search(text):
        return True
    m = _PUNCT_AT_END.search(stripped)
    return bool(m) and not _ENDS.isdisjoint(m.group())
