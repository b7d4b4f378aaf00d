"""Noticing when another program changes, replaces or deletes an open file (the thin Qt layer).

`DiskWatch` keeps a QFileSystemWatcher on every open file and its folder (the folder too, because
an atomic replace — write a temporary file, rename it over — drops the watch on the old inode;
the watch is re-armed on every check). It also checks when the window or the application gains
focus and right before a save. Checks are `disk_state.compare`: a stat, and a hash only when the
stat says "maybe".

- Unmodified buffer, file changed: reloaded at once, as ONE undoable step (only the changed
  middle of the text is replaced, so the cursor, the scroll position and the colouring of the
  rest stay; Undo brings the previous text back). The document's encoding is kept. A text with
  very long lines (shown in pieces, `long_lines`) is loaded afresh instead (not undoable).
- Modified buffer, file changed: a `DiskBar` at the top of that tab's editor: Reload / Keep mine
  / Compare. Until one is chosen, Save asks before overwriting. Right before every save the
  file's bytes are hashed even when size and mtime match, so a same-size rewrite whose mtime
  was put back is not overwritten without asking either.
- Deleted or moved away: the tab says "(deleted)", the text stays and counts as unsaved (so
  closing asks); Save asks before recreating the file unless the bar's "Save to recreate it"
  was clicked. When the file comes back it is checked again.
- Our own saves: `may_save` remembers the hash of the bytes about to be written, so the watcher
  event that our write causes is recognised and adopted silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QFileSystemWatcher, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QStyle,
    QVBoxLayout,
)

from ghostpen.editor import dialogs, disk_state
from ghostpen.editor.files import DecodeError, FileError, encode_text, read_text_file
from ghostpen.editor.long_lines import has_long_lines

CHECK_DELAY_MS = 100  # file-system events come in bursts (git checkout, a save in chunks)
DELETED_NOTE = " (deleted)"

_COLORS = {  # (background, border, text) of the notification bar
    False: ("#fff4ce", "#e0b400", "#3b2f00"),
    True: ("#3d3516", "#8a6d00", "#f1e3b0"),
}


class DiskBar(QFrame):
    """The notification strip above the tabs for the current document. `chosen` says which
    button was clicked: 'reload', 'keep', 'compare' (changed on disk) or 'recreate', 'close'
    (deleted). `is_dark()` picks the colours."""

    chosen = Signal(str)

    def __init__(self, is_dark, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("diskbar")
        self._is_dark = is_dark
        self._dark: bool | None = None
        self.kind = ""
        self.icon = QLabel(self)
        self.message = QLabel(self)
        self.message.setObjectName("diskbar_message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 6, 4)
        row.setSpacing(6)
        row.addWidget(self.icon)
        row.addWidget(self.message, 1)
        self.buttons = {}
        for key, text, tip in _BUTTONS:
            button = dialogs.make_button(text, tip, self)
            button.setObjectName(f"diskbar_{key}")
            button.clicked.connect(lambda _c=False, k=key: self.chosen.emit(k))
            row.addWidget(button)
            self.buttons[key] = button
        self.hide()

    def show_kind(self, kind: str, name: str) -> None:
        """'changed' or 'deleted' for the file `name`; '' hides the bar."""
        self.kind = kind
        if not kind:
            self.hide()
            return
        text = f"{name} changed on disk." if kind == "changed" else f"{name} was deleted on disk."
        self.message.setText(text)
        keys = ("reload", "keep", "compare") if kind == "changed" else ("recreate", "close")
        for key, button in self.buttons.items():
            button.setVisible(key in keys)
        size = self.message.fontMetrics().height() + 2
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.icon.setPixmap(icon.pixmap(size, size))
        self._restyle()
        self.show()

    def _restyle(self) -> None:
        dark = bool(self._is_dark())
        if dark == self._dark:
            return
        self._dark = dark
        bg, border, fg = _COLORS[dark]
        self.setStyleSheet(
            f"QFrame#diskbar {{ background: {bg}; border-bottom: 1px solid {border}; }}"
            f"QLabel {{ color: {fg}; background: transparent; }}"
        )

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.kind:
            self._restyle()  # the theme changed


_BUTTONS = (
    (
        "reload",
        "Reload",
        "Replace your unsaved edits with the version on disk (clicking this is the "
        "confirmation; Edit ▸ Undo brings your edits back)",
    ),
    (
        "keep",
        "Keep mine",
        "Keep your version; the next Save overwrites this version on disk without asking",
    ),
    ("compare", "Compare", "Show the differences between the version on disk and yours"),
    ("recreate", "Save to recreate it", "Save your text as this file again"),
    ("close", "Close", "Close this tab (asks about the unsaved text first)"),
)


class CompareDialog(QDialog):
    """Read-only unified diff: the version on disk against the buffer."""

    def __init__(self, name: str, diff: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("diskcompare")
        self.setWindowTitle(f"{name}: on disk ↔ yours")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setPlainText(diff or "The version on disk and yours are the same.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(760, 520)


@dataclass
class _Tracked:
    """What DiskWatch knows about one open document."""

    path: str | None = None
    loads: int = -1  # Document.loads when `base` was taken
    base: disk_state.Fingerprint | None = None  # the disk version the buffer came from
    seen: disk_state.Fingerprint | None = None  # the changed version the bar is about
    kept: str = ""  # sha256 of a disk version the user chose to overwrite ("Keep mine")
    ours: set[str] = field(default_factory=set)  # sha256 of bytes we are writing / wrote
    deleted: bool = False
    clean: bool = False  # unmodified when it was deleted (at `revision`)
    revision: int = -1
    recreate: bool = False  # "Save to recreate it" was clicked
    kind: str = ""  # what the bar says for this document: '', 'changed' or 'deleted'


class DiskWatch(QObject):
    """Watches the files of `window`'s documents (see the module docstring). The window calls
    `may_save(doc, path)` before writing; everything else is driven by signals."""

    def __init__(self, window, documents) -> None:
        super().__init__(window)
        self.window = window
        self._documents = documents
        self._tracked: dict[int, _Tracked] = {}
        self._docs: dict[int, object] = {}
        self._asking = False
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._on_event)
        self.watcher.directoryChanged.connect(self._on_event)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(CHECK_DELAY_MS)
        self.timer.timeout.connect(self.check_all)
        self.bar = DiskBar(window.is_dark, window.centralWidget())
        self.bar.chosen.connect(self._on_chosen)
        window.centralWidget().layout().insertWidget(0, self.bar)
        window.tabs.currentChanged.connect(self._on_current_changed)
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._on_app_state)

    # --- bookkeeping ----------------------------------------------------------------------
    def sync(self) -> None:
        """Know every open document, fingerprint freshly loaded files, arm the watches."""
        docs = {id(doc): doc for doc in self._documents()}
        for key in list(self._tracked):
            if key not in docs:
                del self._tracked[key]
                self._docs.pop(key, None)
        for key, doc in docs.items():
            t = self._tracked.get(key)
            if t is None:
                t = self._tracked[key] = _Tracked()
                self._docs[key] = doc
                doc.changed.connect(self.sync)
                doc.destroyed.connect(self.timer.start)  # a closed tab: drop its watch
            if t.path != doc.path or t.loads != doc.loads:
                self._reset(doc, t)
        self._arm()

    def _reset(self, doc, t: _Tracked) -> None:
        """The buffer was (re)loaded from or saved as `doc.path`: that file is the base now."""
        self._clear_marks(doc, t)
        t.path, t.loads = doc.path, doc.loads
        t.base = disk_state.fingerprint(doc.path) if doc.path else None
        t.ours.clear()

    def _arm(self) -> None:
        wanted: set[str] = set()
        for t in self._tracked.values():
            if t.path:
                real = os.path.realpath(t.path)
                wanted.update((real, os.path.dirname(real)))
        have = set(self.watcher.files()) | set(self.watcher.directories())
        gone = sorted(have - wanted)
        if gone:
            self.watcher.removePaths(gone)
        new = sorted(p for p in wanted - have if os.path.exists(p))
        if new:
            self.watcher.addPaths(new)

    def tracked(self, doc) -> _Tracked | None:
        return self._tracked.get(id(doc))

    def kind(self, doc) -> str:
        """What the bar says for `doc`: '', 'changed' or 'deleted'."""
        t = self.tracked(doc)
        return t.kind if t is not None else ""

    def _set_kind(self, doc, t: _Tracked, kind: str) -> None:
        t.kind = kind
        self._show_current()

    def _show_current(self) -> None:
        doc = self.window.current_document()
        t = self.tracked(doc) if doc is not None else None
        self.bar.show_kind(t.kind if t is not None else "", doc.name() if doc else "")

    def _on_current_changed(self, _index: int) -> None:
        self.sync()
        self._show_current()

    # --- when to check --------------------------------------------------------------------
    def _on_event(self, _path: str) -> None:
        self._arm()  # an atomic replace dropped the file's watch: re-add it now
        self.timer.start()

    def _on_app_state(self, state) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check_all()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if watched is self.window and event.type() == QEvent.Type.WindowActivate:
            self.check_all()
        return False

    def check_all(self) -> None:
        """Check every open file now (the window gained focus, or the watcher fired)."""
        if self._asking:
            self.timer.start()  # not while a question about a file is open
            return
        self.sync()
        for key, t in list(self._tracked.items()):
            doc = self._docs.get(key)
            if doc is not None and t.path:
                self._check(doc, t)
        self._arm()

    # --- decisions ------------------------------------------------------------------------
    def _ours(self, doc, t: _Tracked, now: disk_state.Fingerprint) -> bool:
        """The disk holds bytes we wrote, or exactly what the buffer would save as."""
        if now.sha256 and now.sha256 in t.ours:
            return True
        digest = _saved_digest(doc)
        return digest is not None and now.sha256 == digest

    def _unmodified(self, doc, t: _Tracked) -> bool:
        if t.deleted:  # we marked it modified ourselves; the user has not typed since
            return t.clean and doc.document().revision() == t.revision
        return not doc.is_modified()

    def _check(self, doc, t: _Tracked) -> None:
        verdict, now = disk_state.compare(t.base, t.path)
        if verdict == disk_state.DELETED:
            if not t.deleted:
                self._mark_deleted(doc, t)
            return
        if verdict == disk_state.UNCHANGED:
            if t.deleted and now is not None and self._unmodified(doc, t):
                doc.set_modified(False)  # it came back as it was
            if t.deleted or t.kind:
                self._clear_marks(doc, t)
            t.base = now
            return
        if now is None:
            return
        if self._ours(doc, t, now):
            was_clean = t.deleted and self._unmodified(doc, t)
            self._clear_marks(doc, t)
            t.base, t.ours = now, set()
            if was_clean:
                doc.set_modified(False)
            return
        if now.sha256 and now.sha256 == t.kept:
            return  # the user already chose their version over this one
        if self._unmodified(doc, t):
            self.reload(doc, now)
        elif t.seen is None or t.seen.sha256 != now.sha256 or not t.kind:
            self._clear_marks(doc, t)
            t.seen = now
            self._set_kind(doc, t, "changed")

    def _mark_deleted(self, doc, t: _Tracked) -> None:
        t.deleted, t.recreate, t.seen = True, False, None
        t.clean = not doc.is_modified()
        t.revision = doc.document().revision()
        doc.disk_note = DELETED_NOTE
        doc.set_modified(True)  # the text now lives only here: closing asks, recovery keeps it
        doc.changed.emit()
        self._set_kind(doc, t, "deleted")

    def _clear_marks(self, doc, t: _Tracked) -> None:
        t.seen, t.kept, t.deleted, t.recreate = None, "", False, False
        if t.kind:
            self._set_kind(doc, t, "")
        if doc.disk_note:
            doc.disk_note = ""
            doc.changed.emit()

    def _on_chosen(self, key: str) -> None:
        doc = self.window.current_document()
        t = self.tracked(doc) if doc is not None else None
        if t is None:
            return
        if key == "reload":
            verdict, now = disk_state.compare(t.base, t.path)
            if now is not None:
                self.reload(doc, now)
        elif key == "keep":
            t.kept = t.seen.sha256 if t.seen is not None else ""
            self._set_kind(doc, t, "")
        elif key == "compare":
            self.compare(doc)
        elif key == "recreate":
            t.recreate = True
            self.window.save_document(doc)
        elif key == "close":
            self.window.close_document(self.window.tabs.indexOf(doc.editor))

    # --- actions --------------------------------------------------------------------------
    def _read(self, doc):
        """The file as text, decoded the way the document is (else detected); None on error."""
        try:
            try:
                return read_text_file(doc.path, doc.encoding)
            except DecodeError:
                return read_text_file(doc.path)
        except FileError as err:
            self.window.status.showMessage(str(err), 10000)
            return None

    def reload(self, doc, now: disk_state.Fingerprint) -> bool:
        """Replace the buffer with the disk version `now` as one undoable step."""
        t = self.tracked(doc)
        tf = self._read(doc)
        if t is None or tf is None:
            return False
        edit = doc.editor
        old = doc.text()
        scroll = (edit.verticalScrollBar().value(), edit.horizontalScrollBar().value())
        if old != tf.text and (edit.has_display_breaks() or has_long_lines(tf.text)):
            doc.load(doc.path, tf)  # pieces of very long lines: positions are not the text's
            self.sync()
        elif old != tf.text:
            prefix, suffix = disk_state.common_ends(old, tf.text)
            start = _qt_len(old[:prefix])
            end = start + _qt_len(old[prefix : len(old) - suffix])
            mine = edit.textCursor()
            line, column = mine.blockNumber(), mine.positionInBlock()
            inside = start < mine.position() < end or start < mine.anchor() < end
            cursor = QTextCursor(doc.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(tf.text[prefix : len(tf.text) - suffix])
            if inside:  # Qt moved the cursor to the edge of the change: same line and column
                block = doc.document().findBlockByNumber(min(line, doc.document().blockCount() - 1))
                mine = QTextCursor(block)
                mine.setPosition(block.position() + min(column, block.length() - 1))
                edit.setTextCursor(mine)
        edit.verticalScrollBar().setValue(scroll[0])
        edit.horizontalScrollBar().setValue(scroll[1])
        doc.encoding, doc.newline, doc.mixed_newlines = tf.encoding, tf.newline, tf.mixed_newlines
        self._clear_marks(doc, t)
        t.base = now
        doc.set_modified(False)
        doc.changed.emit()
        self.window.status.showMessage(f"Reloaded {doc.name()}: it changed on disk", 5000)
        return True

    def compare(self, doc) -> CompareDialog | None:
        tf = self._read(doc)
        if tf is None:
            return None
        diff = disk_state.unified_diff(tf.text, doc.text(), doc.name())
        dialog = CompareDialog(doc.name(), diff, self.window)
        dialog.show()
        return dialog

    def may_save(self, doc, path: str) -> bool:
        """Right before `doc` is written to `path`: False when the user does not want to
        overwrite a version another program wrote (or recreate a deleted file)."""
        self.sync()
        t = self.tracked(doc)
        if t is None or not doc.path or os.path.realpath(path) != os.path.realpath(doc.path):
            return True
        verdict, now = disk_state.compare(t.base, path, strict=True)
        question = None
        if verdict == disk_state.DELETED and not t.recreate:
            question = f"{doc.name()} was deleted or moved since you opened it. Recreate it?"
        elif verdict in (disk_state.CHANGED, disk_state.APPEARED) and now is not None:
            if now.sha256 != t.kept and not self._ours(doc, t, now):
                question = (
                    f"{doc.name()} was changed by another program since you opened it. "
                    "Overwrite it?"
                )
                t.seen = now
        if question is not None:
            self._asking = True
            try:
                ok = dialogs.ask_yes_no(self.window, "File changed on disk", question)
            finally:
                self._asking = False
            if not ok:
                self._set_kind(doc, t, "deleted" if verdict == disk_state.DELETED else "changed")
                return False
            kept = now.sha256 if now is not None else ""
            self._clear_marks(doc, t)  # the user chose their version (as with "Keep mine")
            t.kept, t.recreate = kept, verdict == disk_state.DELETED
        self.note_own_save(doc)
        return True

    def note_own_save(self, doc, encoding: str | None = None) -> None:
        """`doc` is about to be written (in `encoding`, default its own): its bytes are ours."""
        t = self.tracked(doc)
        digest = _saved_digest(doc, encoding)
        if t is not None and digest is not None:
            t.ours.add(digest)


def _saved_digest(doc, encoding: str | None = None) -> str | None:
    """sha256 of the bytes saving `doc` writes (every line's own ending); None if unencodable."""
    tf = doc.text_file()
    try:
        data = encode_text(tf.text, encoding or doc.encoding, tf.newline, endings=tf.endings)
    except FileError:
        return None  # the save itself reports it
    return disk_state.sha256_of_bytes(data)


def _qt_len(text: str) -> int:
    """Length in Qt positions (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2
