"""File ▸ Save with Encoding…: save the current document in an encoding the user picks.

The window's Save keeps the encoding a file was read with; this is how the user converts one.
A document read as UTF-8 with stray bytes (`ghostpen.straybytes`) keeps them only when saved
as STRAY_ENCODING again; saving it with any other encoding (REPLACE_CHOICE for UTF-8) first
replaces each stray byte in the document by its cp1252 reading, as one undoable edit, so the
document shows what the file then holds. If the save fails or is cancelled, that edit is
undone and the encoding stays as it was: nothing is lost. The rest is the window's own
`save_document` (EncodeError -> offer UTF-8, atomic write, recent files).
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QTextCursor

from ghostpen.editor import dialogs
from ghostpen.straybytes import FIRST, LAST, REPLACE_CHOICE, STRAY_ENCODING, resolve_stray
from ghostpen.textio import canonical_encoding

_STRAY_PATTERN = f"[\\x{{{FIRST:X}}}-\\x{{{LAST:X}}}]"


def replace_stray_bytes(doc) -> int:
    """Replace each stray byte in `doc` (a `documents.Document`) by its cp1252 reading, in one
    edit block (one undo step); how many were replaced."""
    qdoc = doc.document()
    pattern = QRegularExpression(_STRAY_PATTERN)
    edit = QTextCursor(qdoc)
    count = 0
    found = qdoc.find(pattern, 0)
    while not found.isNull():
        if count == 0:
            edit.beginEditBlock()
        edit.setPosition(found.selectionStart())
        edit.setPosition(found.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
        edit.insertText(resolve_stray(found.selectedText()))
        count += 1
        found = qdoc.find(pattern, edit.position())
    if count:
        edit.endEditBlock()
    return count


def save_with_encoding(window, encoding: str | None = None) -> bool:
    """Save `window`'s current document with `encoding` (None: ask); False if not saved."""
    doc = window.current_document()
    if doc is None:
        return False
    if encoding is None:
        encoding = dialogs.ask_save_encoding(window, doc.encoding)
        if encoding is None:
            return False
    try:
        target = canonical_encoding("utf-8" if encoding == REPLACE_CHOICE else encoding)
    except LookupError:
        dialogs.show_error(window, "Cannot save file", f"Unknown text encoding {encoding!r}")
        return False
    old = doc.encoding
    replaced = 0
    if old == STRAY_ENCODING and target != STRAY_ENCODING:
        replaced = replace_stray_bytes(doc)
    doc.encoding = target
    if window.save_document(doc):
        if replaced:
            window.status.showMessage(
                f"Saved as {target}: {replaced} stray byte(s) became their cp1252 reading", 8000
            )
        return True
    if replaced:
        doc.document().undo()
    doc.set_encoding(old)
    return False
