"""Open documents: the editor widget of each tab, its file facts, and searching its text.

`make_editor` is the one place that picks the editor widget class. A `Document` owns one editor
plus what is needed to save it back unchanged (path, encoding, line ending), its syntax
highlighter and its crash-recovery key (the copies are kept by `recovery_ui.RecoveryKeeper`).
Its text is read from the document's blocks, never from `toPlainText()` (which turns U+00A0
into a space and U+2028/U+2029 into newlines): `text_file()` gives back every character, and
every line's own ending, which is kept as a property of the block separator's character format
(the rules are in `ghostpen.linebreaks`). A text with very long lines (`long_lines`) is shown
without syntax highlighting, each such line as several blocks joined by display breaks (an
"ending" that is no character), so that a key costs what it costs in a short line.

The search functions (`find`, `replace_one`, `replace_all`) work on any QPlainTextEdit and never
touch the whole text at once except `replace_all`, which is one undo step.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRegularExpression, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument

from ghostpen.editor.files import TextFile
from ghostpen.editor.highlight import PygmentsHighlighter, choose_lexer, should_highlight
from ghostpen.editor.long_lines import has_long_lines, split_long_blocks
from ghostpen.editor.textedit import DISPLAY_BREAK_MARK, LINE_ENDING_PROPERTY, GhostTextEdit
from ghostpen.linebreaks import DISPLAY_BREAK, join_blocks, split_blocks


def make_editor(parent=None) -> GhostTextEdit:
    """The editor widget of a tab."""
    return GhostTextEdit(parent)


class Document(QObject):
    """One tab: its editor, file path, encoding, line ending, highlighter and recovery key."""

    changed = Signal()  # name, path, encoding, line ending or language changed

    def __init__(self, untitled_number: int = 1, dark: bool = False, parent=None) -> None:
        super().__init__(parent)
        self.editor = make_editor()
        self.key = uuid.uuid4().hex  # crash-recovery key
        self.path: str | None = None
        self.encoding = "utf-8"
        self.newline = "\n"
        self.mixed_newlines = False
        self.untitled_number = untitled_number
        self.language = "Plain text"
        self.highlighted = True
        self.highlighter: PygmentsHighlighter | None = None
        self.long_lines = False  # a line over long_lines.LONG_LINE_CHARS: no colours
        self.recovered_revision: int | None = None  # document revision last written to recovery
        self.loads = 0  # bumped by every load(): the buffer is a fresh copy of `path` (disk_watch)
        self.disk_note = ""  # shown after the name in the tab, e.g. " (deleted)" (disk_watch)
        self._dark = dark
        self.editor.set_dark(dark)

    # --- facts ----------------------------------------------------------------------------
    def name(self) -> str:
        return os.path.basename(self.path) if self.path else f"Untitled {self.untitled_number}"

    def document(self) -> QTextDocument:
        return self.editor.document()

    def is_modified(self) -> bool:
        return self.editor.document().isModified()

    def set_modified(self, modified: bool) -> None:
        self.editor.document().setModified(modified)

    def is_pristine(self) -> bool:
        """An untitled, unmodified, empty document (a new window's first tab)."""
        doc = self.editor.document()
        return self.path is None and not doc.isModified() and doc.characterCount() <= 1

    def text(self) -> str:
        """The text with "\\n" line breaks and every other character as it is."""
        return self.text_file().text

    def text_file(self) -> TextFile:
        """Everything needed to save the text back exactly: the characters of its blocks (not
        `toPlainText()`), the line ending and each line's own one where it differs (`bom` is
        left False: the encoding's name says whether there is one)."""
        doc = self.editor.document()
        raw = doc.toRawText()  # the blocks' texts, separated by U+2029
        ends = self._block_endings()
        if ends:
            text, endings = join_blocks(
                raw.split("\u2029"), ends, self.newline, keep_mixed=self.mixed_newlines
            )
        else:
            text, endings = raw.replace("\u2028", "\n").replace("\u2029", "\n"), {}
        return TextFile(
            text, self.encoding, self.newline, False, self.mixed_newlines and bool(endings), endings
        )

    def _block_endings(self) -> dict[int, str]:
        """{block index: its own ending} for the blocks whose separator is marked."""
        doc = self.editor.document()
        marks = {
            index: fmt.property(LINE_ENDING_PROPERTY)
            for index, fmt in enumerate(doc.allFormats())
            if fmt.isCharFormat() and fmt.hasProperty(LINE_ENDING_PROPERTY)
        }
        if not marks:  # never marked: no need to look at the blocks
            return {}
        ends = {}
        block, index = doc.firstBlock().next(), 0
        while block.isValid():  # a block's char format is that of the separator before it
            ending = marks.get(block.charFormatIndex())
            if ending == DISPLAY_BREAK_MARK:  # a piece of a very long line (long_lines)
                ends[index] = DISPLAY_BREAK
            elif ending:
                ends[index] = ending
            block, index = block.next(), index + 1
        return ends

    def _mark_endings(self, ends: dict[int, str]) -> None:
        """Mark the separators of the blocks in `ends` with their endings (not undoable)."""
        doc = self.editor.document()
        undo = doc.isUndoRedoEnabled()
        doc.setUndoRedoEnabled(False)
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()  # one layout update, not one per mark
        formats: dict[str, QTextCharFormat] = {}
        block, index = doc.firstBlock(), 0
        for target in sorted(ends):
            while index < target:
                block, index = block.next(), index + 1
            fmt = formats.get(ends[target])
            if fmt is None:
                fmt = formats[ends[target]] = QTextCharFormat()
                mark = DISPLAY_BREAK_MARK if ends[target] == DISPLAY_BREAK else ends[target]
                fmt.setProperty(LINE_ENDING_PROPERTY, mark)
            end = block.position() + block.length() - 1  # the separator after the block
            cursor.setPosition(end)
            cursor.setPosition(end + 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
        cursor.endEditBlock()
        doc.setUndoRedoEnabled(undo)

    # --- changes --------------------------------------------------------------------------
    def load(self, path: str | None, tf: TextFile, *, modified: bool = False) -> None:
        """Show `tf` (a decoded file or a recovered buffer) as this document's text."""
        self.path = os.path.abspath(path) if path else None
        self.encoding = tf.encoding
        self.newline = tf.newline
        self.mixed_newlines = tf.mixed_newlines or bool(tf.endings)
        self._drop_highlighter()  # no re-colouring while the text is replaced
        self.long_lines = has_long_lines(tf.text)
        text, ends = split_blocks(tf.text, tf.newline, tf.endings)
        if self.long_lines:
            text, ends = split_long_blocks(text, ends)
        self.editor.set_display_breaks(False)  # not looked for while the text is replaced
        self.editor.setPlainText(text)
        if ends:
            self._mark_endings(ends)
        self.editor.set_display_breaks(DISPLAY_BREAK in ends.values())
        self.set_modified(modified)
        self.recovered_revision = None
        self.loads += 1
        self.update_language(tf.text)

    def set_path(self, path: str) -> None:
        old = self.path
        self.path = os.path.abspath(path)
        if old is None or os.path.splitext(old)[1] != os.path.splitext(path)[1]:
            self.update_language()
        self.changed.emit()

    def set_encoding(self, encoding: str) -> None:
        self.encoding = encoding
        self.changed.emit()

    def set_newline(self, newline: str) -> None:
        """Give every line this ending (a mixed file's lines too)."""
        if newline != self.newline or self.mixed_newlines:
            self.newline = newline
            self.mixed_newlines = False
            self.set_modified(True)
            self.changed.emit()

    def update_language(self, text: str | None = None) -> None:
        """Pick the lexer by file name, else by the first few KB; no colours for huge text."""
        doc = self.editor.document()
        if text is None:
            head = doc.firstBlock()
            parts, size = [], 0
            while head.isValid() and size < 4096:
                parts.append(head.text())
                size += head.length()
                head = head.next()
            text = "\n".join(parts)
            length = doc.characterCount()
        else:
            length = len(text)
        lexer = choose_lexer(self.path, text)
        self.language = "Plain text" if lexer.name == "Text only" else lexer.name
        self.highlighted = should_highlight(length) and not self.long_lines
        if self.highlighted and self.language != "Plain text":
            if self.highlighter is None:
                self.highlighter = PygmentsHighlighter(doc, lexer, self._dark)
            else:
                self.highlighter.set_lexer(lexer)
        else:
            self._drop_highlighter()
        self.changed.emit()

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self.editor.set_dark(dark)
        if self.highlighter is not None:
            self.highlighter.set_dark(dark)

    def _drop_highlighter(self) -> None:
        if self.highlighter is not None:
            self.highlighter.stop()
            self.highlighter.setDocument(None)
            self.highlighter.deleteLater()
            self.highlighter = None

    def dispose(self) -> None:
        self._drop_highlighter()
        self.editor.deleteLater()


def go_to_line(edit, line: int) -> None:
    """Put the cursor at the start of line `line` (1-based, clamped) and scroll it to the middle.
    A very long line shown in pieces (display breaks, `long_lines`) counts as one line."""
    doc = edit.document()
    block = doc.findBlockByNumber(max(1, min(int(line), doc.blockCount())) - 1)
    if edit.has_display_breaks():
        block, left = doc.firstBlock(), max(1, int(line)) - 1
        while left and block.next().isValid():
            block = block.next()
            left -= not edit.display_break_before(block)
    cursor = edit.textCursor()
    cursor.setPosition(block.position())
    edit.setTextCursor(cursor)
    edit.centerCursor()


# --- search -------------------------------------------------------------------------------------
class SearchError(ValueError):
    """The search pattern is not a valid regular expression (message is for the user)."""


@dataclass(frozen=True)
class SearchSpec:
    """What to look for. Matches never span lines (QTextDocument searches block by block)."""

    text: str
    case: bool = False
    whole: bool = False
    regex: bool = False

    def compile(self) -> QRegularExpression:
        pattern = self.text if self.regex else QRegularExpression.escape(self.text)
        if self.whole:  # the match may not start or end in the middle of a word
            pattern = rf"(?:(?<!\w)|(?!\w))(?:{pattern})(?:(?!\w)|(?<!\w))"
        options = QRegularExpression.PatternOption.UseUnicodePropertiesOption
        if not self.case:
            options |= QRegularExpression.PatternOption.CaseInsensitiveOption
        rx = QRegularExpression(pattern, options)
        if not rx.isValid():
            raise SearchError(
                f"Invalid regular expression: {rx.errorString()} "
                f"(at character {rx.patternErrorOffset() + 1})"
            )
        return rx

    def flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        """QTextDocument.find flags (it applies its own case rule even to a regex)."""
        flags = QTextDocument.FindFlag(0)
        if self.case:
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags


def _search(doc: QTextDocument, rx: QRegularExpression, pos: int, flags):
    """The next non-empty match from `pos` (a QTextCursor), or None."""
    backward = bool(flags & QTextDocument.FindFlag.FindBackward)
    last = doc.characterCount() - 1
    while 0 <= pos <= last:
        found = doc.find(rx, pos, flags)
        if found.isNull():
            return None
        if found.hasSelection():
            return found
        pos = found.position() + (-1 if backward else 1)  # skip an empty match
    return None


def find(edit, spec: SearchSpec, backward: bool = False) -> str:
    """Select the next (previous) match after (before) the selection, wrapping around the
    document: 'found', 'wrapped' or 'not found'. Raises SearchError for a bad pattern."""
    rx = spec.compile()
    doc = edit.document()
    cursor = edit.textCursor()
    start = cursor.selectionStart() if backward else cursor.selectionEnd()
    flags = spec.flags(backward)
    found = _search(doc, rx, start, flags)
    result = "found"
    if found is None:
        found = _search(doc, rx, doc.characterCount() - 1 if backward else 0, flags)
        result = "wrapped"
    if found is None:
        return "not found"
    edit.setTextCursor(found)
    edit.centerCursor()
    return result


def _match_at(doc: QTextDocument, rx: QRegularExpression, cursor: QTextCursor):
    """The match of `rx` that is exactly the cursor's selection, or None."""
    if not cursor.hasSelection():
        return None
    start, end = cursor.selectionStart(), cursor.selectionEnd()
    block = doc.findBlock(start)
    if end > block.position() + block.length() - 1:
        return None
    offset = start - block.position()
    m = rx.match(block.text(), offset)  # the leftmost match from offset: ours if it starts there
    ok = m.hasMatch() and m.capturedStart() == offset and m.capturedLength() == end - start
    return m if ok else None


def expand(template: str, match, regex: bool) -> str:
    """The replacement text: with `regex`, \\0-\\9 are groups and \\n, \\t, \\\\ escapes."""
    if not regex or "\\" not in template:
        return template
    out, i = [], 0
    while i < len(template):
        ch = template[i]
        if ch == "\\" and i + 1 < len(template):
            nxt = template[i + 1]
            if nxt.isdigit():
                out.append(match.captured(int(nxt)) or "")
            else:
                out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def replace_one(edit, spec: SearchSpec, replacement: str) -> str:
    """Replace the selection if it is a match, then select the next match ('found', 'wrapped',
    'not found'); if the selection is not a match, just find the next one."""
    rx = spec.compile()
    cursor = edit.textCursor()
    m = _match_at(edit.document(), rx, cursor)
    if m is not None:
        cursor.insertText(expand(replacement, m, spec.regex))
        edit.setTextCursor(cursor)
    return find(edit, spec)


def replace_all(edit, spec: SearchSpec, replacement: str) -> int:
    """Replace every match as one undo step; returns how many were replaced."""
    rx = spec.compile()
    doc = edit.document()
    cursor = QTextCursor(doc)
    count, pos = 0, 0
    cursor.beginEditBlock()
    try:
        while True:
            found = _search(doc, rx, pos, spec.flags())
            if found is None:
                break
            m = _match_at(doc, rx, found)
            text = expand(replacement, m, spec.regex) if m is not None else replacement
            cursor.setPosition(found.selectionStart())
            cursor.setPosition(found.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(text)
            count += 1
            pos = cursor.position()
    finally:
        cursor.endEditBlock()
    return count
