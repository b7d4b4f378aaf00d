"""The one door to MXNet: `require_mxnet()` makes mxnet 1.9.1 import on every Python it installs on.

MXNet belongs to training only (the editor, sampling and the evals decode with numpy, see
`ghostpen.model.fast`), and mxnet 1.9.1 is the last release (Apache Attic): it installs on
Python 3.10–3.12 (`mxnet==1.9.1; python_version < "3.13"` in pyproject.toml) and not on 3.13,
where no numpy < 2 exists. Two shims let it import on the newer numpy and Python it meets:

- `numpy.bool`: numpy 1.24 removed the alias mxnet uses; it is set back to `bool`.
- `distutils`: Python 3.12 removed it and mxnet imports it; setuptools (a dependency on 3.12)
  provides it, made importable by importing setuptools first.

Every `import mxnet` in ghostpen comes after `require_mxnet()` in the same function
(tests/test_mxcompat.py checks the source). Where MXNet is missing it raises `MXNetMissing`,
an ImportError whose message is one line saying why and what to do.
"""

from __future__ import annotations

import importlib
import sys

TRAINING_PYTHONS = "Python 3.10-3.12"


class MXNetMissing(ImportError):
    """MXNet cannot be imported here; the message says why and what to do, in one line."""


def missing_reason() -> str:
    """Why training cannot run in this environment, in one line (the dialog shows it)."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if sys.version_info >= (3, 13):
        why = f"MXNet (needed only for training) does not install on Python {version}"
    else:
        why = "MXNet (needed only for training) is not installed in this environment"
    return (
        f"{why}; to train, install ghostpen in a {TRAINING_PYTHONS} environment "
        f"(e.g. python3.12 -m venv .venv && .venv/bin/pip install .)"
    )


def apply() -> None:
    """The shims, before `import mxnet`: numpy.bool, and distutils on Python 3.12+."""
    import numpy as np

    if "bool" not in vars(np):  # a deprecated alias up to 1.23, gone in 1.24-1.26, back in 2.x
        np.bool = bool
    if "distutils" not in sys.modules:
        try:
            importlib.import_module("distutils")
        except ImportError:
            try:  # setuptools installs its copy of distutils as `distutils` when imported
                importlib.import_module("setuptools")
            except ImportError:
                pass


def require_mxnet():
    """Import MXNet (with the shims applied) and return it; `MXNetMissing` when it cannot."""
    loaded = sys.modules.get("mxnet")
    if loaded is not None:
        return loaded
    apply()
    try:
        return importlib.import_module("mxnet")
    except ImportError as exc:
        raise MXNetMissing(missing_reason()) from exc
    except OSError as exc:  # a broken libmxnet.so (missing system library)
        raise MXNetMissing(f"MXNet cannot be loaded ({exc}); {missing_reason()}") from exc


def have_mxnet() -> bool:
    """Whether MXNet imports here (imports it when it does)."""
    try:
        require_mxnet()
    except MXNetMissing:
        return False
    return True


def mxnet_installed() -> bool:
    """Whether MXNet looks installed, without importing it (cheap, for the editor's dialog)."""
    if sys.modules.get("mxnet", False) is None:  # blocked (tests): not importable
        return False
    import importlib.util

    try:
        return importlib.util.find_spec("mxnet") is not None
    except (ImportError, ValueError):
        return False
