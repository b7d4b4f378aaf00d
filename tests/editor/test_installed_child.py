"""The training dialog's child runs the installed ghostpen from any folder, also from the
checkout's root, where `python -m ghostpen` would find the checkout's `./ghostpen/` folder
first (a non-editable install: the editable one maps the folders and hides the problem).

The install is real but fast and offline: a wheel built from a copy of the sources
(`pip wheel --no-deps --no-build-isolation --no-index`), installed into a fresh venv's
site-packages; the dependencies (numpy, MXNet, PySide6) come from this test's environment
through a .pth file (plain paths: its editable-install hook is not run there).
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from ghostpen.editor import train_state

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("ghostpen", "model", "training", "suggest", "evals", "editor", "assets")
TINY = ["--seq-len", "20", "--batch-size", "4", "--valid-every", "5"]
NET = ["--hidden", "16", "--layers", "1", "--embed", "8"]


def _run(argv, cwd, timeout=300) -> subprocess.CompletedProcess:
    env = train_state.child_environment({"PATH": "/usr/bin:/bin", "HOME": str(cwd)})
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a venv where ghostpen is installed from a wheel (not editable)."""
    tmp = tmp_path_factory.mktemp("installed")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    wheel = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", str(src), "-w", str(tmp / "wheels")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if wheel.returncode != 0:
        pytest.fail(f"cannot build the wheel: {wheel.stderr[-1500:]}")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")], check=True)
    python = tmp / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--target", purelib, *map(str, (tmp / "wheels").glob("ghostpen-*.whl"))],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-1500:]
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(purelib) / "ghostpen-test-deps.pth").write_text("\n".join(deps) + "\n")
    found = _run([python, "-c", "import ghostpen.editor as e; print(e.__file__)"], tmp)
    assert found.returncode == 0 and found.stdout.startswith(purelib), found.stderr
    return python


def test_the_hazard_is_real_python_m_ghostpen_from_the_checkout_fails(installed):
    """Without the fix, the checkout's ./ghostpen/ shadows the installed package."""
    done = _run([installed, "-m", "ghostpen", "train", "--help"], REPO)
    assert done.returncode != 0 and "No module named 'ghostpen." in done.stderr


def test_the_dialogs_child_trains_from_the_checkout_root(installed, tmp_path):
    corpus = REPO / "tests" / "fixtures" / "tiny.txt"
    out = tmp_path / "mine"
    argv = train_state.command([str(corpus)], out, minutes=0.05, extra=[*TINY, *NET])
    done = _run([str(installed), *argv[1:]], REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "meta.json").is_file()
    assert '"event": "done"' in done.stdout or '"event":"done"' in done.stdout


@pytest.mark.parametrize("where", ["home", "a folder holding a ghostpen folder"])
def test_the_dialogs_child_starts_from_any_folder(installed, tmp_path, where):
    cwd = tmp_path / "home"
    cwd.mkdir()
    if where != "home":
        (cwd / "ghostpen").mkdir()
        (cwd / "ghostpen" / "__init__.py").write_text("raise SystemExit('the wrong ghostpen')\n")
    argv = train_state.command(["x"], tmp_path / "m", minutes=1)
    done = _run([str(installed), argv[1], argv[2], "train", "--help"], cwd)
    assert done.returncode == 0 and "--corpus" in done.stdout, done.stderr[-1500:]
