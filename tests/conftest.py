"""Shared test set-up: headless Qt, the shared data folder, small fixtures the repo owns."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ghostpen.evals.tiny import train_tiny_model

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
