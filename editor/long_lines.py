"""Files with very long lines (Qt-free): found when a file is opened, shown without word wrap
or highlighting, as VS Code does. Qt lays out a whole line (block) after each keystroke in it,
so wrapping and colouring one of millions of characters takes seconds a key."""

from __future__ import annotations

LONG_LINE_CHARS = 100_000  # a line longer than this turns wrap and highlighting off
WARNING = "very long lines: word wrap and highlighting are off for this file"


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
