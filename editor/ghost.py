"""The ghost suggestion of one editor: shown, painted, accepted, typed through, dismissed.

`GhostSuggestion` is to `GhostTextEdit` what Qt Creator's `TextSuggestion` is to its text
editor: the widget owns one and delegates every ghost-related event to it. The ghost is
painted, never inserted: it does not enter the document, the undo stack, `toPlainText()` or a
saved file. Its keys, while a ghost is shown (the editor's own meaning otherwise):

- Tab: accept all of it (one undo step; an HTML end tag leaves the cursor between the tags);
- Ctrl+Right (the platform's MoveToNextWord): accept its next word;
- Ctrl+Shift+Right (the platform's SelectNextWord): accept its next line — to the end of its
  first line, or the line break and the line after it when it starts with one. Without a
  ghost the key selects the next word as usual;
- Esc: dismiss it until the next edit or cursor move;
  (each of these four is the user's to change: `editor/ghost_keys.py`, Help ▸ Keyboard shortcuts)
- typing its next character: type through, the rest stays shown until the next result.

Every accept is one undo step; a partial accept keeps the rest as the ghost. The pure part
(how much a key accepts, what stays) is in the Qt-free functions at the top.

A suggestion with `alternatives` (the engine's `EngineSettings.choices`) is shown as its
choices: `view` "cycle" shows one of them as the ghost with a small "2/3" badge after it
(`cycle(+1/-1)`, the window's Alt+] / Alt+[ actions in `choices_ui.py`), "strip" shows the
first as the ghost and all of them in the window's strip (`take(k)`: Alt+1/2/3), "one" the
first only. Typing through keeps the choices that go on with the typed character.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QKeyCombination, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeySequence, QPainter, QPalette

from ghostpen.suggest.types import Suggestion
from ghostpen.suggest.words import next_word_len

GHOST_ALPHA = 0.45
TAB_SPACES = 4
SK = QKeySequence.StandardKey
# What each of the ghost's own keys does ("all", "word", "line", "dismiss") and its default:
# key names, or the platform's standard binding. The window's ghost-key actions
# (`editor/ghost_keys.py`) carry the user's choice; `GhostSuggestion.keys` holds it per editor.
PART_DEFAULTS = {
    "all": ("Tab",),
    "word": SK.MoveToNextWord,
    "line": SK.SelectNextWord,
    "dismiss": ("Esc",),
}


def default_part_keys() -> dict[str, list[QKeySequence]]:
    """The ghost's keys as shipped (needs a QGuiApplication for the standard bindings)."""
    return {
        part: list(QKeySequence.keyBindings(keys))
        if isinstance(keys, SK)
        else [QKeySequence(k) for k in keys]
        for part, keys in PART_DEFAULTS.items()
    }


def utf16_len(text: str) -> int:
    """Length in Qt positions (UTF-16 code units) of a Python string."""
    return len(text.encode("utf-16-le")) // 2


def next_line_len(text: str) -> int:
    """Characters of `text` up to its first line break; when it starts with one, that break
    and the line after it (so accepting line by line always makes progress)."""
    start = 1 if text.startswith("\n") else 0
    end = text.find("\n", start)
    return len(text) if end < 0 else max(1, end)


def accept_length(text: str, part: str) -> int:
    """How many characters of ghost `text` accepting `part` ("all", "word", "line") takes."""
    if part == "word":
        return max(1, next_word_len(text))
    if part == "line":
        return next_line_len(text)
    return len(text)


def rest_after(ghost: Suggestion, n: int) -> Suggestion | None:
    """What stays shown after the first `n` characters of `ghost` were accepted or typed."""
    rest = ghost.text[n:]
    if not rest:
        return None
    offset = ghost.cursor_offset
    offset = None if offset is None or offset < n else offset - n
    return Suggestion(rest, ghost.confidence, ghost.source, offset)


def typed_through(ghost: Suggestion, typed: str, others=()) -> Suggestion | None:
    """The ghost left after typing `typed` when that is its next character (else None); it
    carries the rest of each of `others` (the other choices) that `typed` also begins."""
    if len(typed) != 1 or typed != ghost.text[0] or len(ghost.text) < 2:
        return None
    if ghost.cursor_offset is not None and ghost.cursor_offset < 1:
        return None  # the cursor would have to stay before the typed character
    rest = rest_after(ghost, 1)
    alts = [a for o in others if o.text[:1] == typed and (a := rest_after(o, 1)) is not None]
    return rest.with_alternatives(alts[:2]) if alts and rest is not None else rest


CHOICE_VIEWS = ("one", "cycle", "strip")  # how a suggestion's alternatives are offered
BADGE_SCALE = 0.75  # the "2/3" badge's font size, relative to the editor's


class GhostSuggestion:
    """The ghost of `edit` (a GhostTextEdit): its state, painting and keys."""

    def __init__(self, edit) -> None:
        self._edit = edit
        self._ghost: Suggestion | None = None
        self._rev = -1  # the editor revision the ghost belongs to
        self._serial = 0  # bumps on every new ghost; paint() reports the first paint
        self._painted_serial = 0
        self._local = False  # a locally shifted old ghost, not a fresh result
        self._choices: tuple[Suggestion, ...] = ()  # the suggestion's choices; _ghost is one
        self._index = 0  # which choice is shown
        self.view = "cycle"  # CHOICE_VIEWS: how the alternatives are offered
        self._rect = QRect()  # viewport area the ghost was last painted in
        self.dismissed = False  # Esc: no ghost until the next edit/move
        self.painted_at = 0.0  # perf_counter() of the last first paint of a ghost
        self._end = (0.0, 0.0, 0.0)  # (x, baseline, line height) where the ghost text ended
        self.keys: dict[str, list[QKeySequence]] = default_part_keys()  # part -> its keys

    # -- state ---------------------------------------------------------------------------------
    def current(self) -> Suggestion | None:
        """The ghost shown for the editor's current revision, or None."""
        if self._ghost is not None and self._rev != self._edit.revision():
            return None
        return self._ghost

    def is_set(self) -> bool:
        """A ghost is held (perhaps for an older revision: it is cleared on the next change)."""
        return self._ghost is not None

    def choices(self) -> tuple[Suggestion, ...]:
        """The choices offered for the current revision (the shown ghost among them)."""
        if self.current() is None:
            return ()
        return self._choices if self.view != "one" else self._choices[:1]

    def index(self) -> int:
        """Which of `choices()` is the ghost (0-based)."""
        return self._index

    def show(self, suggestion: Suggestion, *, local: bool) -> None:
        self._ghost = suggestion
        self._choices = suggestion.choices()
        self._index = 0
        self._rev = self._edit.revision()
        self._local = local
        self._serial += 1
        self._repaint()
        self._changed()

    def clear(self) -> None:
        if self._ghost is None:
            return
        self._ghost = None
        self._choices = ()
        self._index = 0
        self._local = False
        self._repaint()
        self._changed()

    def _changed(self) -> None:
        signal = getattr(self._edit, "ghostChanged", None)
        if signal is not None:
            signal.emit()

    def cycle(self, step: int) -> bool:
        """Show the next (step 1) or previous (-1) choice as the ghost; False without any."""
        choices = self.choices()
        if len(choices) < 2:
            return False
        self._repaint()
        self._index = (self._index + step) % len(choices)
        self._ghost = choices[self._index]
        self._repaint()
        self._changed()
        return True

    def take(self, k: int) -> str:
        """Accept all of choice k (0-based) as one undo step; "" when there is none."""
        choices = self.choices()
        if not 0 <= k < len(choices):
            return ""
        self._ghost = choices[k]
        return self.accept(len(choices[k].text))

    def dismiss(self) -> None:
        self.clear()
        self.dismissed = True

    def _repaint(self) -> None:
        """Schedule a repaint of the old ghost area and the new one (not the whole viewport)."""
        edit = self._edit
        area = QRect(self._rect)
        if self._ghost is not None:
            cr = edit.cursorRect()
            lines = self._ghost.text.count("\n")
            line_h = int(QFontMetricsF(edit.font()).lineSpacing()) + 1
            area = area.united(
                QRect(0, cr.top() - 1, edit.viewport().width(), cr.height() + lines * line_h + 2)
            )
        if area.isValid():
            edit.viewport().update(area)

    # -- keys ----------------------------------------------------------------------------------
    def key_part(self, event) -> str | None:
        """What a key does to a shown ghost: "all", "word", "line", "dismiss" or None."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(QKeyCombination(mods, Qt.Key(event.key())))
        for part, seqs in self.keys.items():
            if any(seq.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for seq in seqs):
                return part
        return None

    def claims_key(self, event) -> bool:
        """A ghost is shown and `event` is one of its keys (for ShortcutOverride)."""
        return self.current() is not None and self.key_part(event) is not None

    def key_press(self, event, default) -> None:
        """Handle a key press: a ghost key, or `default()` (the editor's own handling) with
        type-through when the typed character is the ghost's next one."""
        edit = self._edit
        ghost = self.current()
        part = self.key_part(event) if ghost is not None else None
        if part == "dismiss":
            self.dismiss()
            event.accept()
            return
        if part is not None:
            self.accept(accept_length(ghost.text, part))
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()  # no ghost: let dialogs / the window have Esc
            return
        rest = None
        if ghost is not None and not edit.textCursor().hasSelection() and not edit.overwriteMode():
            typed = "\n" if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) else event.text()
            others = [c for c in self.choices() if c is not ghost]
            rest = typed_through(ghost, typed, others)
        default()
        if rest is not None:
            typed = edit.document().characterAt(edit.textCursor().position() - 1)
            if self._ghost is None and typed in (event.text(), "\u2029"):
                self.show(rest, local=True)

    def accept(self, n: int) -> str:
        """Insert the first `n` characters of the ghost as one undo step; the rest stays."""
        ghost = self.current()
        if ghost is None:
            return ""
        edit = self._edit
        n = min(n, len(ghost.text))
        whole = n >= len(ghost.text)
        accepted = ghost.text[:n]
        cursor = edit.textCursor()
        start = cursor.position()
        with edit.quiet(not whole):  # a partial accept keeps the rest: no new request
            cursor.beginEditBlock()
            cursor.insertText(accepted)
            cursor.endEditBlock()
            if whole and ghost.cursor_after != len(ghost.text):
                cursor.setPosition(start + utf16_len(ghost.text[: ghost.cursor_after]))
            edit.setTextCursor(cursor)
        edit.ensureCursorVisible()
        edit.ghostAccepted.emit(accepted)
        rest = rest_after(ghost, n)
        if rest is not None:
            self.show(rest, local=True)
        return accepted

    # -- painting ------------------------------------------------------------------------------
    def color(self) -> QColor:
        edit = self._edit
        color = QColor(edit.palette().color(QPalette.ColorRole.Text))
        if (color.lightness() < 128) == edit.is_dark():  # palette not (yet) matching the theme
            color = QColor(edit.theme_color("ghost_fallback"))
        color.setAlphaF(GHOST_ALPHA)
        return color

    def paint(self) -> None:
        """Paint the ghost over the viewport (after the editor painted its text)."""
        edit = self._edit
        ghost = self.current()
        if ghost is None:
            self._rect = QRect()
            return
        painter = QPainter(edit.viewport())
        try:
            self._rect = self._draw(painter, ghost.text)
            choices = self.choices()
            if self.view == "cycle" and len(choices) > 1:
                self._rect = self._rect.united(
                    self._badge(painter, f"{self._index + 1}/{len(choices)}")
                )
        finally:
            painter.end()
        if self._painted_serial != self._serial:
            self._painted_serial = self._serial
            self.painted_at = time.perf_counter()
            edit.ghostPainted.emit(self._rev, 1 if self._local else 0)

    def _badge(self, painter: QPainter, label: str) -> QRect:
        """A small rounded "2/3" after the ghost text (where `_draw` left off)."""
        font = QFont(self._edit.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * BADGE_SCALE))
        fm = QFontMetricsF(font)
        x, baseline, height = self._end
        pad = fm.horizontalAdvance(" ") * 0.5
        box = QRectF(x + pad * 2, baseline - height * 0.8, fm.horizontalAdvance(label) + 2 * pad,
                     height * 0.85)  # fmt: skip
        color = self.color()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(color)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box, 3, 3)
        painter.setFont(font)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()
        return box.toAlignedRect().adjusted(-1, -1, 1, 1)

    def _draw(self, painter: QPainter, text: str) -> QRect:
        """Draw `text` from the cursor on; the rest of the cursor's line moves after it."""
        edit = self._edit
        cursor = edit.textCursor()
        block = cursor.block()
        layout = block.layout()
        pos_in_block = cursor.positionInBlock()
        line = layout.lineForTextPosition(pos_in_block)
        if not line.isValid():
            return QRect()
        origin = edit.blockBoundingGeometry(block).translated(edit.contentOffset()).topLeft()
        origin += layout.position()
        x0 = origin.x() + line.x()  # the left text margin
        top = origin.y() + line.y()
        cursor_x = origin.x() + line.cursorToX(pos_in_block)[0]  # cursorToX includes line.x()
        baseline = top + line.ascent()
        font = QFont(edit.font())
        fm = QFontMetricsF(font)
        spacing = fm.lineSpacing()
        tab = edit.tabStopDistance() or fm.horizontalAdvance(" ") * TAB_SPACES
        width = edit.viewport().width()
        tail_clip = QRectF(cursor_x, top, width - cursor_x + 1, line.height())
        tail_fill = tail_clip.adjusted(edit.cursorWidth(), 0, 0, 0)  # keep the cursor visible
        has_tail = pos_in_block < block.length() - 1 and line.textStart() + line.textLength() > (
            pos_in_block
        )
        line_bg = QColor(edit.theme_color("line"))
        base = edit.palette().color(QPalette.ColorRole.Base)

        painter.setFont(font)
        if has_tail:  # hide the rest of the line; it is redrawn after the ghost below
            painter.fillRect(tail_fill, line_bg)
        painter.setPen(self.color())
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
        self._end = (x, y, line.height())  # where the badge goes
        if has_tail:  # the rest of the cursor's line, shifted to after the ghost text
            dx, dy = x - cursor_x, y - baseline
            painter.save()
            painter.setClipRect(tail_clip.translated(dx, dy))
            painter.setPen(edit.palette().color(QPalette.ColorRole.Text))
            if dy:
                painter.fillRect(tail_clip.translated(dx, dy), base)
            layout.draw(painter, origin - layout.position() + QPointF(dx, dy))
            painter.restore()
        return QRect(0, int(top) - 1, width, int(y - baseline + line.height()) + 3)
