"""The suggestion worker thread and its GUI-thread controller.

`SuggestionWorker` lives in one long-lived QThread: it loads the engine there (numpy weights,
no MXNet, so the GUI thread never waits for a model) and computes suggestions, emitting
signals only. `Suggester`
lives in the GUI thread: it debounces the editors' `suggestionWanted` with a single-shot
QTimer (only changes that come faster than the delay wait for it; see `_on_wanted`), reads
`context()` and posts the request into a one-slot mailbox the worker empties (so only the
newest pending request runs), and shows results whose revision is still the editor's
current one. A failure (model missing or corrupt, an exception in the engine) emits
`failed` and turns suggestions off; the editor keeps working.

`Suggester.switch_model(factory)` changes the model live: the worker builds the new engine in
its own thread (with fresh caches) and swaps it in; until then the old one keeps suggesting,
and if the new one fails to load the old one stays (`switch_failed`).

`Suggester.set_habits(habits)` hands the typing habits (a read-only `habits_index.Habits`, or
None) to the worker, which gives them to its engine and to every engine it loads later.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

from ghostpen.editor.textedit import GhostTextEdit
from ghostpen.model.checkpoint import CheckpointError
from ghostpen.suggest.html.close import is_markup_path
from ghostpen.suggest.types import EngineSettings, Suggestion
from ghostpen.suggest.window import before_size

log = logging.getLogger(__name__)

DEFAULT_DELAY_MS = 15


@dataclass(frozen=True)
class Request:
    """What the worker needs to compute one suggestion."""

    doc_id: int
    revision: int
    before: str
    after: str
    path: str | None


class _Mailbox:
    """A single slot: put() replaces what is waiting, take() empties it (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: Request | None = None

    def put(self, item: Request) -> bool:
        """Store `item`; True when the slot was empty (the worker needs a wake-up)."""
        with self._lock:
            was_empty = self._item is None
            self._item = item
            return was_empty

    def take(self) -> Request | None:
        with self._lock:
            item, self._item = self._item, None
            return item


def checkpoint_engine(
    model_path: str | None = None, settings: EngineSettings | None = None
) -> Callable[[], object]:
    """The zero-argument callable the worker thread calls to build the engine: the checkpoint
    at `model_path` (None: the bundled model) with `settings`. Raises CheckpointError."""

    def make():
        from ghostpen.suggest.engine import SuggestionEngine

        return SuggestionEngine.from_checkpoint(model_path, settings)

    return make


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, (CheckpointError, FileNotFoundError)):
        return text
    return f"{type(exc).__name__}: {text}"


class SuggestionWorker(QObject):
    """Creates the engine and computes suggestions, in the thread it was moved to."""

    ready = Signal(str)  # model name, once loaded
    failed = Signal(str)  # a clear message
    result = Signal(int, int, object, float)  # (doc id, revision, Suggestion | None, compute ms)
    switch_failed = Signal(str)  # a clear message; the previous engine is kept

    def __init__(
        self,
        engine_factory: Callable[[], object],
        mailbox: _Mailbox,
        settings: EngineSettings | None = None,
    ) -> None:
        super().__init__()
        self._factory = engine_factory
        self._mailbox = mailbox
        self._settings = settings
        self._settings_dirty = False
        self.engine = None
        self._broken = False  # load failed or the engine raised: ignore requests
        self._habits = None  # the typing habits every engine gets (read-only) or None

    @Slot()
    def load(self) -> None:
        try:
            engine = self._factory()
            if self._settings_dirty and self._settings is not None:
                engine.update_settings(self._settings)
            self._give_habits(engine)
            name = str(getattr(engine, "name", "") or "model")
        except Exception as exc:  # noqa: BLE001 - reported to the user, editor goes on
            log.debug("engine failed to load:\n%s", traceback.format_exc())
            self._broken = True
            self.failed.emit(f"Suggestions are off: could not load the model: {_describe(exc)}")
            return
        self.engine = engine
        self.ready.emit(name)

    @Slot(object)
    def switch(self, factory: Callable[[], object]) -> None:
        """Build the engine of another model here, in the worker thread, and swap it in."""
        try:
            engine = factory()
            if self._settings is not None:
                engine.update_settings(self._settings)
            self._give_habits(engine)
            name = str(getattr(engine, "name", "") or "model")
        except Exception as exc:  # noqa: BLE001 - reported; the old engine stays
            self.switch_failed.emit(f"Could not switch the model: {_describe(exc)}")
            return
        self._factory, self.engine, self._broken = factory, engine, False
        self.ready.emit(name)

    @Slot()
    def process(self) -> None:
        request = self._mailbox.take()  # the newest request; older ones were replaced
        if request is None or self.engine is None or self._broken:
            return
        t0 = time.perf_counter()
        try:
            suggestion = self.engine.suggest(request.before, request.after, path=request.path)
        except Exception as exc:  # noqa: BLE001
            log.warning("suggestion engine failed:\n%s", traceback.format_exc())
            self._broken = True
            self.failed.emit(
                f"Suggestions are off: the suggestion engine failed ({_describe(exc)})"
            )
            return
        ms = (time.perf_counter() - t0) * 1000.0
        if suggestion is not None and not isinstance(suggestion, Suggestion):
            suggestion = None
        self.result.emit(request.doc_id, request.revision, suggestion, ms)

    @Slot(object)
    def apply_settings(self, settings: EngineSettings) -> None:
        self._settings = settings
        if self.engine is None:
            self._settings_dirty = True
            return
        try:
            self.engine.update_settings(settings)
        except Exception as exc:  # noqa: BLE001
            self._broken = True
            self.failed.emit(f"Suggestions are off: bad settings ({_describe(exc)})")

    def _give_habits(self, engine) -> None:
        setter = getattr(engine, "set_habits", None)  # test engines may have none
        if setter is not None:
            setter(self._habits)

    @Slot(object)
    def set_habits(self, habits) -> None:
        self._habits = habits
        if self.engine is not None:
            self._give_habits(self.engine)

    @Slot()
    def resume(self) -> None:
        """Suggestions were switched back on after an engine exception: try again."""
        if self.engine is not None:
            self._broken = False

    def release(self) -> None:
        """Drop the engine (called in the worker thread as it finishes)."""
        self.engine = None


class Suggester(QObject):
    """GUI-thread controller: owns the worker thread, debounces requests, shows results."""

    ready = Signal(str)
    failed = Signal(str)
    latency = Signal(float)  # ms from the request (last edit) to the ghost being painted
    switch_failed = Signal(str)  # switch_model could not load the model (the old one stays)

    _wake = Signal()
    _switch = Signal(object)
    _settings_changed = Signal(object)
    _resume = Signal()
    _habits_changed = Signal(object)

    def __init__(
        self,
        engine_factory: Callable[[], object] | None = None,
        settings: EngineSettings | None = None,
        delay_ms: int = DEFAULT_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings or EngineSettings()
        self.enabled = True
        self.model_name: str | None = None
        self.is_ready = False
        self.last_error: str | None = None
        self._load_failed = False
        self._delay_ms = max(0, int(delay_ms))
        self._factory = engine_factory or checkpoint_engine(None, settings)
        self._mailbox = _Mailbox()
        self._edits: dict[int, tuple[GhostTextEdit, Callable[[], str | None]]] = {}
        self._ids: dict[int, int] = {}  # id(edit) -> doc id
        self._next_id = 1
        self._pending: GhostTextEdit | None = None  # editor waiting for the debounce timer
        self._wanted_at: dict[int, float] = {}  # doc id -> perf_counter of its last change
        self._shown: dict[int, tuple[int, float]] = {}  # doc id -> (revision, request time)
        self._started = False
        self._stopped = False
        self._last_post = 0.0  # perf_counter of the last request sent to the worker
        self._switching = False  # switch_model asked for another engine; not loaded yet

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._post)

        self._thread = QThread()
        self._thread.setObjectName("ghostpen-suggestions")
        self._worker = SuggestionWorker(self._factory, self._mailbox, settings)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.load)
        self._thread.finished.connect(self._worker.release, Qt.ConnectionType.DirectConnection)
        self._wake.connect(self._worker.process)
        self._settings_changed.connect(self._worker.apply_settings)
        self._resume.connect(self._worker.resume)
        self._habits_changed.connect(self._worker.set_habits)
        self._switch.connect(self._worker.switch)
        self._worker.switch_failed.connect(self.switch_failed)
        self._worker.ready.connect(self._on_ready)
        self._worker.failed.connect(self._on_failed)
        self._worker.result.connect(self._on_result)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker thread; the model loads there while the window is usable."""
        if self._started or self._stopped:
            return
        self._started = True
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker thread (quit + wait); safe to call twice."""
        self._timer.stop()
        self._stopped = True
        for edit, _ in list(self._edits.values()):
            edit.clear_ghost()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    def switch_model(self, factory: Callable[[], object]) -> None:
        """Suggest with the engine `factory` builds (in the worker thread) from now on; `ready`
        names it once loaded. With the worker not started yet, it is the one `start` loads."""
        for edit, _ in self._edits.values():
            edit.clear_ghost()
        self._factory = factory
        self._switching = True
        if not self._started or self._stopped:
            self._worker._factory = factory
            return
        self._switch.emit(factory)

    # -- editors -----------------------------------------------------------------------------
    def attach(self, edit: GhostTextEdit, path_getter: Callable[[], str | None]) -> None:
        if id(edit) in self._ids:
            self._edits[self._ids[id(edit)]] = (edit, path_getter)
            return
        doc_id = self._next_id
        self._next_id += 1
        self._ids[id(edit)] = doc_id
        self._edits[doc_id] = (edit, path_getter)
        edit.set_suggestions_enabled(self.enabled)
        edit.suggestionWanted.connect(self._on_wanted)
        edit.ghostPainted.connect(self._on_painted)
        edit.destroyed.connect(functools.partial(self._forget, id(edit)))

    def detach(self, edit: GhostTextEdit) -> None:
        doc_id = self._ids.get(id(edit))
        if doc_id is None:
            return
        for signal, slot in (
            (edit.suggestionWanted, self._on_wanted),
            (edit.ghostPainted, self._on_painted),
        ):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        edit.clear_ghost()
        self._forget(id(edit))

    def _forget(self, key: int, *_destroyed) -> None:
        doc_id = self._ids.pop(key, None)
        if doc_id is None:
            return
        entry = self._edits.pop(doc_id, None)
        self._wanted_at.pop(doc_id, None)
        self._shown.pop(doc_id, None)
        if entry is not None and self._pending is entry[0]:
            self._pending = None

    # -- settings ----------------------------------------------------------------------------
    def set_enabled(self, on: bool) -> None:
        on = bool(on)
        if on and self._load_failed:  # no model: stay off and say why again
            self.enabled = False
            self.failed.emit(self.last_error or "Suggestions are off: no model")
            return
        if on and not self.enabled:
            self._resume.emit()
        self.enabled = on
        if not on:
            self._timer.stop()
            self._pending = None
        for edit, _ in self._edits.values():
            edit.set_suggestions_enabled(on)

    def set_settings(self, settings: EngineSettings, delay_ms: int | None = None) -> None:
        self.settings = settings
        if delay_ms is not None:
            self._delay_ms = max(0, int(delay_ms))
        for edit, _ in self._edits.values():
            edit.clear_ghost()  # it may break the new settings (length, sources)
        self._settings_changed.emit(settings)

    def set_habits(self, habits) -> None:
        """Suggest from these typing habits (a read-only `habits_index.Habits`) or none."""
        if habits is None:
            for edit, _ in self._edits.values():
                edit.clear_ghost()  # it may have come from the habits forgotten now
        self._habits_changed.emit(habits)

    @property
    def delay_ms(self) -> int:
        return self._delay_ms

    # -- requests and results ------------------------------------------------------------
    @Slot()
    def _on_wanted(self) -> None:
        edit = self.sender()
        doc_id = self._ids.get(id(edit)) if edit is not None else None
        if doc_id is None or not self.enabled or self._stopped:
            return
        now = time.perf_counter()
        self._wanted_at[doc_id] = now
        self._pending = edit
        # Debounce: a change that follows the last request by less than delay_ms waits for the
        # typing to pause; a change after a quiet spell (slow typing) goes out on the next
        # event-loop pass, so it adds no latency (both emissions of one keystroke merge).
        if self._timer.isActive():
            if self._timer.interval() == 0:
                return  # already going out on this pass
            self._timer.start(self._delay_ms)
        elif (now - self._last_post) * 1000.0 >= self._delay_ms:
            self._timer.start(0)
        else:
            self._timer.start(self._delay_ms)

    @Slot()
    def _post(self) -> None:
        self._last_post = time.perf_counter()
        edit, self._pending = self._pending, None
        doc_id = self._ids.get(id(edit)) if edit is not None else None
        if doc_id is None or not self.enabled or self._stopped:
            return
        if edit.textCursor().hasSelection() or not edit.suggestions_enabled():
            return
        _, path_getter = self._edits[doc_id]
        try:
            path = path_getter() if path_getter is not None else None
        except Exception:  # noqa: BLE001 - a path is only a hint
            path = None
        markup = path is not None and is_markup_path(str(path)) is not None
        before, after, revision = edit.context(before_size(markup))
        request = Request(doc_id, revision, before, after, None if path is None else str(path))
        if self._mailbox.put(request):
            self._wake.emit()

    @Slot(int, int, object, float)
    def _on_result(self, doc_id: int, revision: int, suggestion, compute_ms: float) -> None:
        entry = self._edits.get(doc_id)
        if entry is None or not self.enabled or self._stopped:
            return
        edit = entry[0]
        if revision != edit.revision():
            return  # stale: the text or the cursor moved since the request
        if suggestion is not None:
            self._shown[doc_id] = (revision, self._wanted_at.get(doc_id, time.perf_counter()))
        edit.set_ghost(suggestion)

    @Slot(int, int)
    def _on_painted(self, revision: int, local: int) -> None:
        edit = self.sender()
        doc_id = self._ids.get(id(edit)) if edit is not None else None
        shown = self._shown.get(doc_id) if doc_id is not None else None
        if local or shown is None or shown[0] != revision:
            return
        del self._shown[doc_id]
        self.latency.emit((edit.ghost_painted_at - shown[1]) * 1000.0)

    @Slot(str)
    def _on_ready(self, name: str) -> None:
        self.model_name = name
        self.is_ready = True
        self.last_error = None
        self._load_failed = False
        if self._switching:
            self._switching = False
            for edit, _ in self._edits.values():
                edit.clear_ghost()  # it came from the previous model
        self.ready.emit(name)  # requests posted while loading are still in the mailbox

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.last_error = message
        if not self.is_ready:
            self._load_failed = True
        self.set_enabled(False)
        self.failed.emit(message)
