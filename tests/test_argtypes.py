"""Numeric flag types: bad values are argparse errors that name the flag."""

from __future__ import annotations

import argparse

import pytest

from ghostpen import argtypes as t


@pytest.mark.parametrize(
    "kind, good, bad",
    [
        (t.positive_int, {"1": 1, "64": 64}, ["0", "-1", "1.5", "x", ""]),
        (t.non_negative_int, {"0": 0, "3": 3}, ["-1", "nan", "2.0"]),
        (t.finite_float, {"-1.5": -1.5, "0": 0.0}, ["nan", "inf", "-inf", "x"]),
        (t.positive_float, {"2e-3": 2e-3}, ["0", "-1", "nan", "inf"]),
        (t.non_negative_float, {"0": 0.0, "1.5": 1.5}, ["-0.1", "nan"]),
        (t.fraction, {"0": 0.0, "0.4": 0.4}, ["1", "-0.1", "nan"]),
        (t.open_fraction, {"0.1": 0.1}, ["0", "1", "nan"]),
        (t.fraction_list, {"0.05,0.1": [0.05, 0.1], "0": [0.0]}, ["", "0.1,", "0.1,1", "x"]),
    ],
)
def test_types(kind, good, bad):
    for text, value in good.items():
        assert kind(text) == value
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            kind(text)


def test_argparse_names_the_flag(capsys):
    parser = argparse.ArgumentParser(prog="ghostpen train")
    parser.add_argument("--lr", type=t.positive_float)
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--lr", "nan"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --lr: 'nan' is not a finite number" in err
    assert "Traceback" not in err
