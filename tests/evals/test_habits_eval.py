"""`ghostpen eval ksr|speed --habits-from`: the typing habits filled from other documents help
the typist, and a file that cannot be read is a one-line error."""

from __future__ import annotations

import json

from ghostpen.cli import main

LETTERS = "Dear Xyrelwick, the Quorbanite council met again. " * 12


def run_json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_ksr_with_habits_from_other_documents(capsys, tiny_model, tmp_path):
    (tmp_path / "old.md").write_text(LETTERS, encoding="utf-8")
    typed = tmp_path / "new.md"
    typed.write_text("Xyrelwick and the Quorbanite council. " * 4, encoding="utf-8")
    args = ["eval", "ksr", "--text", str(typed), "--model", str(tiny_model), "--tail-fraction",
            "1.0", "--no-adapt", "--json"]  # fmt: skip
    empty = run_json(capsys, args)
    filled = run_json(capsys, [*args, "--habits-from", str(tmp_path / "old.md")])
    assert empty["habits_entries"] == 0 and filled["habits_entries"] > 5
    assert filled["ksr"] > empty["ksr"] + 0.2  # the names and the phrase come from the habits


def test_speed_with_habits(capsys, tiny_model, tmp_path):
    (tmp_path / "old.md").write_text(LETTERS, encoding="utf-8")
    result = run_json(
        capsys,
        ["eval", "speed", "--model", str(tiny_model), "--train-steps", "0", "--keystrokes",
         "20", "--doc-chars", "100", "--habits-from", str(tmp_path / "old.md"), "--json"],
    )  # fmt: skip
    assert result["habits_entries"] > 5 and result["keystrokes"] == 20


def test_habits_from_a_missing_file(capsys, tiny_model, tmp_path):
    (tmp_path / "t.txt").write_text("some text to type " * 5, encoding="utf-8")
    for command in ("ksr", "speed"):
        flag = "--text" if command == "ksr" else "--doc-chars"
        value = str(tmp_path / "t.txt") if command == "ksr" else "50"
        rc = main(["eval", command, flag, value, "--model", str(tiny_model),
                   "--habits-from", str(tmp_path / "gone.md")])  # fmt: skip
        assert rc == 2
        err = capsys.readouterr().err.strip()
        assert "gone.md" in err and "Traceback" not in err and len(err.splitlines()) == 1
