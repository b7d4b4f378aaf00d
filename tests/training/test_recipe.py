"""Recipes: `english-pd` + `nietzsche-pd` are exactly how the bundled model was trained; flags
override a recipe."""

import argparse

import pytest

from ghostpen.model.checkpoint import default_model_path, read_checkpoint
from ghostpen.training import train_cli as cli
from ghostpen.training.recipe import finetune_settings, load_recipe, read_recipe, recipe_names


def test_the_bundled_model_is_english_pd_then_nietzsche_pd():
    ckpt = read_checkpoint(default_model_path())
    model, _ = load_recipe("english-pd")  # the base: pretrained from scratch
    shape = ("arch", "num_embed", "num_hidden", "num_layers", "context")
    assert all(getattr(model, f) == getattr(ckpt.config, f) for f in shape)
    assert ckpt.training["base_model"]["name"] == "pd-base"
    finetune = read_recipe("nietzsche-pd")  # then fine-tuned on nietzsche.txt
    assert ckpt.config.dropout == finetune["model"]["dropout"]
    shipped = ckpt.training["train_config"]
    # `minutes` is a per-run budget (the run was stopped with Ctrl+C after 10 of them)
    assert {**finetune_settings("nietzsche-pd"), "minutes": shipped["minutes"]} == shipped
    assert shipped["test_fraction"] == 0.1  # the last 10%, eval's test tail, never read


def test_the_old_nietzsche_recipe_still_loads():
    model, train = load_recipe("nietzsche")
    assert (model.num_layers, model.num_hidden, model.dropout) == (2, 512, 0.4)
    assert train.valid_every == 85 and train.test_fraction == 0.0


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
