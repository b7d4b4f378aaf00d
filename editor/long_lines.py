"""Files with very long lines (Qt-free): found when a file is opened, shown without syntax
highlighting, and each such line shown as several short blocks so that typing stays fast.

Qt lays out a whole block (shaping every character, then breaking it into lines) after each
keystroke in it: in a line of 1 MB that took ~0.6 s a key wrapped and ~1.4 s unwrapped, 5 MB
~2.5 s, and turning word wrap off only made it slower. So a line longer than `LONG_LINE_CHARS`
is split, for the editor only, into pieces of about `PIECE_CHARS` characters (`split_long_blocks`,
after a space where there is one, never before a combining mark), each its own block, whose
separators are `linebreaks.DISPLAY_BREAK`: no character of the text. The document's text, what
is saved, copied and recovered, is the line as it was (`Document.text_file`, `GhostTextEdit`),
and a key costs what a key in a `PIECE_CHARS` line costs. The pieces show as lines (wrapped or
not, as the user set it); the gutter numbers only the file's lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from ghostpen.linebreaks import DISPLAY_BREAK

LONG_LINE_CHARS = 100_000  # a line longer than this turns highlighting off and is split
PIECE_CHARS = 2_000  # about this many characters a block when a long line is split
SPACE_LOOKBACK = 200  # a piece ends after the last space this close to its end, if any
WARNING = "very long lines: shown in pieces of a few thousand characters, syntax highlighting off"
_JOINERS = "\u200d\ufe0e\ufe0f"  # never start a piece with these (nor a combining mark)


def has_long_lines(text: str, limit: int = LONG_LINE_CHARS) -> bool:
    """Whether a line of `text` ("\\n"-separated) is longer than `limit` characters."""
    if len(text) <= limit:
        return False
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            return len(text) - start > limit
        if end - start > limit:
            return True
        start = end + 1


def _cut(line: str, start: int, size: int) -> int:
    """Where the piece of `line` that begins at `start` ends (about `size` characters on)."""
    end = start + size
    space = line.rfind(" ", max(start + 1, end - SPACE_LOOKBACK), end)
    if space > start:
        return space + 1
    while end > start + 1 and (unicodedata.combining(line[end]) or line[end] in _JOINERS):
        end -= 1  # keep a letter and its marks together
    return end


def pieces(line: str, size: int = PIECE_CHARS) -> list[str]:
    """`line` cut into pieces of at most `size` characters ("".join gives it back)."""
    out, start = [], 0
    while len(line) - start > size:
        end = _cut(line, start, size)
        out.append(line[start:end])
        start = end
    out.append(line[start:])
    return out


def split_long_blocks(
    text: str,
    ends: Mapping[int, str],
    limit: int = LONG_LINE_CHARS,
    size: int = PIECE_CHARS,
) -> tuple[str, dict[int, str]]:
    """(`text`, `ends`) as `linebreaks.split_blocks` gives them, with every block longer than
    `limit` cut into pieces (`pieces`) whose separators are DISPLAY_BREAK; `ends` renumbered."""
    blocks = text.split("\n")
    if all(len(block) <= limit for block in blocks):
        return text, dict(ends)
    out: list[str] = []
    new_ends: dict[int, str] = {}
    for index, block in enumerate(blocks):
        if len(block) > limit:
            parts = pieces(block, size)
            for part in parts[:-1]:
                out.append(part)
                new_ends[len(out) - 1] = DISPLAY_BREAK
            out.append(parts[-1])
        else:
            out.append(block)
        if index in ends:
            new_ends[len(out) - 1] = ends[index]
    return "\n".join(out), new_ends
