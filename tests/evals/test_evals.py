"""`ghostpen eval bpc|ksr|speed` run end to end on a tiny model and print valid JSON; every eval
that takes `--text` says in one line why a file cannot be read and returns 2."""

import json
from pathlib import Path

import pytest

from ghostpen.cli import main
from ghostpen.evals.bpc import tail_start
from ghostpen.evals.ksr import matched_words
from ghostpen.textio import read_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run_json(capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


def test_eval_bpc(capsys, tiny_model):
    text = str(FIXTURES / "tiny.txt")
    plain = run_json(
        capsys,
        [
            "eval",
            "bpc",
            "--text",
            text,
            "--model",
            str(tiny_model),
            "--tail-fraction",
            "0.3",
            "--json",
        ],
    )
    assert set(plain) >= {"bpc", "chars", "model", "adapt"}
    assert plain["adapt"] is False and plain["model"] == "tiny"
    n = len(read_text(text))
    assert plain["chars"] == n - tail_start(n, 0.3)
    assert 0.0 < plain["bpc"] < 8.0
    # the batched streams score exactly what one stream does with a full warm-up
    one = run_json(
        capsys,
        [
            "eval",
            "bpc",
            "--text",
            text,
            "--model",
            str(tiny_model),
            "--tail-fraction",
            "0.3",
            "--streams",
            "1",
            "--warmup",
            "5000",
            "--json",
        ],
    )
    many = run_json(
        capsys,
        [
            "eval",
            "bpc",
            "--text",
            text,
            "--model",
            str(tiny_model),
            "--tail-fraction",
            "0.3",
            "--streams",
            "9",
            "--warmup",
            "5000",
            "--json",
        ],
    )
    assert one["bpc"] == pytest.approx(many["bpc"], abs=1e-3)
    adapted = run_json(
        capsys,
        [
            "eval",
            "bpc",
            "--text",
            text,
            "--model",
            str(tiny_model),
            "--tail-fraction",
            "0.3",
            "--adapt",
            "--json",
        ],
    )
    assert adapted["adapt"] is True and 0.0 < adapted["bpc"] < 8.0


def test_eval_ksr(capsys, tiny_model):
    result = run_json(
        capsys,
        [
            "eval",
            "ksr",
            "--text",
            str(FIXTURES / "tiny.txt"),
            "--model",
            str(tiny_model),
            "--tail-fraction",
            "0.5",
            "--limit-chars",
            "200",
            "--json",
        ],
    )
    assert set(result) >= {
        "ksr",
        "accepted",
        "mean_accept_len",
        "chars",
        "model",
        "adapt",
        "seconds",
    }
    assert result["chars"] == 200 and result["adapt"] is True
    assert 0.0 < result["ksr"] < 1.0  # the model memorised its text: some savings
    assert result["accepted"] > 0 and result["mean_accept_len"] >= 1.0
    assert 0 < result["accepted"] <= result["shown"]
    assert result["precision"] == round(result["accepted"] / result["shown"], 3)
    assert result["oracle_ksr"] >= result["ksr"]  # the ceiling of the decoder's candidates
    assert result["oracle_accepted"] > 0
    pcts = [result[f"suggest_ms_{p}"] for p in ("p50", "p90", "p95", "p99")]
    assert pcts == sorted(pcts) and pcts[0] > 0
    assert "by_position" not in result
    plain = run_json(
        capsys,
        [
            "eval",
            "ksr",
            "--text",
            str(FIXTURES / "tiny.txt"),
            "--model",
            str(tiny_model),
            "--limit-chars",
            "50",
            "--no-adapt",
            "--json",
        ],
    )
    assert plain["adapt"] is False and plain["chars"] == 50


def test_eval_ksr_by_position_and_sweep(capsys, tiny_model):
    common = ["eval", "ksr", "--text", str(FIXTURES / "tiny.txt"), "--model", str(tiny_model)]
    common += ["--tail-fraction", "0.5", "--limit-chars", "120", "--json"]
    result = run_json(capsys, [*common, "--by-position", "--no-oracle"])
    assert result["oracle_ksr"] is None
    where = result["by_position"]
    assert set(where) == {"word_start", "mid_word"}
    calls = where["word_start"]["calls"] + where["mid_word"]["calls"]
    assert calls <= result["chars"] <= calls + round(result["accepted"] * result["mean_accept_len"])
    assert where["mid_word"]["calls"] > 0 and where["word_start"]["calls"] > 0
    assert where["mid_word"]["p50"] <= where["mid_word"]["p99"]
    swept = run_json(capsys, [*common, "--sweep-confidence", "0,0.99"])
    rows = swept["sweep"]
    assert [r["min_confidence"] for r in rows] == [0.0, 0.99]
    assert rows[0]["shown"] >= rows[1]["shown"]  # a higher gate shows fewer suggestions
    ok = [r for r in rows if r["precision"] >= 0.25]
    assert swept["best_min_confidence"] == (
        max(ok, key=lambda r: r["ksr"])["min_confidence"] if ok else None
    )


def test_matched_words():
    assert matched_words(" world, and", " world. And") == (6, 1)
    assert matched_words("lo, there", "lo, where") == (3, 2)
    assert matched_words("xyz", "abc") == (0, 0)


def test_eval_speed(capsys, tiny_model):
    result = run_json(
        capsys,
        [
            "eval",
            "speed",
            "--model",
            str(tiny_model),
            "--doc-chars",
            "300",
            "--keystrokes",
            "20",
            "--train-steps",
            "1",
            "--train-batch",
            "2",
            "--train-seq",
            "5",
            "--json",
        ],
    )
    for key in ("step_ms_p50", "suggest_ms_p50", "suggest_ms_p95", "train_chars_per_s"):
        assert result[key] > 0
    assert result["keystrokes"] == 20 and result["doc_chars"] == 300


def test_eval_errors(capsys, tmp_path):
    assert (
        main(
            [
                "eval",
                "bpc",
                "--text",
                str(FIXTURES / "tiny.txt"),
                "--model",
                str(tmp_path / "nothing"),
            ]
        )
        == 2
    )
    assert "error" in capsys.readouterr().err


def _unreadable(tmp_path, kind: str) -> tuple[Path, str]:
    """(a --text argument that cannot be read, the reason the error line gives)."""
    if kind == "missing":
        return tmp_path / "missing.txt", "it does not exist"
    if kind == "folder":
        return tmp_path, "it is a folder"
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    return path, "binary file (NUL bytes)"


@pytest.mark.parametrize("kind", ["missing", "folder", "binary"])
@pytest.mark.parametrize("command", ["bpc", "ksr", "speed", "latency"])
def test_eval_text_that_cannot_be_read(capsys, tiny_model, tmp_path, command, kind):
    path, reason = _unreadable(tmp_path, kind)
    extra = {
        "bpc": ["--model", str(tiny_model)],
        "ksr": ["--model", str(tiny_model)],
        "speed": ["--model", str(tiny_model), "--train-steps", "0"],
        "latency": ["--fake-engine"],
    }[command]
    assert main(["eval", command, "--text", str(path), *extra]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"error: cannot read {path}: ")
    assert reason in lines[0]
    assert captured.out == ""


def test_eval_ksr_choices(capsys, tiny_model):
    """--choices 1 is the one-suggestion typist; --choices 3 reports acceptances by slot and
    precision per strip and per item."""
    from ghostpen.evals.ksr import take
    from ghostpen.suggest.types import Suggestion

    common = ["eval", "ksr", "--text", str(FIXTURES / "tiny.txt"), "--model", str(tiny_model)]
    common += ["--tail-fraction", "0.5", "--limit-chars", "150", "--no-oracle", "--json"]
    plain = run_json(capsys, common)
    one = run_json(capsys, [*common, "--choices", "1"])
    for key in ("ksr", "keystrokes", "accepted", "shown"):
        assert one[key] == plain[key]
    assert one["accepted_by_slot"] == [one["accepted"]] and one["shown_items"] == one["shown"]
    three = run_json(capsys, [*common, "--choices", "3", "--alt-confidence", "0"])
    assert three["choices"] == 3 and len(three["accepted_by_slot"]) == 3
    assert sum(three["accepted_by_slot"]) == three["accepted"]
    assert three["shown"] <= three["shown_items"] <= 3 * three["shown"]
    assert three["precision_items"] == round(three["accepted"] / three["shown_items"], 3)
    s = Suggestion("time, ", 0.5, "model").with_alternatives(
        [Suggestion("thing ", 0.3, "model"), Suggestion("as ", 0.2, "model")]
    )
    assert take(s, "as if", 3) == (3, 1, 2)  # Alt+3
    assert take(s, "as if", 2) == (0, 0, 0)  # slot 3 not shown
    assert take(s, "time is", 3) == (4, 1, 0)  # Ctrl+Right on slot 1's right word
    assert take(s, "time, and", 3) == (6, 1, 0)  # Tab


def test_word_baseline_offers_choices(capsys, tiny_model):
    common = ["eval", "ksr", "--text", str(FIXTURES / "tiny.txt"), "--word-baseline"]
    common += ["--tail-fraction", "0.5", "--limit-chars", "150", "--json"]
    one = run_json(capsys, common)
    three = run_json(capsys, [*common, "--choices", "3"])
    assert len(three["accepted_by_slot"]) == 3 and three["ksr"] >= one["ksr"]
