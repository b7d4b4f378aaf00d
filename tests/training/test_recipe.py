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


def test_a_finetune_recipe_goes_with_from_and_flags_still_win(tmp_path):
    from ghostpen.training import finetune

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--recipe", "nietzsche-pd", "--from", "default", "--lr", "0.003"])
    assert finetune.check_args(args) is None
    explicit = finetune.explicit_train_flags(args)
    assert explicit["test_fraction"] == 0.1 and explicit["lr"] == 0.003
    assert finetune.dropout(args) == 0.25
    with pytest.raises(ValueError, match="--from"):
        load_recipe("nietzsche-pd")  # a fine-tune recipe alone has no network
    scratch = parser.parse_args(["--recipe", "english-pd", "--from", "default"])
    assert "from scratch" in finetune.check_args(scratch)
