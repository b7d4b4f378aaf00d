"""The main window: tabs of documents, menus, find bar, status bar, suggestions, recovery.

`MainWindow` ties the pieces together: `documents.Document` (one tab), `actions` (menus and
shortcuts), `dialogs` (every blocking question, replaceable in tests), `settings.AppSettings`
(QSettings), `statusbar.StatusBar`, the `worker.Suggester` (model thread) and the
`recovery.RecoveryStore` (unsaved buffers written every few seconds, offered after a crash).
Nothing here does whole-document work per keystroke: the status bar reads the cursor, and the
recovery timer only copies documents whose revision changed.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from ghostpen.editor import actions, dialogs, disk_watch, recovery_ui
from ghostpen.editor.documents import Document, go_to_line
from ghostpen.editor.files import EncodeError, FileError, TextFile, read_text_file, save_text_file
from ghostpen.editor.long_lines import WARNING as LONG_LINES_WARNING
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.recovery_ui import RecoveryKeeper
from ghostpen.editor.settings import AppSettings, SuggestPrefs
from ghostpen.editor.statusbar import StatusBar
from ghostpen.editor.view import ViewMixin
from ghostpen.editor.worker import Suggester

APP_NAME = "ghostpen"
RECOVERY_INTERVAL_MS = 5000


class MainWindow(ViewMixin, QMainWindow):
    """The editor window, wired by `ghostpen.editor.app.build_app`: `settings` an AppSettings
    (tests: over a temp INI file), `recovery` a RecoveryStore, `suggester` the worker
    thread's controller (the window becomes its parent); `suggest=False` starts with
    suggestions off without loading a model (``ghostpen edit --no-suggest``)."""

    document_saved = Signal(str, str)  # (path, text) after each successful save
    closed = Signal()  # the window accepted its close (the suggestion thread has stopped)

    def __init__(
        self,
        *,
        settings: AppSettings,
        recovery: RecoveryStore,
        suggester: Suggester,
        suggest: bool = True,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.recovery = recovery
        self._dark = self.settings.dark()
        self._zoom = 0
        self._untitled = 0
        self._docs: dict[int, Document] = {}  # id(editor) -> document
        self._closing = False
        self._offered_recovery = False

        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(actions.app_icon())
        self.resize(1000, 700)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.tabCloseRequested.connect(self.close_document)
        self.tabs.currentChanged.connect(self._on_current_changed)
        self.find_bar = dialogs.FindBar(self.current_editor, self)
        self.find_bar.closed.connect(self._focus_editor)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.acts = actions.build(self)

        prefs = self.settings.suggest_prefs()
        self.suggester = suggester
        suggester.setParent(self)
        self.suggester.ready.connect(self._on_model_ready)
        self.suggester.failed.connect(self._on_model_failed)
        self.suggester.latency.connect(self.status.set_latency)
        self._suggest_failed = False
        self._set_suggest_state(prefs.enabled and suggest)

        self.keeper = RecoveryKeeper(self.recovery, self.documents, RECOVERY_INTERVAL_MS, self)
        self.keeper.error.connect(lambda message: self.status.showMessage(message, 10000))
        self.recovery_timer = self.keeper.timer

        (self.acts.dark if self._dark else self.acts.light).setChecked(True)
        self._apply_palette()
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.disk = disk_watch.DiskWatch(self, self.documents)  # files changed by others
        self.new_document()

    # --- documents --------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        return [self._docs[id(self.tabs.widget(i))] for i in range(self.tabs.count())]

    def current_document(self) -> Document | None:
        widget = self.tabs.currentWidget()
        return self._docs.get(id(widget)) if widget is not None else None

    def current_editor(self):
        doc = self.current_document()
        return doc.editor if doc is not None else None

    def _add_document(self, doc: Document) -> Document:
        self._docs[id(doc.editor)] = doc
        self.apply_word_wrap(doc)
        for _ in range(abs(self._zoom)):
            doc.editor.zoom_in() if self._zoom > 0 else doc.editor.zoom_out()
        doc.document().modificationChanged.connect(lambda _m, d=doc: self._refresh_document(d))
        doc.document().contentsChanged.connect(lambda d=doc: self._forget_if_emptied(d))
        doc.changed.connect(lambda d=doc: self._refresh_document(d))
        doc.editor.cursorPositionChanged.connect(lambda d=doc: self._on_cursor(d))
        doc.editor.selectionChanged.connect(lambda d=doc: self._on_cursor(d))
        self.suggester.attach(doc.editor, lambda d=doc: d.path)
        index = self.tabs.addTab(doc.editor, doc.name())
        self.tabs.setCurrentIndex(index)
        self._refresh_document(doc)
        doc.editor.setFocus()
        return doc

    @staticmethod
    def _forget_if_emptied(doc: Document) -> None:
        """An Untitled buffer emptied again has nothing to save (undo makes it modified)."""
        if doc.path is None and doc.document().characterCount() <= 1 and doc.is_modified():
            doc.set_modified(False)

    def new_document(self) -> Document:
        self._untitled += 1
        return self._add_document(Document(self._untitled, self._dark, self))

    def _show_text(self, path: str | None, tf: TextFile, modified: bool = False) -> Document:
        """A tab showing `tf` (the current one if it is an untouched new document)."""
        doc = self.current_document()
        if doc is not None and doc.is_pristine() and self.tabs.count() == 1:
            doc.load(path, tf, modified=modified)
            return doc
        self._untitled += 1
        doc = Document(self._untitled, self._dark, self)
        doc.load(path, tf, modified=modified)
        return self._add_document(doc)

    def _find_open(self, path: str) -> int:
        real = os.path.realpath(path)
        for i, doc in enumerate(self.documents()):
            if doc.path and os.path.realpath(doc.path) == real:
                return i
        return -1

    def open_file(
        self, path: str, encoding: str | None = None, *, create_missing: bool = False
    ) -> bool:
        """Open `path` in a tab (or switch to it); False (after telling the user) if it can't be
        read. With `create_missing`, a path that does not exist yet becomes a new document."""
        path = os.path.abspath(os.path.expanduser(os.fspath(path)))
        index = self._find_open(path)
        if index >= 0:
            self.tabs.setCurrentIndex(index)
            return True
        if create_missing and not os.path.exists(path) and os.path.isdir(os.path.dirname(path)):
            tf = TextFile("", "utf-8")
        else:
            try:
                tf = read_text_file(path, encoding)
            except FileError as err:
                dialogs.show_error(self, "Cannot open file", str(err))
                if not os.path.exists(path):
                    self.settings.remove_recent(path)
                return False
        doc = self._show_text(path, tf)
        self.settings.add_recent(path)
        self.settings.set_last_dir(os.path.dirname(path))
        if tf.mixed_newlines:
            self.status.showMessage(
                f"{doc.name()} mixes line endings; each line keeps its own unless you choose "
                "one for all",
                8000,
            )
        if doc.long_lines:
            self.status.showMessage(f"{doc.name()}: {LONG_LINES_WARNING}", 15000)
        return True

    def open_dialog(self) -> None:
        for path in dialogs.ask_open_paths(self, self.settings.last_dir()):
            self.open_file(path)

    def save(self) -> bool:
        doc = self.current_document()
        return self.save_document(doc) if doc is not None else False

    def save_as(self, path: str | None = None) -> bool:
        doc = self.current_document()
        return self.save_document(doc, path, ask=path is None) if doc is not None else False

    def save_document(self, doc: Document, path: str | None = None, ask: bool = False) -> bool:
        """Save `doc` (to `path`, its own path, or one the user picks); False if not saved."""
        if path is None and (ask or doc.path is None):
            suggested = doc.path or os.path.join(self.settings.last_dir(), doc.name() + ".txt")
            path = dialogs.ask_save_path(self, suggested)
            if not path:
                return False
        path = os.path.abspath(path or doc.path)
        if not self.disk.may_save(doc, path):  # changed or deleted by another program
            return False
        tf = doc.text_file()  # every character, every line's own ending
        encoding, lines = doc.encoding, {"newline": tf.newline, "endings": tf.endings}
        try:
            save_text_file(path, tf.text, encoding=encoding, **lines)
        except EncodeError as err:
            if not dialogs.ask_yes_no(self, "Save as UTF-8?", f"{err}\n\nSave as UTF-8 instead?"):
                return False
            encoding = "utf-8"
            self.disk.note_own_save(doc, encoding)
            try:
                save_text_file(path, tf.text, encoding=encoding, **lines)
            except FileError as err2:
                dialogs.show_error(self, "Cannot save file", str(err2))
                return False
        except FileError as err:
            dialogs.show_error(self, "Cannot save file", str(err))
            return False
        doc.encoding = encoding
        if doc.path != path:
            doc.set_path(path)
        doc.set_modified(False)
        self.settings.add_recent(path)
        self.settings.set_last_dir(os.path.dirname(path))
        self._refresh_document(doc)
        self.status.showMessage(f"Saved {path}", 4000)
        self.keeper.forget(doc)  # never raises; a copy it cannot remove is said after "Saved"
        self.document_saved.emit(path, tf.text)  # the typing history (habits_ui) listens
        return True

    def _confirm_close(self, doc: Document) -> bool:
        """Ask about unsaved changes; True when the document may close."""
        if not doc.is_modified():
            return True
        self.tabs.setCurrentWidget(doc.editor)
        answer = dialogs.ask_save_changes(self, doc.name())
        if answer == "save":
            return self.save_document(doc)
        return answer == "discard"

    def close_document(self, index: int) -> bool:
        """Close the tab at `index` (asking about unsaved changes); False if it stays open."""
        widget = self.tabs.widget(index)
        doc = self._docs.get(id(widget)) if widget is not None else None
        if doc is None or not self._confirm_close(doc):
            return False
        self._remove(doc)
        if self.tabs.count() == 0 and not self._closing:
            self.new_document()
        return True

    def close_current(self) -> bool:
        return self.close_document(self.tabs.currentIndex())

    def _remove(self, doc: Document) -> None:
        self.suggester.detach(doc.editor)
        self.keeper.forget(doc)
        self.tabs.removeTab(self.tabs.indexOf(doc.editor))
        self._docs.pop(id(doc.editor), None)
        doc.dispose()
        doc.deleteLater()

    def _confirm_close_all(self) -> bool:
        """Ask about every modified document (several at once: Save All / Discard All)."""
        modified = [d for d in self.documents() if d.is_modified()]
        answer = "each"
        if len(modified) > 1:
            answer = dialogs.ask_save_all(self, [d.name() for d in modified])
        if answer == "save_all":
            return all(self.save_document(d) for d in modified)  # stops at the first refusal
        if answer == "discard_all":
            return True
        return answer == "each" and all(self._confirm_close(d) for d in self.documents())

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self._confirm_close_all():
            event.ignore()
            return
        self._closing = True
        self.keeper.stop()
        self.suggester.stop()
        for doc in self.documents():
            self._remove(doc)
        self.settings.set_geometry(self.saveGeometry())
        self.settings.sync()
        event.accept()
        self.closed.emit()

    # --- encoding, line endings ---------------------------------------------------------------
    def reopen_with_encoding(self, encoding: str | None = None) -> bool:
        doc = self.current_document()
        if doc is None or doc.path is None:
            self.status.showMessage("Save the document first: only files can be reopened", 5000)
            return False
        if encoding is None:
            encoding = dialogs.ask_encoding(self, doc.encoding)
            if encoding is None:
                return False
        if doc.is_modified() and not dialogs.ask_yes_no(
            self,
            "Reopen with encoding",
            f"{doc.name()} has unsaved changes. Discard them and reopen it as {encoding}?",
        ):
            return False
        try:
            tf = read_text_file(doc.path, encoding)
        except FileError as err:
            dialogs.show_error(self, "Cannot reopen file", str(err))
            return False
        doc.load(doc.path, tf)
        self.keeper.forget(doc)
        self._refresh_document(doc)
        return True

    def set_newline(self, newline: str) -> None:
        doc = self.current_document()
        if doc is not None:
            doc.set_newline(newline)
            self._refresh_document(doc)

    # --- recent files -------------------------------------------------------------------------
    def refresh_recent_menu(self) -> None:
        actions.fill_recent_menu(self.acts, self.settings.recent_files(), self.open_file)

    def clear_recent(self) -> None:
        self.settings.clear_recent()

    # --- find, go to line ---------------------------------------------------------------------
    def show_find(self, replace: bool = False) -> None:
        self.find_bar.open_bar(replace)

    def find_next(self) -> None:
        if not self.find_bar.find_edit.text():
            self.show_find(False)
        else:
            self.find_bar.find_next()

    def find_previous(self) -> None:
        if not self.find_bar.find_edit.text():
            self.show_find(False)
        else:
            self.find_bar.find_previous()

    def go_to_line(self, line: int | None = None) -> bool:
        edit = self.current_editor()
        if edit is None:
            return False
        count = edit.document().blockCount()
        if line is None:
            line = dialogs.ask_line(self, edit.textCursor().blockNumber() + 1, count)
            if line is None:
                return False
        go_to_line(edit, line)
        edit.setFocus()
        return True

    def _focus_editor(self) -> None:
        edit = self.current_editor()
        if edit is not None:
            edit.setFocus()

    # --- suggestions --------------------------------------------------------------------------
    def _set_suggest_state(self, on: bool) -> None:
        self.acts.toggle_suggest.setChecked(on)
        if on:
            self.suggester.start()  # loads the model in the worker thread (once)
        self.suggester.set_enabled(on)
        if not on:
            if not self._suggest_failed:
                self.status.set_model("suggestions off")
        elif self.suggester.is_ready:
            self._on_model_ready(self.suggester.model_name or "model")
        elif not self._suggest_failed:
            self.status.set_model("loading model…")

    def set_suggestions_enabled(self, on: bool) -> None:
        """The menu toggle: switch suggestions and remember the choice."""
        self.settings.set_suggestions_enabled(on)
        self._set_suggest_state(on)

    def suggestions_enabled(self) -> bool:
        return bool(self.suggester.enabled)

    def _on_model_ready(self, name: str) -> None:
        self._suggest_failed = False
        if self.suggester.enabled:
            self.status.set_model(f"model: {name}")

    def _on_model_failed(self, message: str) -> None:
        self._suggest_failed = True
        self.status.show_failure(message)
        self.acts.toggle_suggest.setChecked(False)

    def edit_settings(self) -> bool:
        prefs = dialogs.edit_settings(self, self.settings.suggest_prefs())
        if prefs is None:
            return False
        self.apply_suggest_prefs(prefs)
        return True

    def apply_suggest_prefs(self, prefs: SuggestPrefs) -> None:
        self.settings.set_suggest_prefs(prefs)
        self.suggester.set_settings(prefs.engine, delay_ms=prefs.delay_ms)
        self._set_suggest_state(prefs.enabled)

    # --- crash recovery -----------------------------------------------------------------------
    def write_recovery(self) -> int:
        """Copy modified documents to the recovery store now (the timer does it every 5 s)."""
        return self.keeper.write()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._offered_recovery:
            self._offered_recovery = True
            QTimer.singleShot(0, self.offer_recovery)

    def offer_recovery(self) -> int:
        """Offer the buffers a crashed session left; returns how many were restored."""
        return recovery_ui.offer_recovery(self)

    # --- status -------------------------------------------------------------------------------
    def _refresh_document(self, doc: Document) -> None:
        index = self.tabs.indexOf(doc.editor)
        if index < 0:
            return
        modified = doc.is_modified()
        self.tabs.setTabText(index, doc.name() + doc.disk_note + ("*" if modified else ""))
        self.tabs.setTabToolTip(index, doc.path or "not saved yet")
        self.apply_word_wrap(doc)  # its kind may have changed (opened, saved as .py)
        if doc is self.current_document():
            self._refresh_window(doc)

    def _refresh_window(self, doc: Document) -> None:
        self.apply_word_wrap(doc)  # and View ▸ Word Wrap shows this tab's
        self.setWindowTitle(f"{doc.name()}[*] — {APP_NAME}")
        self.setWindowModified(doc.is_modified())
        self.status.show_document(doc)
        for action in self.acts.newline_group.actions():
            action.setChecked(action.data() == doc.newline)
        self.acts.reopen.setEnabled(doc.path is not None)
        self._on_cursor(doc)

    def _on_current_changed(self, _index: int) -> None:
        doc = self.current_document()
        if doc is not None:
            self._refresh_window(doc)

    def _on_cursor(self, doc: Document) -> None:
        if doc is not self.current_document():
            return
        self.status.show_cursor(doc.editor.textCursor())
