"""The typing-history thread: the one owner of the `HabitsStore` while typing history is on.

`HabitsKeeper` lives in its own QThread ("ghostpen-habits", started by `habits_ui`): it loads
the store, counts the documents fed to it, saves the store and builds the read-only index the
suggestion engine reads (`HabitsStore.snapshot()`), so none of that runs in the GUI thread and
the store is never touched by two threads. It only talks through signals: `snapshot` carries a
new, never-changed `Habits` (or None: nothing to suggest from) that the GUI passes on to the
suggestion worker, `status` a `HabitsStatus` (sizes, and a message for the status bar when
something went wrong). Every signal carries the keeper's `generation`, so the controller can
drop what a keeper it already stopped still had queued.

Nothing the store raises ends the thread silently: an unexpected error in any slot turns
typing history off for this window with a message in the status bar (and one line in the log),
and `finish` always ends the thread, so the window still closes.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ghostpen.suggest.habits import HabitsError, HabitsLimits, HabitsStore, pace_this_thread


@dataclass(frozen=True)
class HabitsStatus:
    """What the Typing history dialog shows about the store."""

    entries: int | None  # words and phrases remembered (None: not loaded)
    size: int  # bytes of the file on disk
    message: str | None = None  # to tell the user (status bar): a problem or an action done
    usable: bool = True  # False: the file could not be used and is left alone; nothing is saved


log = logging.getLogger(__name__)


def _guarded(slot):
    """Run `slot`; an unexpected error stops typing history with a message, never the thread."""

    @functools.wraps(slot)
    def run(self, *args):
        try:
            return slot(self, *args)
        except Exception as exc:  # the thread must never die silently
            self._fail(exc)
            return None

    return run


class HabitsKeeper(QObject):
    """Loads, feeds, saves and forgets the store, in the thread it was moved to."""

    status = Signal(int, object)  # (generation, HabitsStatus)
    snapshot = Signal(int, object)  # (generation, Habits | None)

    def __init__(self, path, limits: HabitsLimits | None = None, generation: int = 0) -> None:
        super().__init__()
        self.path = path
        self.limits = limits
        self.generation = generation
        self.store: HabitsStore | None = None

    def _status(self, message: str | None = None, usable: bool = True) -> None:
        store = self.store
        entries = len(store) if store is not None else None
        size = store.saved_bytes if store is not None else 0
        self.status.emit(self.generation, HabitsStatus(entries, size, message, usable))

    def _publish(self) -> None:
        store = self.store
        habits = store.snapshot() if store is not None and len(store) else None
        self.snapshot.emit(self.generation, habits)

    def _fail(self, exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:300]
        log.error("typing history stopped: %s", reason)
        log.debug("typing history error", exc_info=exc)
        self.store = None
        self._status(f"Typing history is off: unexpected error ({reason})", usable=False)
        self.snapshot.emit(self.generation, None)

    @Slot()
    @_guarded
    def load(self) -> None:
        pace_this_thread()  # long feeds must leave the GUI thread the GIL (habits.py)
        try:
            self.store, message = HabitsStore.load(self.path, self.limits)
        except HabitsError as exc:
            self.store = None
            self._status(f"Typing history is off: {exc}", usable=False)
            self.snapshot.emit(self.generation, None)
            return
        self._publish()
        self._status(message)

    @Slot(object, object)
    @_guarded
    def feed(self, key: str, text: str) -> None:
        """Count a saved document (saved to disk by `persist`)."""
        if self.store is not None:
            self.store.feed(text, key=key)

    @Slot()
    @_guarded
    def persist(self) -> None:
        """Save the store if it changed, and give the engine the new counts."""
        store = self.store
        if store is None or not store.dirty:
            return
        message = None
        try:
            store.save()
            message = store.notice
        except HabitsError as exc:
            message = f"Typing history not saved: {exc}"
        self._publish()
        self._status(message)

    @Slot()
    @_guarded
    def forget(self) -> None:
        """Delete the file and empty the store ("Forget my typing history")."""
        store = self.store if self.store is not None else HabitsStore(self.path, self.limits)
        try:
            store.forget()
        except HabitsError as exc:
            self._status(f"Typing history not forgotten: {exc}", usable=self.store is not None)
            return
        self.store = store  # an empty store, usable again
        self.snapshot.emit(self.generation, None)
        self._status("Typing history forgotten.")

    @Slot()
    def finish(self) -> None:
        """Save what is left and end the thread (queued after every pending feed), even when
        saving failed."""
        try:
            self.persist()
        finally:
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())  # the GUI thread drops it once the thread ends
            QThread.currentThread().quit()
