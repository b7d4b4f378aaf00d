"""The editor widget: a QPlainTextEdit that paints ghost-text suggestions after the cursor.

The ghost itself (painting, Tab / Ctrl+Right / Ctrl+Shift+Right / Esc, type-through) is
`ghost.GhostSuggestion`; this widget delegates to it and clears the ghost on any other edit,
cursor move, click or focus loss. The widget also has a line-number gutter, a current-line
highlight, a monospace font and zoom.

A very long line is shown as several blocks joined by display breaks (`long_lines`; the
separator's LINE_ENDING_PROPERTY is DISPLAY_BREAK_MARK): the widget keeps them out of
the way of the user. Backspace, Delete, Left and Right step over one as if it were not there, a
line break typed next to one is a real line break, and copying or the engine's context never
see one (`display_text`); the gutter numbers the file's lines, not the pieces.

Every content change and cursor move bumps `revision()`; a suggestion computed for an older
revision is stale (the controller in `ghostpen.editor.worker` drops it). `context()` hands the
text around the cursor to the engine without touching the whole document.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPainter,
    QPalette,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ghostpen.editor.ghost import TAB_SPACES, GhostSuggestion, accept_length
from ghostpen.suggest.types import Suggestion
from ghostpen.suggest.window import AFTER, WINDOW, window_start

MIN_POINT_SIZE = 4.0
# The character-format property of a block separator that holds the line's own ending
# (`documents.Document`), or DISPLAY_BREAK_MARK for a separator that is no character at all
# (a `linebreaks.DISPLAY_BREAK`; Qt keeps no empty string in a format property).
LINE_ENDING_PROPERTY = QTextFormat.Property.UserProperty + 0x2028
DISPLAY_BREAK_MARK = "display"
DISPLAY_BREAKS_FLAG = "ghostpen_display_breaks"  # a QTextDocument property: it has some
_STEP_KEYS = {Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Left, Qt.Key.Key_Right}

LIGHT = {
    "gutter_bg": "#f3f3f3",
    "gutter_fg": "#9a9a9a",
    "gutter_cur": "#333333",
    "line": "#fff8d6",
    "ghost_fallback": "#000000",
}
DARK = {
    "gutter_bg": "#252526",
    "gutter_fg": "#6e7681",
    "gutter_cur": "#d4d4d4",
    "line": "#2c313a",
    "ghost_fallback": "#d4d4d4",
    "base": "#1e1e1e",
    "text": "#d4d4d4",
}


# what may follow the cursor on its line for a ghost to show: closing brackets and quotes,
# sentence punctuation after them, spaces ("foo(|)", "said “yes|”.", "x = [1, 2|];")
CLOSERS = frozenset(")]}>\"'`’”»›.,;:!? \t")


def ghost_fits(line_after_cursor: str) -> bool:
    """A ghost may show here: the cursor is at its line's end or before closing punctuation
    only (a ghost inside a line would push the rest of it aside)."""
    return all(ch in CLOSERS for ch in line_after_cursor)


def _plain(text: str) -> str:
    """QTextCursor.selectedText() separators -> what toPlainText() gives (same length)."""
    return text.replace("\u2029", "\n").replace("\u2028", "\n").replace("\u00a0", " ")


def _display_marks(doc) -> set[int]:
    """Indexes of `doc`'s character formats that mark a display break (long_lines)."""
    return {
        index
        for index, fmt in enumerate(doc.allFormats())
        if fmt.isCharFormat() and fmt.property(LINE_ENDING_PROPERTY) == DISPLAY_BREAK_MARK
    }


def _is_display_break(block) -> bool:
    """Whether the separator before `block` (not the first) is a display break."""
    fmt = block.charFormat()  # a block's char format is the separator's before it
    return fmt.property(LINE_ENDING_PROPERTY) == DISPLAY_BREAK_MARK


def line_column(cursor: QTextCursor) -> tuple[int, int]:
    """(line, column), 1-based, of `cursor` in the file's terms: a very long line shown in
    pieces (display breaks) is one line, and the column counts from its start."""
    block = cursor.block()
    line, column = block.blockNumber() + 1, cursor.positionInBlock() + 1
    if not block.isValid():
        return line, column
    doc = block.document()
    if doc is None or not doc.property(DISPLAY_BREAKS_FLAG):
        return line, column
    line = GhostTextEdit.lines_before(doc, block) + 1
    while block.blockNumber() > 0 and _is_display_break(block):
        block = block.previous()
        column += block.length() - 1
    return line, column


class LineNumberArea(QWidget):
    """The gutter on the left of a GhostTextEdit (Qt's Code Editor example)."""

    def __init__(self, edit: GhostTextEdit) -> None:
        super().__init__(edit)
        self._edit = edit

    def sizeHint(self) -> QSize:
        return QSize(self._edit.line_number_area_width(), 0)

    def paintEvent(self, event) -> None:
        self._edit._paint_line_numbers(event)


class GhostTextEdit(QPlainTextEdit):
    """Plain-text editor with painted ghost-text suggestions and a line-number gutter."""

    suggestionWanted = Signal()  # text/cursor changed: a new suggestion may be requested
    ghostAccepted = Signal(str)  # text accepted with Tab / Ctrl+Right / Ctrl+Shift+Right
    ghostPainted = Signal(int, int)  # (revision, 1 if kept locally else 0): first paint
    ghostChanged = Signal()  # a ghost was shown, cleared, or another choice of it shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._revision = 0
        self._ghost = GhostSuggestion(self)
        self._suggestions_on = True
        self._quiet = False  # internal edit: don't ask for a new suggestion
        self._dark = False
        self._colors = dict(LIGHT)
        self._light_palette: QPalette | None = None  # palette before set_dark(True)
        self._zoom = 0
        self._display_breaks = False  # some separators are display breaks (long_lines)

        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self._update_tab_stop()

        self._gutter = LineNumberArea(self)
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.document().contentsChange.connect(self._on_contents_change)
        self.cursorPositionChanged.connect(self._on_cursor_moved)
        self.selectionChanged.connect(self._on_selection_changed)
        self._update_gutter_width()
        self._highlight_current_line()

    # -- ghost text (delegated to `ghost.GhostSuggestion`) ----------------------------------
    def ghost(self) -> Suggestion | None:
        return self._ghost.current()

    def set_ghost(self, suggestion: Suggestion | None) -> None:
        """Show `suggestion` after the cursor (for the current revision); None hides it."""
        if (
            suggestion is None
            or not suggestion.text
            or not self._suggestions_on
            or self._ghost.dismissed
            or self.textCursor().hasSelection()
            or self.isReadOnly()
            or not self.ghost_allowed()
        ):
            self.clear_ghost()
            return
        self._ghost.show(suggestion, local=False)

    def clear_ghost(self) -> None:
        self._ghost.clear()

    def accept_ghost(self, part: str = "all") -> str:
        """Accept all of the ghost, its next "word" or its next "line" (one undo step), as
        its keys do; returns the accepted text ("" without a ghost)."""
        ghost = self.ghost()
        return "" if ghost is None else self._ghost.accept(accept_length(ghost.text, part))

    def ghost_choices(self) -> tuple[Suggestion, ...]:
        """The shown suggestion's choices (the ghost among them, at `ghost_index()`)."""
        return self._ghost.choices()

    def ghost_index(self) -> int:
        return self._ghost.index()

    def cycle_ghost(self, step: int) -> bool:
        """Show the next (1) / previous (-1) alternative as the ghost (Alt+] / Alt+[)."""
        return self._ghost.cycle(step)

    def take_choice(self, k: int) -> str:
        """Accept all of choice k (0-based; Alt+1/2/3); returns the accepted text."""
        return self._ghost.take(k)

    def set_ghost_keys(self, keys: dict) -> None:
        """The ghost's own keys ("all", "word", "line", "dismiss" -> QKeySequences), as the
        window's ghost-key actions have them (editor/shortcuts.py)."""
        self._ghost.keys = {part: list(seqs) for part, seqs in keys.items()}

    def set_choices_view(self, view: str) -> None:
        """How alternatives are offered: ghost.CHOICE_VIEWS ("one", "cycle", "strip")."""
        self._ghost.view = view
        self.viewport().update()
        self.ghostChanged.emit()

    @property
    def ghost_painted_at(self) -> float:
        """perf_counter() of the last first paint of a ghost."""
        return self._ghost.painted_at

    def revision(self) -> int:
        return self._revision

    def suggestions_enabled(self) -> bool:
        return self._suggestions_on

    def ghost_allowed(self) -> bool:
        """Ghosts show only at the cursor of the focused editor (none while the find bar or
        another widget of the window has the focus) and only where `ghost_fits`."""
        focus = self.window().focusWidget()
        if focus is not None and focus is not self:
            return False
        cursor = self.textCursor()
        return ghost_fits(cursor.block().text()[cursor.positionInBlock() :])

    def set_suggestions_enabled(self, on: bool) -> None:
        """Off: never show ghosts nor ask for them (the controller calls this)."""
        self._suggestions_on = bool(on)
        if not on:
            self.clear_ghost()

    @contextlib.contextmanager
    def quiet(self, on: bool = True):
        """Edits made inside don't ask for a new suggestion (when `on`)."""
        self._quiet = bool(on)
        try:
            yield
        finally:
            self._quiet = False

    def theme_color(self, key: str) -> str:
        """A colour of the current theme (LIGHT / DARK keys)."""
        return self._colors[key]

    def _ghost_color(self) -> QColor:
        return self._ghost.color()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self._ghost.paint()

    # -- keys -------------------------------------------------------------------------------
    def event(self, event) -> bool:
        # With a ghost showing, its keys are ours even if a window shortcut uses them.
        if event.type() == QEvent.Type.ShortcutOverride and self._ghost.claims_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if self._display_breaks and event.key() in _STEP_KEYS:
            self._step_over_display_break(event)
        self._ghost.key_press(event, lambda: super(GhostTextEdit, self).keyPressEvent(event))

    # -- display breaks (a very long line shown as several blocks, see long_lines) ---------
    def set_display_breaks(self, on: bool) -> None:
        """Whether the document has display breaks (set by `Document.load` once they are
        marked: nothing looks for them while the text is being replaced)."""
        self._display_breaks = bool(on)
        self.document().setProperty(DISPLAY_BREAKS_FLAG, bool(on))

    def has_display_breaks(self) -> bool:
        return self._display_breaks

    def display_break_before(self, block) -> bool:
        """Whether the separator before `block` is a display break, not a line break."""
        if not self._display_breaks or not block.isValid() or block.blockNumber() == 0:
            return False
        fmt = block.charFormat()  # a block's char format is the separator's before it
        return (
            fmt.hasProperty(LINE_ENDING_PROPERTY)
            and fmt.property(LINE_ENDING_PROPERTY) == DISPLAY_BREAK_MARK
        )

    def _step_over_display_break(self, event) -> None:
        """Before Backspace/Left at the start of a piece, or Delete/Right at its end, put the
        cursor on the other side of the display break, so the key acts on a character."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods & ~Qt.KeyboardModifier.ShiftModifier:
            return  # Ctrl/Alt combinations: as Qt does them
        cursor = self.textCursor()
        key, block = event.key(), cursor.block()
        deleting = key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
        if deleting and cursor.hasSelection():
            return
        backward = key in (Qt.Key.Key_Backspace, Qt.Key.Key_Left)
        if backward and cursor.positionInBlock() == 0 and self.display_break_before(block):
            step = QTextCursor.MoveOperation.PreviousCharacter
        elif (
            not backward
            and cursor.positionInBlock() == block.length() - 1
            and self.display_break_before(block.next())
        ):
            step = QTextCursor.MoveOperation.NextCharacter
        else:
            return
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier) and not deleting
        mode = QTextCursor.MoveMode.KeepAnchor if shift else QTextCursor.MoveMode.MoveAnchor
        cursor.movePosition(step, mode)
        self.setTextCursor(cursor)

    def _plain_insertions(self) -> None:
        """Text typed or pasted right after a display break must not copy its mark (a line
        break typed there would vanish on saving): new text gets the format without it."""
        fmt = self.currentCharFormat()
        if fmt.hasProperty(LINE_ENDING_PROPERTY) and (
            fmt.property(LINE_ENDING_PROPERTY) == DISPLAY_BREAK_MARK
        ):
            fmt.clearProperty(LINE_ENDING_PROPERTY)
            self.setCurrentCharFormat(fmt)

    def display_text(self, start: int, end: int) -> str:
        """The text between Qt positions `start` and `end` as `selectedText()` gives it (blocks
        separated by U+2029), without the display breaks."""
        cur = QTextCursor(self.document())
        cur.setPosition(start)
        cur.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        text = cur.selectedText()
        if not self._display_breaks or "\u2029" not in text:
            return text
        parts = text.split("\u2029")
        block = self.document().findBlock(min(start, end))
        out = [parts[0]]
        for part in parts[1:]:
            block = block.next()
            out.append("" if self.display_break_before(block) else "\u2029")
            out.append(part)
        return "".join(out)

    def createMimeDataFromSelection(self):  # noqa: N802 (Qt override)
        mime = super().createMimeDataFromSelection()  # Qt's own object: Qt owns and frees it
        cursor = self.textCursor()
        if self._display_breaks and cursor.hasSelection():
            mime.text()  # Qt fills in its formats now, so they are not rebuilt later
            for kind in mime.formats():
                if kind != "text/plain":  # rich formats would keep the pieces as paragraphs
                    mime.removeFormat(kind)
            start, end = cursor.selectionStart(), cursor.selectionEnd()
            mime.setText(_plain(self.display_text(start, end)))
        return mime

    # -- change tracking --------------------------------------------------------------------
    def _changed(self) -> None:
        self._revision += 1
        self._ghost.dismissed = False
        if self._ghost.is_set():
            self.clear_ghost()
        if (
            not self._quiet
            and self._suggestions_on
            and not self.textCursor().hasSelection()
            and self.ghost_allowed()
        ):
            self.suggestionWanted.emit()

    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        self._changed()

    def _on_cursor_moved(self) -> None:
        self._changed()
        self._highlight_current_line()
        if self._display_breaks:
            self._plain_insertions()

    def _on_selection_changed(self) -> None:
        if self.textCursor().hasSelection():
            self.clear_ghost()

    def mousePressEvent(self, event) -> None:
        self.clear_ghost()
        super().mousePressEvent(event)

    def focusOutEvent(self, event) -> None:
        self.clear_ghost()
        super().focusOutEvent(event)

    def setReadOnly(self, ro: bool) -> None:
        if ro:
            self.clear_ghost()
        super().setReadOnly(ro)

    # -- context for the engine ---------------------------------------------------------------
    def context(self, before_max: int = WINDOW, after_max: int = AFTER) -> tuple[str, str, int]:
        """(before, after, revision): the text window before the cursor (`ghostpen.suggest.
        window`: from an ALIGN-aligned start, at most before_max + ALIGN - 1 long) and at most
        after_max characters after it. Positions are Qt's (UTF-16 units); only the text near
        the cursor is read."""
        doc = self.document()
        pos = self.textCursor().position()
        end = max(0, doc.characterCount() - 1)  # the last paragraph separator is not text
        start = window_start(pos, before_max)
        stop = min(end, pos + max(0, after_max))
        before = _plain(self.display_text(start, pos))
        after = _plain(self.display_text(pos, stop))
        if before[:1] and "\udc00" <= before[0] <= "\udfff":  # began inside a surrogate pair
            before = before[1:]
        return before, after, self._revision

    # -- gutter, current line, font -------------------------------------------------------
    def line_number_area_width(self) -> int:
        digits = max(3, len(str(max(1, self.blockCount()))))
        return 12 + int(QFontMetricsF(self.font()).horizontalAdvance("9") * digits + 0.999)

    def _update_gutter_width(self, _count: int = 0) -> None:
        self.setViewportMargins(self.line_number_area_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_gutter_width()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        cr = self.contentsRect()
        self._gutter.setGeometry(
            QRect(cr.left(), cr.top(), self.line_number_area_width(), cr.height())
        )

    def _paint_line_numbers(self, event) -> None:
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), QColor(self._colors["gutter_bg"]))
        painter.setFont(self.font())
        width = self._gutter.width() - 6
        height = int(QFontMetricsF(self.font()).height())
        block = self.firstVisibleBlock()
        number, current = self._line_numbers(block, self.textCursor().block())
        offset = self.contentOffset()
        top = self.blockBoundingGeometry(block).translated(offset).top()
        bottom = top + self.blockBoundingRect(block).height()
        while block.isValid() and top <= event.rect().bottom():
            piece = self.display_break_before(block)  # a piece of the line above: no number
            if block.isVisible() and bottom >= event.rect().top() and not piece:
                key = "gutter_cur" if number == current else "gutter_fg"
                painter.setPen(QColor(self._colors[key]))
                painter.drawText(
                    0, int(top), width, height, Qt.AlignmentFlag.AlignRight, str(number + 1)
                )
            block = block.next()
            top = bottom
            bottom = top + self.blockBoundingRect(block).height()
            number += 0 if self.display_break_before(block) else 1
        painter.end()

    def _line_numbers(self, *blocks) -> list[int]:
        """The file's lines (0-based) `blocks` belong to (see `lines_before`)."""
        if not self._display_breaks:
            return [block.blockNumber() for block in blocks]
        return [self.lines_before(self.document(), block) for block in blocks]

    @staticmethod
    def lines_before(doc, block) -> int:
        """How many of the file's lines end before `block`: its block number less the display
        breaks before it (one pass over the blocks' format indexes, C calls only)."""
        marks = _display_marks(doc)
        count, b = 0, doc.firstBlock().next()
        target = block.blockNumber()
        while b.isValid() and b.blockNumber() <= target:
            count += b.charFormatIndex() in marks
            b = b.next()
        return target - count

    def _highlight_current_line(self) -> None:
        sel = QTextEdit.ExtraSelection()
        sel.format.setBackground(QColor(self._colors["line"]))
        sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        sel.cursor = self.textCursor()
        sel.cursor.clearSelection()
        self.setExtraSelections([sel, *getattr(self, "_find_marks", [])])

    def set_find_marks(self, spans) -> None:
        """Highlight these (start, end) spans: the find bar's matches ([] clears them)."""
        marks = []
        color = QColor("#7a6a1e" if self._dark else "#ffe680")
        for start, end in spans:
            sel = QTextEdit.ExtraSelection()
            sel.format.setBackground(color)
            sel.cursor = QTextCursor(self.document())
            sel.cursor.setPosition(start)
            sel.cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            marks.append(sel)
        self._find_marks = marks
        self._highlight_current_line()

    def find_marks(self) -> int:
        """How many matches are highlighted."""
        return len(getattr(self, "_find_marks", []))

    def set_dark(self, dark: bool) -> None:
        """Gutter, current-line and ghost colours for a dark (True) or light theme."""
        self._dark = bool(dark)
        self._colors = dict(DARK if dark else LIGHT)
        if dark:  # readable even if the window keeps a light palette
            if self._light_palette is None:
                self._light_palette = QPalette(self.palette())
            pal = QPalette(self.palette())
            pal.setColor(QPalette.ColorRole.Base, QColor(DARK["base"]))
            pal.setColor(QPalette.ColorRole.Text, QColor(DARK["text"]))
            self.setPalette(pal)
        elif self._light_palette is not None:
            self.setPalette(self._light_palette)
            self._light_palette = None
        self._highlight_current_line()
        self._gutter.update()
        self.viewport().update()

    def is_dark(self) -> bool:
        return self._dark

    def _update_tab_stop(self) -> None:
        self.setTabStopDistance(QFontMetricsF(self.font()).horizontalAdvance(" ") * TAB_SPACES)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._update_tab_stop()
            if hasattr(self, "_gutter"):
                self._update_gutter_width()
                self._gutter.update()

    def zoom_in(self) -> None:
        self.zoomIn(1)
        self._zoom += 1

    def zoom_out(self) -> None:
        if self.font().pointSizeF() - 1 < MIN_POINT_SIZE:
            return
        self.zoomOut(1)
        self._zoom -= 1

    def zoom_reset(self) -> None:
        if self._zoom:
            self.zoomOut(self._zoom)
            self._zoom = 0

    def set_word_wrap(self, on: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode.WidgetWidth if on else QPlainTextEdit.LineWrapMode.NoWrap
        self.setLineWrapMode(mode)
