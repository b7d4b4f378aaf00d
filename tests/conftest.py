"""Shared test set-up: headless Qt, the shared data folder, small fixtures the repo owns, and
`find_cycle` for the import-graph checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ghostpen.evals.tiny import train_tiny_model

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_configure(config):
    """The tests' own `import mxnet` gets ghostpen's shims too (numpy.bool; distutils on 3.12)."""
    from ghostpen.mxcompat import apply

    apply()


def shared_file(name: str) -> Path:
    """A file from ../shared/data, or skip the test saying why."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder is not next to this checkout)")
    return path


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A 1x64 LSTM trained on tests/fixtures/tiny.txt (shared by the suggest tests)."""
    path = tmp_path_factory.getbasetemp() / "tiny-lstm"
    if not (path / "meta.json").exists():
        train_tiny_model(path, (FIXTURES / "tiny.txt").read_text(encoding="utf-8"))
    return path


def draw_faces(n: int = 64, size: int = 64, seed: int = 0):
    """`n` procedurally drawn faces, uint8 (n, size, size, 3): background, head, eyes, mouth."""
    import numpy as np

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size] / size
    out = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        img = np.empty((size, size, 3))
        img[:] = rng.uniform(150, 255, 3)  # background
        cx, cy, r = 0.5 + rng.uniform(-0.05, 0.05), 0.55, rng.uniform(0.25, 0.35)
        img[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = rng.uniform(80, 230, 3)  # head
        img[(yy < cy - r * 0.6) & (np.abs(xx - cx) < r)] = rng.uniform(0, 120, 3)  # hair
        for ex in (cx - r / 2.5, cx + r / 2.5):
            img[(xx - ex) ** 2 + (yy - cy + r / 5) ** 2 < (r / 8) ** 2] = 20  # eyes
        img[(np.abs(yy - cy - r / 2) < r / 14) & (np.abs(xx - cx) < r / 2.5)] = (150, 30, 30)
        out[i] = img.astype(np.uint8)
    return out


@pytest.fixture(scope="session")
def face_npz(tmp_path_factory):
    """64 procedurally drawn 64x64 faces in an .npz (`images`), made by the test run itself."""
    import numpy as np

    path = tmp_path_factory.getbasetemp() / "faces.npz"
    if not path.exists():
        np.savez(path, images=draw_faces())
    return path


@pytest.fixture(scope="session")
def tiny_gan(tmp_path_factory, face_npz):
    """A DCGAN checkpoint (ngf=ndf=4) trained for one epoch on `face_npz`."""
    from ghostpen.cli import main

    path = tmp_path_factory.getbasetemp() / "tiny-gan"
    if not (path / "meta.json").exists():
        args = ["train-gan", "--images", str(face_npz), "--out", str(path), "--epochs", "1"]
        rc = main([*args, "--ngf", "4", "--ndf", "4", "--batch-size", "16", "--progress", "none"])
        assert rc == 0
    return path


@pytest.fixture(scope="session")
def styled_npz(tmp_path_factory):
    """The 64 drawn faces labelled with 3 styles (`style` = i % 3, `styles`, `seed` = i)."""
    import numpy as np

    path = tmp_path_factory.getbasetemp() / "styled-faces.npz"
    if not path.exists():
        faces = draw_faces()
        faces[1::3, :8] = (250, 20, 20)  # a red band marks style 1, blue style 2
        faces[2::3, :8] = (20, 20, 250)
        n = len(faces)
        np.savez(path, images=faces, style=(np.arange(n) % 3).astype(np.uint8),
                 styles=np.array(["pixel-art", "open-peeps", "personas"]),
                 seed=np.arange(n, dtype=np.int32))  # fmt: skip
    return path


@pytest.fixture(scope="session")
def tiny_cgan(tmp_path_factory, styled_npz):
    """A class-conditional DCGAN (the avatar recipe's methods, ngf=ndf=4) after one epoch."""
    from ghostpen.cli import main

    path = tmp_path_factory.getbasetemp() / "tiny-cgan"
    if not (path / "meta.json").exists():
        args = ["train-gan", "--recipe", "avatars-cc", "--images", str(styled_npz), "--out",
                str(path), "--epochs", "1", "--ngf", "4", "--ndf", "4", "--latent", "8",
                "--batch-size", "16", "--progress", "none"]  # fmt: skip
        assert main(args) == 0
    return path


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    """An empty user models folder (`GHOSTPEN_MODELS_DIR`) for the test."""
    folder = tmp_path / "models"
    monkeypatch.setenv("GHOSTPEN_MODELS_DIR", str(folder))
    return folder


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in a module -> imported modules graph, as a path, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := dfs(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := dfs(node)):
            return cycle
    return None
