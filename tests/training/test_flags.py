"""Every numeric flag of `ghostpen train` and `ghostpen eval speed` refuses a bad value up front
(a usage error naming the flag), and `eval speed` says so for an empty text."""

from __future__ import annotations

import pytest

from ghostpen.cli import main

TRAIN_BAD = [
    ("--lr", "nan"),
    ("--lr", "0"),
    ("--clip", "inf"),
    ("--batch-size", "0"),
    ("--seq-len", "-1"),
    ("--epochs", "0"),
    ("--embed", "x"),
    ("--hidden", "0"),
    ("--layers", "0"),
    ("--dropout", "1"),
    ("--minutes", "-1"),
    ("--weight-decay", "-0.1"),
    ("--patience", "0"),
    ("--valid-fraction", "0"),
    ("--valid-fraction", "1"),
    ("--valid-every", "-5"),
    ("--seed", "-1"),
    ("--threads", "0"),
]
SPEED_BAD = [
    ("--train-batch", "0"),
    ("--train-seq", "0"),
    ("--train-steps", "-1"),
    ("--train-threads", "-1"),
    ("--keystrokes", "0"),
    ("--doc-chars", "nan"),
]


@pytest.mark.parametrize(("flag", "value"), TRAIN_BAD)
def test_train_refuses_bad_numbers_before_anything(tmp_path, capsys, flag, value):
    out = tmp_path / "m"
    with pytest.raises(SystemExit) as exc:
        main(["train", "--corpus", str(tmp_path), "--out", str(out), flag, value])
    assert exc.value.code == 2
    assert f"argument {flag}" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("flag", "value"), SPEED_BAD)
def test_eval_speed_refuses_bad_numbers(capsys, flag, value):
    with pytest.raises(SystemExit) as exc:
        main(["eval", "speed", flag, value])
    assert exc.value.code == 2
    assert f"argument {flag}" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"", b"a"])
def test_eval_speed_of_an_empty_text_says_so(tmp_path, capsys, tiny_model, content):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(content)
    args = ["eval", "speed", "--model", str(tiny_model), "--text", str(empty)]
    assert main([*args, "--train-steps", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: {empty} ") and captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
