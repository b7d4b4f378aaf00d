"""The user models folder: resolving --model NAME, listing, renaming, deleting."""

import json

import pytest

from ghostpen.cli import main
from ghostpen.model import library
from ghostpen.model.checkpoint import default_model_path, read_checkpoint


def _copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_user_models_dir_is_the_platform_data_folder(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("GHOSTPEN_MODELS_DIR", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / app))
    assert library.user_models_dir() == tmp_path / "ghostpen" / "models"


def test_resolve_paths_names_and_bundled(models_dir, tiny_model, tmp_path, monkeypatch):
    assert library.resolve_model(None) == default_model_path()
    assert library.resolve_model("default") == default_model_path()
    assert library.resolve_model(str(tiny_model)) == tiny_model.resolve()
    _copy(tiny_model, models_dir / "mine")
    assert library.resolve_model("mine") == models_dir / "mine"
    monkeypatch.chdir(tmp_path)
    _copy(tiny_model, tmp_path / "here")
    assert library.resolve_model("here") == (tmp_path / "here").resolve()  # a folder first
    with pytest.raises(library.ModelNotFound, match="mine"):
        library.resolve_model("nothing")


def test_output_path(models_dir, tmp_path):
    assert library.output_path("notes") == models_dir / "notes"
    assert library.output_path(str(tmp_path / "x")) == tmp_path / "x"
    assert library.output_path("runs/x").parts[-2:] == ("runs", "x")


def test_list_rename_delete(models_dir, tiny_model):
    _copy(tiny_model, models_dir / "a")
    (models_dir / "not-a-model").mkdir()
    infos = library.list_models()
    assert [(m.name, m.kind) for m in infos] == [("default", "bundled"), ("a", "user")]
    bundled, user = infos
    chars = len(read_checkpoint(default_model_path()).vocab)
    assert bundled.arch == "lstm" and bundled.size == f"2x512, {chars} chars" and bundled.val_bpc
    assert user.params > 0 and user.date
    library.rename_model("a", "b")
    assert not (models_dir / "a").exists() and (models_dir / "b" / "meta.json").is_file()
    with pytest.raises(ValueError):
        library.rename_model("b", "x/y")
    with pytest.raises(library.ModelNotFound):
        library.delete_model("default")  # bundled models are not the user's to delete
    library.delete_model("b")
    assert not (models_dir / "b").exists()


def test_models_command_and_model_name_flag(models_dir, tiny_model, capsys):
    _copy(tiny_model, models_dir / "mine")
    assert main(["models", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["name"] for r in rows] == ["default", "mine"]
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "mine" in out and "VAL BPC" in out
    assert main(["sample", "--model", "mine", "--prime", "the ", "--length", "5"]) == 0
    assert capsys.readouterr().out.startswith("the ")
    assert main(["sample", "--model", "no-such-model", "--length", "5"]) == 2
