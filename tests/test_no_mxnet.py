"""Everything but training works with MXNet unimportable (as on Python 3.13): each command runs
in a subprocess whose `sitecustomize` sets `sys.modules["mxnet"] = None`, so any `import mxnet`
raises; each must succeed, and the editor process must not have imported MXNet."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from .conftest import FIXTURES, draw_faces

BLOCK = "import sys\nsys.modules['mxnet'] = None  # tests/test_no_mxnet.py: MXNet unimportable\n"


@pytest.fixture
def no_mxnet(tmp_path):
    """Run `ghostpen ARGS…` with MXNet unimportable: (returncode, stdout, stderr)."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(BLOCK)
    env = dict(os.environ, PYTHONPATH=str(shim), QT_QPA_PLATFORM="offscreen")
    env["GHOSTPEN_MODELS_DIR"] = str(tmp_path / "models")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ghostpen", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=timeout)  # fmt: skip

    check = run("eval", "bpc", "--help")
    assert check.returncode == 0, check.stderr
    probe = subprocess.run([sys.executable, "-c", "import mxnet"], env=env, capture_output=True)
    assert probe.returncode != 0  # the shim works: MXNet cannot be imported
    return run


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return done.stdout


def test_sample_models_wordlm_and_avatars_run_without_mxnet(no_mxnet, tiny_model, tmp_path):
    model = shutil.copytree(tiny_model, tmp_path / "tiny")
    assert _ok(no_mxnet("sample", "--model", str(model), "--length", "20", "--prime", "the "))
    assert _ok(no_mxnet("models", "--json"))
    corpus = FIXTURES / "tiny.txt"
    _ok(no_mxnet("wordlm", "build", "--model", str(model), "--corpus", str(corpus)))
    assert "order" in _ok(no_mxnet("wordlm", "info", "--model", str(model)))
    _ok(no_mxnet("avatars", "--n", "2", "--out", str(tmp_path / "faces.png")))
    assert (tmp_path / "faces.png").stat().st_size > 0


def test_the_evals_run_without_mxnet(no_mxnet, tiny_model, tmp_path):
    text, model = str(FIXTURES / "tiny.txt"), str(tiny_model)
    bpc = json.loads(_ok(no_mxnet("eval", "bpc", "--model", model, "--text", text, "--json")))
    assert bpc["bpc"] > 0
    ksr = ["eval", "ksr", "--model", model, "--text", text, "--no-oracle", "--limit-chars", "200"]
    assert json.loads(_ok(no_mxnet(*ksr, "--json")))
    _ok(no_mxnet("eval", "html", "--dir", str(FIXTURES / "html"), "--json"))
    latency = ["eval", "latency", "--model", model, "--text", text, "--chars", "15", "--cps", "30"]
    assert json.loads(_ok(no_mxnet(*latency, "--prefix", "200", "--json")))["typed_exactly"]
    faces = tmp_path / "faces.npz"
    np.savez(faces, images=draw_faces(48))
    _ok(no_mxnet("eval", "gan", "--images", str(faces), "--n", "16", "--components", "8"))
    # (the probes of checkpoints train their tiny model first: those need MXNet)
    probes = _ok(
        no_mxnet("eval", "probes", "--only", "eval-ksr-missing-text", "editor-binary-file")
    )
    assert json.loads(probes.splitlines()[-1])["ok"] == 2
    speed = ["eval", "speed", "--model", model, "--doc-chars", "200", "--keystrokes", "10"]
    result = json.loads(_ok(no_mxnet(*speed, "--train-steps", "2", "--json")))
    assert result["step_ms_p50"] > 0 and result["train_chars_per_s"] is None
    assert "MXNet" in result["train_skipped"]


def test_the_editor_starts_and_shows_a_ghost_without_mxnet(no_mxnet):
    assert "usage" in _ok(no_mxnet("edit", "--help"))
    startup = ["eval", "startup", "--runs", "1", "--idle", "0.2", "--json"]
    result = json.loads(_ok(no_mxnet(*startup)))
    assert result["errors"] == [] and result["first_ghost_s"] is not None
    assert result["mxnet_imported"] is False


def test_training_says_why_without_mxnet(no_mxnet, tmp_path):
    done = no_mxnet("train", "--corpus", str(FIXTURES / "tiny.txt"), "--out", str(tmp_path / "m"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "MXNet" in done.stderr and "Python 3.10-3.12" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "m").exists()
