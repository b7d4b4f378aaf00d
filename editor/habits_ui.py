"""Suggestions ▸ Typing history…: remember the words and phrases of saved documents (opt-in).

`HabitsController` is attached to the window by `app.build_app`. While typing history is on
(`HabitsPrefs.enabled`, off by default) it runs a `habits_keeper.HabitsKeeper` in its own
thread. Each successful save of a document that is not excluded (`window.document_saved`)
keeps its text (the last one per path); PERSIST_DELAY_MS after the last save, the texts go to
the keeper to be counted, and it saves the store and sends the suggestion worker a fresh
read-only index (`Suggester.set_habits`). The delay also keeps the counting (paced, see
`habits.pace_this_thread`) from competing with the window's own work right after a save.
Nothing of it runs in the GUI thread but the exclusion check. Closing the window (or turning
typing history off) saves what is pending and stops the thread. `HabitsDialog` explains what is
stored and where, edits the exclusions, shows the size and forgets the history (after asking).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ghostpen.editor import dialogs
from ghostpen.editor.habits_keeper import HabitsKeeper, HabitsStatus
from ghostpen.editor.habits_state import (
    HabitsPrefs,
    describe_disk,
    describe_size,
    format_types,
    parse_folders,
    parse_types,
)
from ghostpen.suggest.habits import MAX_PHRASE, HabitsLimits, default_path

PERSIST_DELAY_MS = 2000  # after the last save, the store is written and the engine updated
STOP_TIMEOUT_MS = 20_000  # closing waits this long at most for the keeper's last save
_STUCK: list = []  # keeper threads that did not stop in time (kept alive, never destroyed)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class HabitsController(QObject):
    """The typing history of one window: settings, the keeper thread, the menu entry."""

    status_changed = Signal(object)  # HabitsStatus, in the GUI thread

    _feed = Signal(object, object)  # (path, text) to the keeper
    _persist = Signal()
    _forget = Signal()
    _finish = Signal()

    def __init__(self, window, path=None, limits: HabitsLimits | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.path = Path(path) if path is not None else default_path()
        self.limits = limits or HabitsLimits()
        self.prefs = window.settings.habits_prefs()
        self.last_status = HabitsStatus(None, _file_size(self.path))
        self._thread: QThread | None = None
        self._keeper: HabitsKeeper | None = None
        self._generation = 0
        self.dialog: HabitsDialog | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PERSIST_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._pending: dict[str, str] = {}  # path -> text saved, not yet sent to the keeper
        menu = getattr(getattr(window, "acts", None), "menus", None)
        menu = getattr(menu, "suggest", None) or window.menuBar().addMenu("&Suggestions")
        self.action = menu.addAction("&Typing history…", self.open_dialog)
        self.action.setObjectName("typing_history")
        window.document_saved.connect(self.on_saved)
        window.closed.connect(self.stop)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        if self.prefs.enabled:
            self._start()

    # -- the keeper thread -------------------------------------------------------------------
    def running(self) -> bool:
        return self._thread is not None

    def _start(self) -> None:
        self._generation += 1
        thread = QThread()
        thread.setObjectName("ghostpen-habits")
        keeper = HabitsKeeper(self.path, self.limits, self._generation)
        keeper.moveToThread(thread)
        thread.started.connect(keeper.load)
        self._feed.connect(keeper.feed)
        self._persist.connect(keeper.persist)
        self._forget.connect(keeper.forget)
        self._finish.connect(keeper.finish)
        keeper.status.connect(self._on_status)
        keeper.snapshot.connect(self._on_snapshot)
        self._thread, self._keeper = thread, keeper
        thread.start()

    def stop(self) -> None:
        """Save what is pending and stop the keeper thread (safe to call twice)."""
        self._timer.stop()
        thread, keeper = self._thread, self._keeper
        if thread is None:
            return
        self._send_pending()
        self._finish.emit()  # after every queued feed: persist, then quit the thread
        stuck = not thread.wait(STOP_TIMEOUT_MS)
        if stuck:  # never hang the window's close: let the thread be, say so
            _STUCK.append((thread, keeper))
            message = (
                "Typing history: the last words may not be saved (its thread did not finish "
                f"within {STOP_TIMEOUT_MS / 1000:g} s)"
            )
            logging.getLogger(__name__).error(message)
            self.window.status.showMessage(message, 10000)
        for signal in (self._feed, self._persist, self._forget, self._finish):
            signal.disconnect()
        self._thread = self._keeper = None
        self._generation += 1  # what the stopped keeper still had queued is dropped
        store = None if stuck else keeper.store
        self.last_status = HabitsStatus(None, store.saved_bytes if store else 0)
        self.window.suggester.set_habits(None)
        self.status_changed.emit(self.last_status)

    @Slot(int, object)
    def _on_snapshot(self, generation: int, habits) -> None:
        if generation == self._generation and self.prefs.enabled:
            self.window.suggester.set_habits(habits)

    @Slot(int, object)
    def _on_status(self, generation: int, status: HabitsStatus) -> None:
        if generation != self._generation:
            return
        self.last_status = status
        if status.message:
            self.window.status.showMessage(status.message, 10000)
        self.status_changed.emit(status)

    # -- what the window and the dialog call -----------------------------------------------
    @Slot(str, str)
    def on_saved(self, path: str, text: str) -> None:
        """A document was saved: remember its words unless off or excluded."""
        if self._keeper is None or not self.prefs.enabled or self.prefs.excludes(path):
            return
        self._pending[path] = text
        self._timer.start()

    def _send_pending(self) -> None:
        pending, self._pending = self._pending, {}
        for path, text in pending.items():
            self._feed.emit(path, text)

    @Slot()
    def flush(self) -> None:
        """Count what was saved, save the store and update the engine now (the timer calls
        this PERSIST_DELAY_MS after the last save)."""
        if self._keeper is not None:
            self._timer.stop()
            self._send_pending()
            self._persist.emit()

    def set_prefs(self, prefs: HabitsPrefs) -> None:
        self.prefs = prefs
        self.window.settings.set_habits_prefs(prefs)
        if prefs.enabled and self._thread is None:
            self._start()
        elif not prefs.enabled and self._thread is not None:
            self.stop()

    def forget(self) -> None:
        """Delete the history file and empty the store; suggestions from it stop now."""
        self.window.suggester.set_habits(None)
        self._pending.clear()
        if self._keeper is not None:
            self._timer.stop()
            self._forget.emit()  # the keeper reports with `status`
            return
        from ghostpen.suggest.habits import HabitsError, HabitsStore

        try:
            HabitsStore(self.path, self.limits).forget()
        except HabitsError as exc:
            self._on_status(self._generation, HabitsStatus(None, _file_size(self.path), str(exc)))
            return
        self._on_status(self._generation, HabitsStatus(None, 0, "Typing history forgotten."))

    def open_dialog(self) -> HabitsDialog:
        if self.dialog is None:
            self.dialog = HabitsDialog(self)
        self.dialog.reload()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog


class HabitsDialog(QDialog):
    """The Typing history settings: on/off, what is stored and where, exclusions, Forget."""

    def __init__(self, controller: HabitsController) -> None:
        super().__init__(controller.window)
        self.controller = controller
        self.setWindowTitle("Typing history")
        layout = QVBoxLayout(self)
        self.enabled = QCheckBox("Remember my typing habits")
        self.enabled.setObjectName("habits_enabled")
        limits = controller.limits
        self.explain = QLabel(
            "When this is on, ghostpen remembers the <b>words and short phrases</b> (up to "
            f"{MAX_PHRASE} words) of every document you save, and suggests them in any "
            "document, so names and phrases you typed last week are suggested today.<br><br>"
            "It never keeps the text itself: only single words and phrases with how often you "
            "used them. Words that look like passwords, keys, hashes or long numbers are "
            "skipped, and so are the file types and folders below. At most "
            f"{limits.max_words:,} words and {limits.max_phrases:,} phrases are kept "
            f"({limits.max_bytes / 1e6:.0f} MB); when it is full, old habits fade and the "
            "rarest are dropped.<br><br>"
            f"The history is one file on this computer, <tt>{controller.path}</tt>, readable "
            "only by you; nothing leaves the machine. Turning this off stops remembering and "
            "suggesting; the file stays until you forget it."
        )
        self.explain.setWordWrap(True)
        self.explain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.size_label = QLabel()
        self.size_label.setObjectName("habits_size")
        self.size_label.setWordWrap(True)
        form = QFormLayout()
        self.types = QLineEdit()
        self.types.setToolTip(
            "Comma-separated: an ending (.pem), a glob on the file name (id_rsa*) or a name"
        )
        self.folders = QPlainTextEdit()
        self.folders.setToolTip("One folder a line; every file under it is left out")
        self.folders.setFixedHeight(64)
        add = QPushButton("Add folder…")
        add.setAutoDefault(False)
        add.clicked.connect(self.add_folder)
        folders = QVBoxLayout()
        folders.addWidget(self.folders)
        folders.addWidget(add)
        form.addRow("Never remember files of type:", self.types)
        form.addRow("Never remember files in:", folders)
        self.forget_button = QPushButton("Forget my typing history…")
        self.forget_button.setObjectName("habits_forget")
        self.forget_button.setAutoDefault(False)
        self.forget_button.clicked.connect(self.forget)
        row = QHBoxLayout()
        row.addWidget(self.size_label, 1)
        row.addWidget(self.forget_button)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for item in (self.enabled, self.explain):
            layout.addWidget(item)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(buttons)
        controller.status_changed.connect(self.show_status)
        self.resize(620, 0)

    def reload(self) -> None:
        prefs = self.controller.prefs
        self.enabled.setChecked(prefs.enabled)
        self.types.setText(format_types(prefs.excluded_types))
        self.types.setCursorPosition(0)  # show the start of a long list
        self.folders.setPlainText("\n".join(prefs.excluded_folders))
        self.show_status(self.controller.last_status)

    def prefs(self) -> HabitsPrefs:
        return replace(
            self.controller.prefs,
            enabled=self.enabled.isChecked(),
            excluded_types=parse_types(self.types.text()),
            excluded_folders=parse_folders(self.folders.toPlainText()),
        )

    @Slot(object)
    def show_status(self, status: HabitsStatus) -> None:
        if not status.usable and status.message:
            text = status.message
        elif status.entries is not None:
            text = describe_size(status.entries, status.size)
        elif self.controller.path.exists():
            text = f"{describe_disk(_file_size(self.controller.path))} on disk (not in use now)"
        else:
            text = "Nothing remembered."
        self.size_label.setText(text)

    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Never remember files in")
        if folder:
            text = self.folders.toPlainText().rstrip("\n")
            self.folders.setPlainText(f"{text}\n{folder}" if text else folder)

    def forget(self) -> bool:
        if not dialogs.ask_yes_no(
            self,
            "Forget my typing history",
            "Delete every word and phrase ghostpen has remembered from your documents "
            f"({self.controller.path})? This cannot be undone.",
        ):
            return False
        self.controller.forget()
        return True

    def accept(self) -> None:
        self.controller.set_prefs(self.prefs())
        super().accept()
