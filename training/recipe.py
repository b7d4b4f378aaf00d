"""Training recipes: named JSON files in `training/recipes/` holding a model and a train config.

    ghostpen train --recipe nietzsche --corpus nietzsche.txt --out runs/default --minutes 58

`nietzsche` is how the bundled model was trained (tests/training/test_recipe.py checks it
against assets/models/default/meta.json). A recipe file has "model" (ModelConfig fields but
vocab_size, which comes from the corpus), "train" (TrainConfig fields) and a "description".
"""

from __future__ import annotations

import json
from importlib import resources

from ghostpen.model.config import ModelConfig
from ghostpen.training.config import TrainConfig


def recipe_names() -> list[str]:
    folder = resources.files("ghostpen.training") / "recipes"
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def load_recipe(name: str) -> tuple[ModelConfig, TrainConfig]:
    """The recipe's settings; ValueError naming the recipes for an unknown name or bad file."""
    if name not in recipe_names():
        raise ValueError(f"unknown recipe {name!r}; choose one of {recipe_names()}")
    path = resources.files("ghostpen.training") / "recipes" / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(data["train"]) - set(TrainConfig().to_json())
    if unknown:
        raise ValueError(f"recipe {name!r}: unknown train settings {sorted(unknown)}")
    return ModelConfig.from_json(data["model"]), TrainConfig.from_json(data["train"])
