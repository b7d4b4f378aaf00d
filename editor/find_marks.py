"""The find bar's live part: every match highlighted and "3 of 11" while the search is typed.

`FindMarksMixin` is that part of `dialogs.FindBar`. `match_spans` lists the matches of a
`documents.SearchSpec` block by block (matches never span lines, as in `documents.find`), up
to `MAX_COUNT`; the editor paints the first `MAX_MARKS` of them (`GhostTextEdit.set_find_marks`)
and `position_text` says which one is selected. Positions are Qt's (UTF-16 code units), as
QTextCursor's are.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, QTimer
from PySide6.QtGui import QTextDocument

from ghostpen.editor import documents

MARKS_DELAY_MS = 150  # the find bar counts and highlights matches once typing pauses this long
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


class FindMarksMixin:
    """The live part of `dialogs.FindBar` (it uses the bar's `find_edit`, check boxes,
    `spec`, `_run`, `set_message` and `_editor`): marks and counts once the typing pauses, the
    selection moved to the first match from where the search began."""

    def _init_marks(self) -> None:
        self._marks_timer = QTimer(self)  # counts and marks once the typing pauses
        self._marks_timer.setSingleShot(True)
        self._marks_timer.setInterval(MARKS_DELAY_MS)
        self._marks_timer.timeout.connect(self._typed)
        self._moving = False  # True: the pause after typing moves to the first match
        self._origin = 0  # where the incremental search starts (the cursor at open_bar)
        self._marked = None  # (editor, its document) whose matches are highlighted
        self.find_edit.textChanged.connect(self._on_typed)
        for box in (self.case, self.whole, self.regex):
            box.toggled.connect(self._on_typed)

    def _on_typed(self, *_args) -> None:
        self._moving = True
        self._marks_timer.start()

    def _on_document_changed(self) -> None:
        if self.isVisible() and not self._marks_timer.isActive():
            self._marks_timer.start()

    def _typed(self) -> None:
        edit = self._editor()
        if edit is None or not self.isVisible():
            return
        moving, self._moving = self._moving, False
        if moving and self.find_edit.text():
            cursor = edit.textCursor()
            cursor.setPosition(min(self._origin, edit.document().characterCount() - 1))
            edit.setTextCursor(cursor)
            self._run(lambda e, spec: documents.find(e, spec))
        self.refresh_marks()

    def refresh_marks(self, note: str = "") -> int:
        """Highlight every match in the current editor and say which one is selected;
        returns how many there are."""
        self._clear_marks()
        edit = self._editor()
        if edit is None or not self.find_edit.text():
            self.set_message("")
            return 0
        try:
            spans = match_spans(edit.document(), self.spec().compile())
        except documents.SearchError as err:
            self.set_message(str(err), error=True)
            return 0
        if hasattr(edit, "set_find_marks"):  # a GhostTextEdit (tests use plain editors too)
            edit.set_find_marks(spans[:MAX_MARKS])
        self._marked = (edit, edit.document())
        edit.document().contentsChanged.connect(self._on_document_changed)
        if not spans:
            self.set_message(f"Not found: “{self.find_edit.text()}”", error=True)
            return 0
        cursor = edit.textCursor()
        where = position_text(spans, cursor.selectionStart(), cursor.selectionEnd())
        self.set_message(where + note)
        return len(spans)

    def _clear_marks(self) -> None:
        if self._marked is None:
            return
        edit, doc = self._marked
        self._marked = None
        try:
            doc.contentsChanged.disconnect(self._on_document_changed)
            if hasattr(edit, "set_find_marks"):
                edit.set_find_marks([])
        except (RuntimeError, TypeError):  # the tab was closed
            pass
