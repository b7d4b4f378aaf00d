"""Training recipes: named JSON files in `training/recipes/` holding a model and a train config.

    ghostpen train --recipe nietzsche --corpus nietzsche.txt --out runs/default --minutes 58

`nietzsche` is how the bundled model was trained (tests/training/test_recipe.py checks it
against assets/models/default/meta.json). A recipe file has "model" (ModelConfig fields but
vocab_size, which comes from the corpus), "train" (TrainConfig fields) and a "description".

A *fine-tune recipe* (`"finetune": true`) has no "model": the network is the `--from` model's.
Its "train" settings replace fine-tuning's defaults (flags given still override them), e.g.

    ghostpen train --recipe nietzsche-pd --from runs/english-pd --corpus nietzsche.txt ...
"""

from __future__ import annotations

import json
from importlib import resources

from ghostpen.model.config import ModelConfig
from ghostpen.training.config import TrainConfig


def recipe_names() -> list[str]:
    folder = resources.files("ghostpen.training") / "recipes"
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def read_recipe(name: str) -> dict:
    """The recipe file's JSON; ValueError naming the recipes for an unknown name or bad file."""
    if name not in recipe_names():
        raise ValueError(f"unknown recipe {name!r}; choose one of {recipe_names()}")
    path = resources.files("ghostpen.training") / "recipes" / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(data["train"]) - set(TrainConfig().to_json())
    if unknown:
        raise ValueError(f"recipe {name!r}: unknown train settings {sorted(unknown)}")
    if data.get("finetune") and set(data.get("model") or {}) - {"dropout"}:
        raise ValueError(f"recipe {name!r}: a fine-tune recipe's model can set only dropout")
    return data


def is_finetune(name: str) -> bool:
    return bool(read_recipe(name).get("finetune"))


def load_recipe(name: str) -> tuple[ModelConfig, TrainConfig]:
    """A from-scratch recipe's settings (ValueError for a fine-tune recipe: it needs --from)."""
    data = read_recipe(name)
    if data.get("finetune"):
        raise ValueError(f"recipe {name!r} is a fine-tune recipe: give --from MODEL with it")
    return ModelConfig.from_json(data["model"]), TrainConfig.from_json(data["train"])


def finetune_settings(name: str) -> dict:
    """A fine-tune recipe's train settings (ValueError for a from-scratch recipe)."""
    data = read_recipe(name)
    if not data.get("finetune"):
        raise ValueError(f"recipe {name!r} trains from scratch: it cannot be used with --from")
    return dict(data["train"])
