"""Shared test set-up: headless Qt, the shared data folder, small fixtures the repo owns."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
