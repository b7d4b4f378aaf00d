"""`ghostpen eval latency` with a model-free engine: it types, measures and prints JSON."""

from __future__ import annotations

import json
import time

from ghostpen.evals import latency as eval_latency

KEYS = (
    "keystroke_to_ghost_ms_p50",
    "keystroke_to_ghost_ms_p95",
    "keystroke_to_ghost_ms_max",
    "event_loop_stall_ms_max",
    "suggestions_shown",
    "keystrokes",
    "model",
)


def test_measure_latency_with_a_fake_engine(qapp, fixtures_dir):
    text = (fixtures_dir / "tiny.txt").read_text(encoding="utf-8")
    result = eval_latency.measure_latency(
        text, eval_latency.FakeEngine, prefix=600, chars=40, cps=30
    )  # slower than the 15 ms debounce
    assert set(KEYS) <= set(result)
    assert result["keystrokes"] == 40
    assert result["model"] == eval_latency.FakeEngine.name
    assert result["suggestions_shown"] > 0  # the fake completes words seen earlier
    assert result["suggestions_shown"] <= result["ghosts_shown"] <= result["keystrokes"]
    # a paint after its key press (0 or less: the paint time or the key time is wrong)
    assert 0 < result["keystroke_to_ghost_ms_p50"] <= result["keystroke_to_ghost_ms_p95"]
    assert result["keystroke_to_ghost_ms_p95"] <= result["keystroke_to_ghost_ms_max"]
    assert result["engine_ms_p50"] is not None  # the worker computed for the typed keys
    assert result["window"] == "MainWindow"  # the real window, as `ghostpen edit` builds it


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]
    assert eval_latency._percentile(values, 0.50) == 50.0
    assert eval_latency._percentile(values, 0.95) == 95.0
    assert eval_latency._percentile([3.0], 0.95) == 3.0
    assert eval_latency._percentile([], 0.5) is None


def test_a_gui_stall_is_measured(qapp, fixtures_dir, monkeypatch):
    # one key press holds the GUI thread for 80 ms: the stall meter must see it
    from ghostpen.editor.textedit import GhostTextEdit

    original = GhostTextEdit.keyPressEvent
    presses = []

    def slow_key(self, event):
        presses.append(1)
        if len(presses) == 5:
            end = time.perf_counter() + 0.080
            while time.perf_counter() < end:  # busy: a stall, not a wait
                pass
        original(self, event)

    monkeypatch.setattr(GhostTextEdit, "keyPressEvent", slow_key)
    text = (fixtures_dir / "tiny.txt").read_text(encoding="utf-8")
    result = eval_latency.measure_latency(
        text, eval_latency.FakeEngine, prefix=300, chars=10, cps=30
    )
    assert len(presses) >= 10
    assert result["event_loop_stall_ms_max"] >= 60
    assert result["event_loop_stalls_over_16ms"] >= 1


def test_command_prints_json(qapp, fixtures_dir, capsys):
    rc = eval_latency.main(
        [
            "--fake-engine",
            "--text",
            str(fixtures_dir / "tiny.txt"),
            "--prefix",
            "300",
            "--chars",
            "10",
            "--cps",
            "200",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    result = json.loads(out)
    assert set(KEYS) <= set(result) and result["keystrokes"] == 10


def test_bad_inputs_say_why(qapp, fixtures_dir, tmp_path, capsys, monkeypatch):
    tiny = str(fixtures_dir / "tiny.txt")
    assert eval_latency.main(["--fake-engine", "--text", tiny, "--chars", "5000"]) == 2
    assert "need" in capsys.readouterr().err
    assert eval_latency.main(["--fake-engine", "--text", str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)  # no ../shared/data/nietzsche.txt from here
    assert eval_latency.main(["--fake-engine"]) == 2
    assert "--text" in capsys.readouterr().err


def test_a_broken_model_is_an_error(qapp, fixtures_dir, tmp_path, capsys):
    rc = eval_latency.main(
        [
            "--model",
            str(tmp_path),
            "--text",
            str(fixtures_dir / "tiny.txt"),
            "--prefix",
            "100",
            "--chars",
            "5",
        ]
    )
    assert rc == 1
    assert "could not load the model" in capsys.readouterr().err
