"""Line endings kept line by line, so that saving never changes a character (Qt-free).

The text of a file is held as "\\n"-separated lines (`TextFile.text`), the file's dominant line
ending (`TextFile.newline`) and, for a file that mixes endings, the lines whose own ending is
another one (`TextFile.endings`: line index -> "\\r\\n", "\\r" or "\\n"). U+2028 LINE SEPARATOR,
U+2029 PARAGRAPH SEPARATOR and U+FDD0/U+FDD1 are characters of that text, never line endings of
the file, and are saved as themselves.

The editor's QTextDocument ends a block at "\\n", "\\r", U+2029, U+FDD0 and U+FDD1, and keeps
U+2028 inside a block, where Shift+Enter types it too. So `split_blocks` turns every one of these
characters (U+2028 included) into a block separator and returns the blocks whose ending is not
the dominant one; the editor marks each such separator (`Document`: a character-format property
of the separator itself), and `join_blocks` builds the text back from the blocks. A separator's
mark lives and dies with the separator, through typing, deleting, cut and paste, undo and redo,
so the rule is the one of editing the bytes themselves:

- A line keeps its own ending until that ending is deleted; an unedited file saves back
  identical bytes, and an edit changes only the lines it touches.
- A line break the user types or pastes gets the dominant ending (rarely, typed right after
  text typed at the very start of a line, it takes the ending of the line above).
- Joining two lines deletes the first one's ending; the joined line keeps the second one's.
- A soft line break typed with Shift+Enter (U+2028 inside a block) is saved as the dominant
  ending, as ghostpen always did; a U+2028 that came from the file stays U+2028.
- Choosing a line ending (`Document.set_newline`) gives it to every line; U+2028, U+2029 and
  U+FDD0/U+FDD1 stay what they are.

A block may also end with `DISPLAY_BREAK` (""): a separator that stands for no character at
all, which the editor puts into a very long line to show it as several short blocks
(`editor.long_lines`); `join_blocks` drops it, so the line is saved as one line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

NEWLINES = ("\n", "\r\n", "\r")
# Characters QTextDocument (or ghostpen, for U+2028) ends a block at that are not line endings.
SEPARATORS = ("\u2028", "\u2029", "\ufdd0", "\ufdd1")
DISPLAY_BREAK = ""  # a block separator that is no character of the text (editor.long_lines)
_KEPT = (*SEPARATORS, DISPLAY_BREAK)  # separators join_blocks writes as themselves
_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\ufdd0\ufdd1]")
_NEWLINE_RE = re.compile("\r\n|\r|\n")


def line_endings(raw: str, newline: str) -> dict[int, str]:
    """{line index: its ending} for the lines of `raw` (a decoded file, endings not yet
    normalised) whose ending is not `newline`."""
    return {i: m.group() for i, m in enumerate(_NEWLINE_RE.finditer(raw)) if m.group() != newline}


def join_lines(text: str, newline: str, endings: Mapping[int, str] | None = None) -> str:
    """`text` ("\\n"-separated lines) with each line's own ending: `endings[i]` for line i where
    given, else `newline`."""
    if not endings:
        return text.replace("\n", newline) if newline != "\n" else text
    pieces = text.split("\n")
    ends = [newline] * (len(pieces) - 1)
    for line, ending in endings.items():
        if 0 <= line < len(ends):
            ends[line] = ending
    return "".join(itertools.chain.from_iterable(zip(pieces, ends, strict=False))) + pieces[-1]


def split_blocks(
    text: str, newline: str, endings: Mapping[int, str] | None = None
) -> tuple[str, dict[int, str]]:
    """(the text for QTextDocument.setPlainText, with every line break and separator character a
    "\\n"; {block index: its ending} for the blocks that do not end with `newline`).

    `text` is a `TextFile.text` ("\\n" line breaks, line i ending with `endings[i]` or `newline`);
    a literal "\\r\\n" or "\\r" in it is a line break with that ending."""
    if not endings and "\r" not in text and not any(sep in text for sep in SEPARATORS):
        return text, {}
    endings = endings or {}
    ends: dict[int, str] = {}
    line = 0
    for block, m in enumerate(_BREAKS.finditer(text)):
        ending = m.group()
        if ending in NEWLINES:
            if ending == "\n":
                ending = endings.get(line, newline)
            line += 1
        if ending != newline:
            ends[block] = ending
    return _BREAKS.sub("\n", text), ends


def join_blocks(
    blocks: Sequence[str], ends: Mapping[int, str], newline: str, *, keep_mixed: bool = True
) -> tuple[str, dict[int, str]]:
    """The inverse of `split_blocks`: (`TextFile.text`, `TextFile.endings`) from the blocks'
    texts and the endings of those blocks that have their own. A U+2028 inside a block (typed
    with Shift+Enter) is a line break with the dominant ending. Without `keep_mixed`, blocks
    ending with "\\r\\n", "\\r" or "\\n" all get `newline` (separator characters stay)."""
    text = "\n".join(blocks)
    if not ends:
        return text.replace("\u2028", "\n"), {}
    if "\u2028" not in text and not any(ending in _KEPT for ending in ends.values()):
        return text, {  # one line a block
            index: ending for index, ending in ends.items() if keep_mixed and ending != newline
        }
    pieces: list[str] = []
    endings: dict[int, str] = {}
    line = 0
    last = len(blocks) - 1
    for index, block in enumerate(blocks):
        if "\u2028" in block:  # soft line breaks typed inside the block
            line += block.count("\u2028")
            block = block.replace("\u2028", "\n")
        pieces.append(block)
        if index == last:
            break
        ending = ends.get(index)
        if ending in _KEPT:
            pieces.append(ending)
            continue
        pieces.append("\n")
        if ending is not None and keep_mixed and ending != newline and ending in NEWLINES:
            endings[line] = ending
        line += 1
    return "".join(pieces), endings
