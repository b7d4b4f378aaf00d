"""`ghostpen eval latency` with a model-free engine: it types, measures and prints JSON."""

from __future__ import annotations

import json

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
    assert 0 <= result["keystroke_to_ghost_ms_p50"] <= result["keystroke_to_ghost_ms_p95"]
    assert result["keystroke_to_ghost_ms_p95"] <= result["keystroke_to_ghost_ms_max"]
    assert result["event_loop_stall_ms_max"] >= 0


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
