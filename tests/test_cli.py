"""The `ghostpen` command: sub-commands listed, unsupported Python refused clearly."""

import subprocess
import sys

import pytest

from ghostpen import check_python
from ghostpen.cli import build_parser


def test_help_lists_the_subcommands():
    text = build_parser().format_help()
    for name in ("edit", "train", "sample", "eval"):
        assert name in text
    out = subprocess.run(
        [sys.executable, "-m", "ghostpen", "eval", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for kind in ("bpc", "ksr", "html", "speed", "latency"):
        assert kind in out


def test_unsupported_python_is_refused_with_a_message():
    with pytest.raises(SystemExit, match="needs Python 3.10 or newer"):
        check_python((3, 9, 18))
    for version in ((3, 10, 0), (3, 11, 7), (3, 12, 3), (3, 13, 1)):
        check_python(version)


def test_only_the_command_given_is_imported():
    """`ghostpen X …` imports X's module only (so top-level imports in command modules cost
    nothing to the others); `ghostpen --help` imports none, and every command is listed."""
    code = (
        "import sys; from ghostpen.cli import build_parser; p = build_parser(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.endswith('_cli') or '.evals.' in m)); "
        "print(p.format_help())"
    )

    def loaded(*words):
        out = subprocess.run([sys.executable, "-c", code, *words], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
        return out.splitlines()[0], out

    mods, text = loaded("--help")
    assert mods == "[]" and all(name in text for name in ("train", "export", "eval"))
    assert loaded("train")[0] == "['ghostpen.training.train_cli']"
    assert loaded("eval", "bpc")[0] == "['ghostpen.evals.bpc']"
