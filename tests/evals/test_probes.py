"""`ghostpen eval probes`: bad inputs run in child processes, one JSON line each, a summary."""

from __future__ import annotations

import json

from ghostpen.evals import probes
from ghostpen.evals.probes import Outcome, Run, lost_files, refused


def lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_real_probes_pass(capsys):
    rc = probes.main(["--only", "eval-ksr-beam-negative", "editor-binary-file"])
    out = lines(capsys)
    assert rc == 0, out
    assert [o["probe"] for o in out[:2]] == ["eval-ksr-beam-negative", "editor-binary-file"]
    assert all(o["ok"] for o in out[:2]) and out[-1] == {
        "probes": 2, "ok": 2, "tracebacks": 0, "lost": 0, "skipped": 0
    }  # fmt: skip


def test_a_failing_probe_fails_the_command(capsys, monkeypatch):
    monkeypatch.setitem(probes.PROBES, "always-bad", ("a bad probe", lambda tmp: 1 / 0))
    assert probes.main(["--only", "always-bad"]) == 1
    out = lines(capsys)
    assert not out[0]["ok"] and "ZeroDivisionError" in out[0]["message"]
    assert probes.main(["--only", "no-such-probe"]) == 2


def test_the_checks():
    before = {"a": "1", "b": "2"}
    assert lost_files(before, {"a": "1"}) == ["b"]
    assert lost_files(before, {"a": "1", "b": "3"}) == ["b"]
    tb = Run(2, "", "Traceback (most recent call last):\n  x\nValueError: no", 0.1)
    assert not refused(tb, {}, {}).ok and refused(tb, {}, {}).traceback
    good = Run(2, "", "ghostpen train: --out is a file", 0.1)
    assert refused(good, {}, {}, "is a file").ok
    assert not refused(good, {}, {}, "something else").ok
    assert not refused(Run(0, "", "fine", 0.1), {}, {}).ok  # a bad input must not exit 0
    assert not refused(good, before, {"a": "1"}, "is a file").ok  # a file was lost
    assert isinstance(Outcome(True, "m"), Outcome)


def test_list(capsys):
    assert probes.main(["--list"]) == 0
    names = [line.split(":")[0] for line in capsys.readouterr().out.splitlines()]
    assert "train-into-checkpoint" in names and "editor-changed-on-disk" in names


def test_a_skipped_probe_is_not_ok_and_says_why(capsys, monkeypatch):
    monkeypatch.setitem(probes.PROBES, "needs-root", ("x", lambda tmp: probes.skip("not root")))
    assert probes.main(["--only", "needs-root"]) == 0  # skipped, not failed…
    out = lines(capsys)
    assert not out[0]["ok"] and out[0]["skipped"] == "not root"  # …and never counted as ok
    assert out[-1]["ok"] == 0 and out[-1]["skipped"] == 1


def test_the_model_folder_probes_are_registered(capsys):
    assert probes.main(["--list"]) == 0
    names = {line.split(":")[0] for line in capsys.readouterr().out.splitlines()}
    assert {
        "wordlm-build-during-training", "models-delete-during-training", "train-sigkill-resume",
        "train-disk-full", "models-meta-fifo", "train-corpus-40gb", "models-dir-root",
    } <= names  # fmt: skip
