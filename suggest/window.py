"""The text window: how much of the document around the cursor the engine is given.

One definition for the editor (`GhostTextEdit.context`, the worker's requests), the engine
(which cuts markup documents back to the plain window for the model) and the evals (`bpc`,
`ksr`, `speed`, which cut their text the way the editor would). Qt-free.

- Plain text: at least WINDOW characters before the cursor (if the document has them),
  starting at a multiple of ALIGN document characters, so the start only moves every ALIGN
  characters and the engine's cached states stay valid (WINDOW to WINDOW + ALIGN - 1 long).
- Markup (HTML/XML): MARKUP_WINDOW characters, in practice the whole document, because the
  tag closer needs the elements opened since its start.
- After the cursor: at most AFTER characters (the document cache reads them).

Positions are document indices: Python characters in the evals, Qt positions (UTF-16 code
units) in the editor; the two agree on text without characters outside the BMP.
"""

from __future__ import annotations

WINDOW = 16384  # characters before the cursor the engine sees (the RNN's memory is short)...
ALIGN = 4096  # ...starting at a multiple of this many document characters
MARKUP_WINDOW = 1 << 20  # HTML/XML: the tag closer needs the open elements from the start
AFTER = 2000  # characters after the cursor


def window_start(cursor: int, size: int = WINDOW, align: int = ALIGN) -> int:
    """Where the `before` window starts for a cursor at document index `cursor`: at least
    `size` characters back (or 0), on a multiple of `align` (size to size + align - 1 long)."""
    return max(0, cursor - max(0, size)) // align * align


def before_size(markup: bool) -> int:
    """The least number of characters before the cursor a plain or markup document sends."""
    return MARKUP_WINDOW if markup else WINDOW


def cut(text: str, cursor: int, markup: bool = False) -> tuple[int, str]:
    """(start, before): the window of `text` before index `cursor` the editor sends the engine
    for a plain (markup=False) or HTML/XML document."""
    start = window_start(cursor, before_size(markup))
    return start, text[start:cursor]
