"""Files with very long lines (Qt-free): found when a file is opened, shown without syntax
highlighting and with a warning, as VS Code does. Qt lays out a whole line (block) after each
keystroke in it, so a key in a line of millions of characters takes about a second. Turning
word wrap off as well was measured and made it slower (5 MB line: ~1.4 s a key wrapped,
~3.9 s unwrapped), so wrap stays as the user set it."""

from __future__ import annotations

LONG_LINE_CHARS = 100_000  # a line longer than this turns highlighting off
WARNING = "very long lines: syntax highlighting is off and typing may be slow in this file"


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
