"""Crash recovery in the window: the timer that keeps copies, and the offer after a crash.

`RecoveryKeeper` takes, every few seconds, a cheap snapshot of each modified document whose
revision changed (`QTextDocument.toRawText()`, the GUI thread's only cost) and hands it to a
`recovery_writer.RecoveryWriter`, which encodes and writes it in a worker thread; results come
back by a queued signal. One copy per document is in flight at a time, and a copy taken before
the document was saved or closed is dropped by the store. A copy that cannot be written or
removed (folder missing, read-only, full, a file in its place) is said once in the status bar
and never stops Save or Close; removals that failed are retried on later ticks.

`offer_recovery(window)` asks about what a crashed session left; a copy of a file that is
already open (``ghostpen edit notes.txt`` after a crash) is restored into that tab as one
undoable step, and the prompt says whether the copy is newer or older than the file on disk.
No copy is discarded without saying so: "Restore Selected" with boxes left unticked (a key
typed into the prompt toggles the current box) asks before discarding those copies, and
answering No keeps them for the next start.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QTextCursor

from ghostpen.editor import dialogs
from ghostpen.editor.files import FileError
from ghostpen.editor.long_lines import has_long_lines
from ghostpen.editor.recovery_writer import RecoveryWriter

STOP_TIMEOUT_S = 30.0  # closing waits this long at most for copies being written


class RecoveryKeeper(QObject):
    """Every `interval_ms`, copies each modified document whose text changed since its last
    copy into a RecoveryStore (in a worker thread), and drops the copies of documents no longer
    modified."""

    error = Signal(str)  # a copy could not be written or removed (each kind said once)
    _finished = Signal(str, int, bool, str)  # key, revision, written, error (from the worker)

    def __init__(self, store, documents_getter, interval_ms: int, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self._documents = documents_getter
        self._said: set[str] = set()  # kinds of failure said since the last success
        self._in_flight: dict[str, int] = {}  # key -> revision being written
        self._undiscarded: dict[str, str | None] = {}  # key -> path: removals to retry
        self.writer = RecoveryWriter(store, self._finished.emit)
        self._finished.connect(self._on_finished)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.write)
        self.timer.start()

    def write(self, wait: bool = False) -> int:
        """Queue a copy of each document that needs one; returns how many were queued. With
        `wait`, returns once they are on disk (or failed)."""
        self._retry_discards()
        queued = 0
        for doc in self._documents():
            qdoc = doc.document()
            if not qdoc.isModified():
                if doc.recovered_revision is not None:
                    self.forget(doc)
                continue
            revision = qdoc.revision()
            if doc.key in self._in_flight or doc.recovered_revision == revision:
                continue  # one copy in flight per document; none unless the text changed
            tf = doc.text_file()  # every character and line ending; cheap without marks
            if self.writer.submit(
                doc.key,
                revision,
                tf.text,
                path=doc.path,
                encoding=tf.encoding,
                newline=tf.newline,
                endings=tf.endings,
            ):
                self._in_flight[doc.key] = revision
                queued += 1
        if wait and queued:
            self.writer.wait()
        return queued

    def _on_finished(self, key: str, revision: int, written: bool, error: str) -> None:
        self._in_flight.pop(key, None)
        if error:
            self._say("write", error)
            return
        self._said.discard("write")
        if written:
            for doc in self._documents():
                if doc.key == key:
                    doc.recovered_revision = revision

    def _say(self, kind: str, message: str) -> None:
        if kind not in self._said:
            self._said.add(kind)
            self.error.emit(message)

    def discard(self, key: str, path: str | None = None) -> str | None:
        """Remove the copy of `key`; the message if it could not be (said once, retried
        later). Never raises."""
        try:
            self.store.discard(key, path=path)
        except FileError as err:
            self._undiscarded[key] = path
            self._say("discard", str(err))
            return str(err)
        self._undiscarded.pop(key, None)
        self._said.discard("discard")
        return None

    def _retry_discards(self) -> None:
        for key, path in list(self._undiscarded.items()):
            try:
                self.store.discard(key, path=path)
            except FileError:
                continue
            del self._undiscarded[key]

    def forget(self, doc) -> str | None:
        """The document was saved, closed or reloaded: its copy goes (a copy being written is
        dropped). Returns the message if the copy could not be removed; never raises."""
        doc.recovered_revision = None
        return self.discard(doc.key, doc.path)

    def stop(self) -> None:
        self.timer.stop()
        self.writer.stop(STOP_TIMEOUT_S)


SEPARATOR_CHARS = "\u2028\u2029\ufdd0\ufdd1"  # kept as characters by Document.load only


def replace_text(doc, text: str) -> None:
    """Replace the whole text of `doc` as one undoable step."""
    cursor = QTextCursor(doc.document())
    cursor.beginEditBlock()
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.insertText(text)
    cursor.endEditBlock()


def restore(window, rec):
    """Show recovered buffer `rec`: in the tab of its file if that is open, else a new tab."""
    index = window._find_open(rec.path) if rec.path else -1
    tf = rec.text_file()
    if index < 0:
        return window._show_text(rec.path, tf, True)
    doc = window.documents()[index]
    if tf.endings or any(c in tf.text for c in SEPARATOR_CHARS) or has_long_lines(tf.text):
        doc.load(rec.path, tf, modified=True)  # exact endings, separators, long-line pieces
    elif doc.text() != rec.text:
        replace_text(doc, rec.text)  # one undoable step
    doc.encoding, doc.newline, doc.mixed_newlines = rec.encoding, rec.newline, bool(tf.endings)
    doc.set_modified(True)
    doc.changed.emit()
    window.tabs.setCurrentIndex(index)
    return doc


def offer_recovery(window) -> int:
    """Offer the buffers a crashed session left; returns how many were restored."""
    window._offered_recovery = True
    own = {doc.key for doc in window.documents()}
    pending = [d for d in window.recovery.pending() if d.key not in own]
    if not pending:
        return 0
    choice, chosen = dialogs.ask_restore(window, pending)
    if choice == "later":
        return 0
    chosen_keys = {d.key for d in chosen}
    left = [rec for rec in pending if rec.key not in chosen_keys]
    drop_left = choice == "discard" or not left or _confirm_discard(window, left, chosen_keys)
    restored, notes = 0, []
    for rec in pending:
        if rec.key in chosen_keys:
            doc = restore(window, rec)
            window.keeper.write(wait=True)  # under the new key before the old copy goes
            restored += 1
            if rec.path is not None:
                notes.append(f"{doc.name()}: {rec.age_note()}")
        elif not drop_left:
            continue  # kept: offered again at the next start
        window.keeper.discard(rec.key, rec.path)
    parts = [f"Restored {restored} unsaved document(s)"] if restored else []
    if left and not drop_left:
        parts.append(
            f"kept {len(left)} recovered cop{'y' if len(left) == 1 else 'ies'} for the next start"
        )
    if parts:
        window.status.showMessage("; ".join([*parts, *notes]), 8000)
    return restored


def _confirm_discard(window, left, chosen_keys) -> bool:
    """Ask before discarding the copies `left` unticked; False keeps them."""
    names = ", ".join(_name(rec) for rec in left[:5]) + (", …" if len(left) > 5 else "")
    n = len(left)
    copies = "copy" if n == 1 else "copies"
    if not chosen_keys:
        question = (
            f"No document is ticked, so nothing would be restored. Discard the {n} recovered "
            f"{copies} ({names})? They cannot be brought back.\n\nNo keeps them: they are "
            "offered again at the next start."
        )
    else:
        question = (
            f"Discard the {n} recovered {copies} you did not tick ({names})? They cannot be "
            "brought back.\n\nNo keeps them: they are offered again at the next start."
        )
    return dialogs.ask_yes_no(window, "Discard recovered documents?", question)


def _name(rec) -> str:
    return os.path.basename(rec.path) if rec.path else "Untitled"
