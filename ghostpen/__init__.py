"""ghostpen: a predictive-text editor with ghost-text completions from a character-level RNN."""

import sys

__version__ = "0.1.0"

MIN_PYTHON = (3, 10)


def check_python(version_info=sys.version_info) -> None:
    """Exit with a clear message on a Python older than ghostpen supports (3.10). Training
    needs MXNet, which installs on 3.10-3.12 only; `ghostpen.mxcompat` says so when it is
    missing, and everything else runs on any newer Python."""
    if tuple(version_info[:2]) < MIN_PYTHON:
        raise SystemExit(
            f"ghostpen needs Python 3.10 or newer, not {version_info[0]}.{version_info[1]}; "
            f"create the environment with python3.12 (or 3.10-3.13)"
        )
