"""Recipes: `nietzsche` is exactly how the bundled model was trained; flags override a recipe."""

import argparse

import pytest

from ghostpen.model.checkpoint import default_model_path, read_checkpoint
from ghostpen.training import cli
from ghostpen.training.config import TrainConfig
from ghostpen.training.recipe import load_recipe, recipe_names


def test_nietzsche_recipe_is_the_bundled_models_settings():
    ckpt = read_checkpoint(default_model_path())
    model, train = load_recipe("nietzsche")
    model.vocab_size = ckpt.config.vocab_size  # set from the corpus, not the recipe
    assert model == ckpt.config
    shipped = ckpt.training["train_config"]
    # `minutes` is a per-run budget: meta.json holds the last (resumed) run's 27 of 58 + 27
    assert shipped["minutes"] == 27.0 and train.minutes == 0.0
    # a setting added after the model was trained (test_fraction) has its default
    assert {**train.to_json(), "minutes": shipped["minutes"]} == {
        **TrainConfig().to_json(),
        **shipped,
    }


def test_flags_given_override_the_recipe_and_others_keep_it():
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    model, train = cli.configs(parser.parse_args(["--recipe", "nietzsche", "--hidden", "64"]))
    recipe_model, recipe_train = load_recipe("nietzsche")
    assert model.num_hidden == 64 and model.num_layers == recipe_model.num_layers
    assert train == recipe_train and train.valid_every == 85
    model, train = cli.configs(parser.parse_args(["--lr", "0.01"]))  # no recipe: the defaults
    assert train.lr == 0.01 and train.valid_every == 0 and model == cli.DEFAULT_MODEL


def test_unknown_recipe_names_the_choices():
    assert "nietzsche" in recipe_names()
    with pytest.raises(ValueError, match="nietzsche"):
        load_recipe("shakespeare")
