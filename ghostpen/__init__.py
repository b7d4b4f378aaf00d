"""ghostpen: a predictive-text editor with ghost-text completions from a character-level RNN."""

import sys

__version__ = "0.1.0"

SUPPORTED_PYTHON = ((3, 10), (3, 11))


def check_python(version_info=sys.version_info) -> None:
    """Exit with a clear message on a Python that mxnet 1.9.1 does not support."""
    if not (SUPPORTED_PYTHON[0] <= tuple(version_info[:2]) <= SUPPORTED_PYTHON[1]):
        raise SystemExit(
            f"ghostpen needs Python 3.10 or 3.11 (mxnet 1.9.1 does not run on "
            f"{version_info[0]}.{version_info[1]}); create the environment with python3.11"
        )
