"""The generator shipped in assets/models/avatars: loads without MXNet, small, reproducible."""

from __future__ import annotations

import json

import numpy as np

from ghostpen.model.avatars import AvatarModel


def test_shipped_generator_loads_and_is_small():
    model = AvatarModel.load()
    images = model.generate(0, 8)
    assert images.shape == (8, 64, 64, 3) and images.std() > 10
    assert np.array_equal(images, model.generate(0, 8))
    size = sum(p.stat().st_size for p in model.path.iterdir())
    assert size < 5 * 2**20
    meta = json.loads((model.path / "meta.json").read_text())
    assert set(meta["files"]) == {"generator"}
    assert "Personas by Draftbit" in meta["dataset"]["credit"]  # CC BY 4.0 attribution
