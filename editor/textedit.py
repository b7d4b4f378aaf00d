"""The editor widget: a QPlainTextEdit that paints ghost-text suggestions after the cursor.

Ghost text is painted, never inserted: it does not enter the document, the undo stack,
`toPlainText()` or a saved file. Tab accepts it (one undo step), Ctrl+Right accepts its next
word, Esc dismisses it; any other edit, cursor move, click or focus loss clears it. The widget
also has a line-number gutter, a current-line highlight, a monospace font and zoom.

Every content change and cursor move bumps `revision()`; a suggestion computed for an older
revision is stale (the controller in `ghostpen.editor.worker` drops it). `context()` hands the
text around the cursor to the engine without touching the whole document.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QPalette,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ghostpen.suggest.types import Suggestion
from ghostpen.suggest.words import next_word_len

ALIGN = 4096  # context() starts at a multiple of this many characters (stable engine caches)
GHOST_ALPHA = 0.45
TAB_SPACES = 4
MIN_POINT_SIZE = 4.0

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


def _utf16_len(text: str) -> int:
    """Length in Qt positions (UTF-16 code units) of a Python string."""
    return len(text.encode("utf-16-le")) // 2


def _plain(text: str) -> str:
    """QTextCursor.selectedText() separators -> what toPlainText() gives (same length)."""
    return text.replace("\u2029", "\n").replace("\u2028", "\n").replace("\u00a0", " ")


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
    ghostAccepted = Signal(str)  # text accepted with Tab / Ctrl+Right
    ghostPainted = Signal(int, int)  # (revision, 1 if kept locally else 0): first paint

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._revision = 0
        self._ghost: Suggestion | None = None
        self._ghost_rev = -1
        self._ghost_serial = 0  # bumps on every new ghost; paintEvent reports the first paint
        self._painted_serial = 0
        self._ghost_local = False  # the ghost is a locally shifted old one, not a fresh result
        self._ghost_rect = QRect()  # viewport area the ghost was last painted in
        self._dismissed = False  # Esc: no ghost until the next edit/move
        self._suggestions_on = True
        self._quiet = False  # internal edit: don't ask for a new suggestion
        self._dark = False
        self._colors = dict(LIGHT)
        self._light_palette: QPalette | None = None  # palette before set_dark(True)
        self._zoom = 0
        self.ghost_painted_at = 0.0  # perf_counter() of the last first-paint of a ghost

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

    # -- ghost text -----------------------------------------------------------------------
    def ghost(self) -> Suggestion | None:
        if self._ghost is not None and self._ghost_rev != self._revision:
            return None
        return self._ghost

    def set_ghost(self, suggestion: Suggestion | None) -> None:
        """Show `suggestion` after the cursor (for the current revision); None hides it."""
        if (
            suggestion is None
            or not suggestion.text
            or not self._suggestions_on
            or self._dismissed
            or self.textCursor().hasSelection()
            or self.isReadOnly()
        ):
            self.clear_ghost()
            return
        self._show_ghost(suggestion, local=False)

    def clear_ghost(self) -> None:
        if self._ghost is None:
            return
        self._ghost = None
        self._ghost_local = False
        self._repaint_ghost_area()

    def revision(self) -> int:
        return self._revision

    def suggestions_enabled(self) -> bool:
        return self._suggestions_on

    def set_suggestions_enabled(self, on: bool) -> None:
        """Off: never show ghosts nor ask for them (the controller calls this)."""
        self._suggestions_on = bool(on)
        if not on:
            self.clear_ghost()

    def _show_ghost(self, suggestion: Suggestion, *, local: bool) -> None:
        self._ghost = suggestion
        self._ghost_rev = self._revision
        self._ghost_local = local
        self._ghost_serial += 1
        self._repaint_ghost_area()

    def _repaint_ghost_area(self) -> None:
        """Schedule a repaint of the old ghost area and the new one (not the whole viewport)."""
        area = QRect(self._ghost_rect)
        if self._ghost is not None:
            cr = self.cursorRect()
            lines = self._ghost.text.count("\n")
            line_h = int(QFontMetricsF(self.font()).lineSpacing()) + 1
            area = area.united(
                QRect(0, cr.top() - 1, self.viewport().width(), cr.height() + lines * line_h + 2)
            )
        if area.isValid():
            self.viewport().update(area)

    def _ghost_color(self) -> QColor:
        color = QColor(self.palette().color(QPalette.ColorRole.Text))
        if (color.lightness() < 128) == self._dark:  # palette not (yet) matching the theme
            color = QColor(self._colors["ghost_fallback"])
        color.setAlphaF(GHOST_ALPHA)
        return color

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        ghost = self.ghost()
        if ghost is None:
            self._ghost_rect = QRect()
            return
        painter = QPainter(self.viewport())
        try:
            self._ghost_rect = self._paint_ghost(painter, ghost.text)
        finally:
            painter.end()
        if self._painted_serial != self._ghost_serial:
            self._painted_serial = self._ghost_serial
            self.ghost_painted_at = time.perf_counter()
            self.ghostPainted.emit(self._ghost_rev, 1 if self._ghost_local else 0)

    def _paint_ghost(self, painter: QPainter, text: str) -> QRect:
        """Draw `text` from the cursor on; the rest of the cursor's line moves after it."""
        cursor = self.textCursor()
        block = cursor.block()
        layout = block.layout()
        pos_in_block = cursor.positionInBlock()
        line = layout.lineForTextPosition(pos_in_block)
        if not line.isValid():
            return QRect()
        origin = self.blockBoundingGeometry(block).translated(self.contentOffset()).topLeft()
        origin += layout.position()
        x0 = origin.x() + line.x()  # the left text margin
        top = origin.y() + line.y()
        cursor_x = origin.x() + line.cursorToX(pos_in_block)[0]  # cursorToX includes line.x()
        baseline = top + line.ascent()
        font = QFont(self.font())
        fm = QFontMetricsF(font)
        spacing = fm.lineSpacing()
        tab = self.tabStopDistance() or fm.horizontalAdvance(" ") * TAB_SPACES
        width = self.viewport().width()
        tail_clip = QRectF(cursor_x, top, width - cursor_x + 1, line.height())
        tail_fill = tail_clip.adjusted(self.cursorWidth(), 0, 0, 0)  # keep the cursor visible
        has_tail = pos_in_block < block.length() - 1 and line.textStart() + line.textLength() > (
            pos_in_block
        )
        line_bg = QColor(self._colors["line"])
        base = self.palette().color(QPalette.ColorRole.Base)

        painter.setFont(font)
        if has_tail:  # hide the rest of the line; it is redrawn after the ghost below
            painter.fillRect(tail_fill, line_bg)
        painter.setPen(self._ghost_color())
        x, y = cursor_x, baseline
        for i, part in enumerate(text.split("\n")):
            if i:
                x, y = x0, y + spacing
            for j, chunk in enumerate(part.split("\t")):
                if j:
                    x = x0 + (int((x - x0) / tab + 1e-6) + 1) * tab
                if chunk:
                    if i:  # following lines overlay the text below: give them a backdrop
                        backdrop = QRectF(x, y - fm.ascent(), fm.horizontalAdvance(chunk), spacing)
                        painter.fillRect(backdrop, base)
                    painter.drawText(QPointF(x, y), chunk)
                    x += fm.horizontalAdvance(chunk)
        if has_tail:  # the rest of the cursor's line, shifted to after the ghost text
            dx, dy = x - cursor_x, y - baseline
            painter.save()
            painter.setClipRect(tail_clip.translated(dx, dy))
            painter.setPen(self.palette().color(QPalette.ColorRole.Text))
            if dy:
                painter.fillRect(tail_clip.translated(dx, dy), base)
            layout.draw(painter, origin - layout.position() + QPointF(dx, dy))
            painter.restore()
        return QRect(0, int(top) - 1, width, int(y - baseline + line.height()) + 3)

    # -- keys -------------------------------------------------------------------------------
    def event(self, event) -> bool:
        # With a ghost showing, Tab/Esc/Ctrl+Right are ours even if a window shortcut uses them.
        if event.type() == QEvent.Type.ShortcutOverride and self.ghost() is not None:
            if self._ghost_key(event):
                event.accept()
                return True
        return super().event(event)

    @staticmethod
    def _ghost_key(event) -> str | None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier:
            return "all"
        if event.matches(QKeySequence.StandardKey.MoveToNextWord):
            return "word"
        if event.key() == Qt.Key.Key_Escape and mods == Qt.KeyboardModifier.NoModifier:
            return "dismiss"
        return None

    def keyPressEvent(self, event) -> None:
        ghost = self.ghost()
        action = self._ghost_key(event) if ghost is not None else None
        if action == "all":
            self._accept(ghost, len(ghost.text))
            event.accept()
            return
        if action == "word":
            self._accept(ghost, max(1, next_word_len(ghost.text)))
            event.accept()
            return
        if action == "dismiss":
            self.clear_ghost()
            self._dismissed = True
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()  # no ghost: let dialogs / the window have Esc
            return
        shifted = self._shifted_ghost(ghost, event) if ghost is not None else None
        super().keyPressEvent(event)
        if shifted is not None:
            typed = self.document().characterAt(self.textCursor().position() - 1)
            if self._ghost is None and typed in (event.text(), "\u2029"):
                self._show_ghost(shifted, local=True)

    def _shifted_ghost(self, ghost: Suggestion, event) -> Suggestion | None:
        """Typing the ghost's first character keeps the rest of it until the next result."""
        typed = event.text()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            typed = "\n"
        if len(typed) != 1 or typed != ghost.text[0] or len(ghost.text) < 2:
            return None
        if self.textCursor().hasSelection() or self.overwriteMode():
            return None
        if ghost.cursor_offset is not None and ghost.cursor_offset < 1:
            return None
        offset = None if ghost.cursor_offset is None else ghost.cursor_offset - 1
        return Suggestion(ghost.text[1:], ghost.confidence, ghost.source, offset)

    def _accept(self, ghost: Suggestion, n: int) -> None:
        """Insert the first `n` characters of the ghost as one undo step."""
        n = min(n, len(ghost.text))
        whole = n >= len(ghost.text)
        accepted = ghost.text[:n]
        rest = ghost.text[n:]
        cursor = self.textCursor()
        start = cursor.position()
        self._quiet = not whole  # Ctrl+Right keeps the rest as the ghost: no new request
        try:
            cursor.beginEditBlock()
            cursor.insertText(accepted)
            cursor.endEditBlock()
            if whole and ghost.cursor_after != len(ghost.text):
                cursor.setPosition(start + _utf16_len(ghost.text[: ghost.cursor_after]))
            self.setTextCursor(cursor)
        finally:
            self._quiet = False
        self.ensureCursorVisible()
        self.ghostAccepted.emit(accepted)
        if rest:
            offset = ghost.cursor_offset
            offset = None if offset is None or offset < n else offset - n
            self._show_ghost(Suggestion(rest, ghost.confidence, ghost.source, offset), local=True)

    # -- change tracking --------------------------------------------------------------------
    def _changed(self) -> None:
        self._revision += 1
        self._dismissed = False
        if self._ghost is not None:
            self.clear_ghost()
        if not self._quiet and self._suggestions_on and not self.textCursor().hasSelection():
            self.suggestionWanted.emit()

    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        self._changed()

    def _on_cursor_moved(self) -> None:
        self._changed()
        self._highlight_current_line()

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
    def context(self, before_max: int = 16384, after_max: int = 2000) -> tuple[str, str, int]:
        """(before, after, revision): text before the cursor from an ALIGN-aligned start (at
        most before_max + ALIGN - 1 long) and at most after_max characters after it. Positions
        are Qt's (UTF-16 units); only the text near the cursor is read."""
        doc = self.document()
        pos = self.textCursor().position()
        end = max(0, doc.characterCount() - 1)  # the last paragraph separator is not text
        start = (max(0, pos - max(0, before_max)) // ALIGN) * ALIGN
        stop = min(end, pos + max(0, after_max))
        cur = QTextCursor(doc)
        cur.setPosition(start)
        cur.setPosition(pos, QTextCursor.MoveMode.KeepAnchor)
        before = _plain(cur.selectedText())
        cur.setPosition(pos)
        cur.setPosition(stop, QTextCursor.MoveMode.KeepAnchor)
        after = _plain(cur.selectedText())
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
        current = self.textCursor().blockNumber()
        width = self._gutter.width() - 6
        height = int(QFontMetricsF(self.font()).height())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        offset = self.contentOffset()
        top = self.blockBoundingGeometry(block).translated(offset).top()
        bottom = top + self.blockBoundingRect(block).height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                key = "gutter_cur" if number == current else "gutter_fg"
                painter.setPen(QColor(self._colors[key]))
                painter.drawText(
                    0, int(top), width, height, Qt.AlignmentFlag.AlignRight, str(number + 1)
                )
            block = block.next()
            top = bottom
            bottom = top + self.blockBoundingRect(block).height()
            number += 1
        painter.end()

    def _highlight_current_line(self) -> None:
        sel = QTextEdit.ExtraSelection()
        sel.format.setBackground(QColor(self._colors["line"]))
        sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        sel.cursor = self.textCursor()
        sel.cursor.clearSelection()
        self.setExtraSelections([sel])

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
