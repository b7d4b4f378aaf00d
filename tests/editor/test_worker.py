"""Suggester + SuggestionWorker with fake engines: ghosts, staleness, coalescing, failures."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from ghostpen.editor.textedit import GhostTextEdit
from ghostpen.editor.worker import Suggester
from ghostpen.model.checkpoint import CheckpointError
from ghostpen.suggest.types import EngineSettings, Suggestion


class FakeEngine:
    """Duck-typed engine: numbered suggestions; optionally blocks on `gate` in suggest()."""

    name = "fake-model"

    def __init__(self, gate: threading.Event | None = None, fail: bool = False) -> None:
        self.gate = gate
        self.fail = fail
        self.calls: list[tuple[str, str, str | None]] = []
        self.entered = threading.Event()
        self.created_in: int | None = None
        self.settings_in: list[tuple[EngineSettings, int]] = []

    def suggest(self, before: str, after: str = "", *, path: str | None = None):
        self.calls.append((before, after, path))
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        if self.fail:
            raise RuntimeError("boom")
        return Suggestion(f"call{len(self.calls)}", 0.9, "model")

    def update_settings(self, settings: EngineSettings) -> None:
        self.settings_in.append((settings, threading.get_ident()))


@pytest.fixture
def make(qtbot):
    made: list[Suggester] = []

    def make_(engine=None, factory=None, delay_ms=1, show=True):
        engine = engine if engine is not None else FakeEngine()

        def build():
            engine.created_in = threading.get_ident()
            return engine

        sugg = Suggester(factory or build, delay_ms=delay_ms)
        made.append(sugg)
        edit = GhostTextEdit()
        qtbot.addWidget(edit)
        if show:
            edit.show()
            qtbot.waitExposed(edit)
        sugg.attach(edit, lambda: "/tmp/doc.txt")
        return sugg, edit, engine

    yield make_
    for sugg in made:
        sugg.stop()
        assert not sugg._thread.isRunning()


def start(qtbot, sugg):
    with qtbot.waitSignal(sugg.ready, timeout=5000) as ready:
        sugg.start()
    return ready.args[0]


def test_typing_shows_a_ghost(qtbot, make):
    sugg, edit, engine = make()
    assert start(qtbot, sugg) == "fake-model"
    assert sugg.is_ready and sugg.model_name == "fake-model"
    qtbot.keyClicks(edit, "hello")
    qtbot.waitUntil(lambda: edit.ghost() is not None, timeout=3000)
    assert edit.ghost().text.startswith("call")
    assert engine.calls[-1] == ("hello", "", "/tmp/doc.txt")
    assert edit.toPlainText() == "hello"
    assert engine.created_in not in (None, threading.get_ident())  # built in the worker thread


def test_latency_is_reported_when_the_ghost_is_painted(qtbot, make):
    sugg, edit, _ = make()
    start(qtbot, sugg)
    with qtbot.waitSignal(sugg.latency, timeout=3000) as lat:
        qtbot.keyClicks(edit, "a")
    assert 0.0 <= lat.args[0] < 3000


def test_stale_results_are_dropped(qtbot, make):
    gate = threading.Event()
    sugg, edit, engine = make(FakeEngine(gate=gate))
    start(qtbot, sugg)
    shown: list[str | None] = []
    set_ghost = edit.set_ghost
    edit.set_ghost = lambda s: (shown.append(s and s.text), set_ghost(s))
    qtbot.keyClicks(edit, "a")
    qtbot.waitUntil(engine.entered.is_set, timeout=3000)  # call1 computes for "a"
    qtbot.keyClicks(edit, "b")  # the text moves on while the worker is busy
    gate.set()  # call1 (for "a") finishes, then call2 (for "ab") runs
    qtbot.waitUntil(lambda: edit.ghost() is not None, timeout=3000)
    assert len(engine.calls) == 2
    assert "call1" not in shown  # computed for an older revision: never shown
    assert edit.ghost().text == "call2"
    assert engine.calls[-1][0] == "ab"


def test_requests_are_coalesced(qtbot, make):
    gate = threading.Event()
    sugg, edit, engine = make(FakeEngine(gate=gate), delay_ms=0)
    start(qtbot, sugg)
    qtbot.keyClicks(edit, "x")
    qtbot.waitUntil(engine.entered.is_set, timeout=3000)
    for ch in "the quick brown fox jumps":  # each key gets its own debounce timeout
        qtbot.keyClicks(edit, ch)
        qtbot.waitUntil(lambda: not sugg._timer.isActive(), timeout=1000)  # posted
        assert sugg._mailbox._item is not None  # waiting behind the busy worker...
        assert len(engine.calls) == 1  # ...which is still in the first call
    gate.set()
    qtbot.waitUntil(lambda: edit.ghost() is not None, timeout=3000)
    assert len(engine.calls) <= 3  # the first, maybe one in flight, then the newest
    assert len(engine.calls) == 2  # here: the first (held by the gate), then the newest
    assert engine.calls[-1][0] == "xthe quick brown fox jumps"


def test_debounce_merges_a_burst(qtbot, make):
    sugg, edit, engine = make(delay_ms=15)
    start(qtbot, sugg)
    qtbot.keyClicks(edit, "a burst of keys")  # no event loop in between
    qtbot.waitUntil(lambda: edit.ghost() is not None, timeout=3000)
    assert len(engine.calls) == 1


def test_a_key_after_a_pause_is_not_delayed(qtbot, make):
    sugg, edit, engine = make(delay_ms=1500)
    start(qtbot, sugg)
    qtbot.keyClicks(edit, "a")  # after a quiet spell: goes out on the next event-loop pass
    assert sugg._timer.isActive() and sugg._timer.interval() == 0
    qtbot.waitUntil(lambda: len(engine.calls) == 1, timeout=3000)
    qtbot.keyClicks(edit, "b")  # right after a request: waits for the typing to pause
    assert sugg._timer.isActive() and sugg._timer.interval() == 1500
    qtbot.waitUntil(lambda: len(engine.calls) == 2, timeout=6000)
    assert engine.calls[-1][0] == "ab"


def test_load_failure_turns_suggestions_off(qtbot, make):
    def factory():
        raise CheckpointError("/nowhere/meta.json: missing; is /nowhere a ghostpen checkpoint?")

    sugg, edit, _ = make(factory=factory)
    with qtbot.waitSignal(sugg.failed, timeout=5000) as failed:
        sugg.start()
    assert "meta.json: missing" in failed.args[0]
    assert not sugg.enabled and not sugg.is_ready
    assert sugg.last_error == failed.args[0]
    assert not edit.suggestions_enabled()
    qtbot.keyClicks(edit, "still edits")
    assert edit.toPlainText() == "still edits"
    with qtbot.waitSignal(sugg.failed, timeout=1000):
        sugg.set_enabled(True)  # no model: stays off, says why again
    assert not sugg.enabled


def test_engine_exception_turns_suggestions_off(qtbot, make):
    sugg, edit, _ = make(FakeEngine(fail=True))
    start(qtbot, sugg)
    with qtbot.waitSignal(sugg.failed, timeout=3000) as failed:
        qtbot.keyClicks(edit, "x")
    assert "RuntimeError: boom" in failed.args[0]
    assert not sugg.enabled and edit.ghost() is None
    qtbot.keyClicks(edit, "yz")
    assert edit.toPlainText() == "xyz"


def test_settings_go_to_the_worker_thread(qtbot, make):
    sugg, edit, engine = make()
    start(qtbot, sugg)
    new = EngineSettings(max_chars=10, stop_at="line")
    sugg.set_settings(new, delay_ms=5)
    qtbot.waitUntil(lambda: bool(engine.settings_in), timeout=3000)
    assert engine.settings_in[0][0] == new
    assert engine.settings_in[0][1] not in (threading.get_ident(), None)
    assert sugg.delay_ms == 5


def test_disable_and_detach(qtbot, make):
    sugg, edit, engine = make()
    start(qtbot, sugg)
    sugg.set_enabled(False)
    qtbot.keyClicks(edit, "abc")
    assert not sugg._timer.isActive() and sugg._mailbox._item is None  # nothing requested
    assert not engine.calls and edit.ghost() is None
    sugg.set_enabled(True)
    qtbot.keyClicks(edit, "d")
    qtbot.waitUntil(lambda: edit.ghost() is not None, timeout=3000)
    assert [c[0] for c in engine.calls] == ["abcd"]  # none was computed while off
    other = GhostTextEdit()
    qtbot.addWidget(other)
    sugg.attach(other, lambda: None)
    sugg.detach(edit)
    n = len(engine.calls)
    qtbot.keyClicks(edit, "e")
    qtbot.keyClicks(other, "q")
    qtbot.waitUntil(lambda: other.ghost() is not None, timeout=3000)
    assert edit.ghost() is None
    assert len(engine.calls) == n + 1 and engine.calls[-1] == ("q", "", None)


def test_stop_is_clean_and_idempotent(qtbot):
    sugg = Suggester(lambda: FakeEngine())
    sugg.stop()  # never started
    sugg2 = Suggester(lambda: FakeEngine())
    with qtbot.waitSignal(sugg2.ready, timeout=5000):
        sugg2.start()
    edit = GhostTextEdit()
    qtbot.addWidget(edit)
    sugg2.attach(edit, lambda: None)
    qtbot.keyClick(edit, Qt.Key.Key_A)
    sugg2.stop()
    sugg2.stop()
    assert not sugg2._thread.isRunning()
    assert sugg2._worker.engine is None
    qtbot.keyClicks(edit, "bc")  # the editor outlives the worker
    assert edit.toPlainText() == "abc"
