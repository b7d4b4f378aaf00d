"""The find bar's live part: every match highlighted and "3 of 11" while the search is typed.

`match_spans` lists the matches of a `documents.SearchSpec` block by block (matches never span
lines, as in `documents.find`), up to `MAX_COUNT`; the editor paints the first `MAX_MARKS` of
them (`GhostTextEdit.set_find_marks`) and `position_text` says which one is selected. Positions
are Qt's (UTF-16 code units), as QTextCursor's are.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QTextDocument

MAX_COUNT = 10_000  # counting stops here ("10,000+")
MAX_MARKS = 2_000  # matches painted


def match_spans(
    doc: QTextDocument, rx: QRegularExpression, limit: int = MAX_COUNT
) -> list[tuple[int, int]]:
    """(start, end) of each non-empty match of `rx` in `doc`, at most `limit` of them."""
    spans: list[tuple[int, int]] = []
    block = doc.begin()
    while block.isValid():
        matches = rx.globalMatch(block.text())
        while matches.hasNext():
            m = matches.next()
            if m.capturedLength() > 0:
                start = block.position() + m.capturedStart()
                spans.append((start, start + m.capturedLength()))
                if len(spans) >= limit:
                    return spans
        block = block.next()
    return spans


def position_text(spans: list[tuple[int, int]], start: int, end: int) -> str:
    """'3 of 11' when the selection [start, end) is the third match; '11 matches' when it is
    none of them; '' when there are none."""
    if not spans:
        return ""
    total = f"{len(spans):,}" + ("+" if len(spans) >= MAX_COUNT else "")
    try:
        return f"{spans.index((start, end)) + 1:,} of {total}"
    except ValueError:
        return f"{total} match{'es' if len(spans) != 1 else ''}"
