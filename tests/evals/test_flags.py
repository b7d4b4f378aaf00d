"""Every numeric flag of the evals refuses a bad value with a usage message (exit 2)."""

from __future__ import annotations

import pytest

from ghostpen.cli import build_parser

BAD = [
    (["eval", "ksr", "--text", "t", "--beam", "-1"], "--beam: must be at least 1"),
    (["eval", "ksr", "--text", "t", "--beam", "0"], "--beam: must be at least 1"),
    (["eval", "ksr", "--text", "t", "--min-confidence", "nan"], "--min-confidence"),
    (["eval", "ksr", "--text", "t", "--max-chars", "0"], "--max-chars"),
    (["eval", "ksr", "--text", "t", "--tail-fraction", "0"], "--tail-fraction"),
    (["eval", "bpc", "--text", "t", "--tail-fraction", "1.5"], "--tail-fraction"),
    (["eval", "bpc", "--text", "t", "--streams", "0"], "--streams"),
    (["eval", "bpc", "--text", "t", "--warmup", "-3"], "--warmup"),
    (["eval", "bpc", "--text", "t", "--limit-chars", "x"], "--limit-chars"),
    (["eval", "html", "--dir", "d", "--limit", "-1"], "--limit"),
]


@pytest.mark.parametrize("argv, words", BAD)
def test_bad_numbers_are_usage_errors(argv, words, capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
