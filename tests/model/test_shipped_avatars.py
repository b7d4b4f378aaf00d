"""The generator shipped in assets/models/avatars: loads without MXNet, small, reproducible,
conditional on the three licence-clean styles, and credits the CC BY 4.0 artwork."""

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
    assert size < 10 * 2**20
    meta = json.loads((model.path / "meta.json").read_text())
    assert set(meta["files"]) == {"generator"} and meta["training"]["dtype"] == "float16"
    assert "Personas by Draftbit" in meta["dataset"]["credit"]  # CC BY 4.0 attribution
    assert meta["dataset"]["source"].endswith("avatars-cc-64.npz")  # never the unlicensed set


def test_shipped_generator_draws_each_style_and_names():
    model = AvatarModel.load()
    assert model.styles == ("pixel-art", "open-peeps", "personas")
    faces = {s: model.generate(0, 4, s) for s in model.styles}
    assert not np.array_equal(faces["pixel-art"], faces["personas"])
    ada, style = model.for_name("Ada Lovelace", "open-peeps")
    again, _ = model.for_name("  ADA  lovelace ", "open-peeps")
    assert style == "open-peeps" and np.array_equal(ada, again)
