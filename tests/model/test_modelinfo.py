"""What `ghostpen models` and the Model menu say about each model: comparable, rounded, dated."""

import json
import os
import shutil

from ghostpen.cli import main
from ghostpen.model import library, modelinfo


def _fine_tune_like(tiny_model, folder, **training):
    """A copy of the tiny model whose meta.json says it was fine-tuned from `default`."""
    shutil.copytree(tiny_model, folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["training"].update(training)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_fine_tune_shows_its_base_on_the_same_text_rounded_and_dated(models_dir, tiny_model):
    base = {"name": "default", "val_bpc": 2.412345}
    corpus = {"files": ["/home/u/notes.txt"], "file_count": 1, "chars": 123456}
    folder = _fine_tune_like(
        tiny_model, models_dir / "notes", base_model=base, corpus=corpus, best_val_bpc=1.9805846
    )
    os.utime(folder / json.loads((folder / "meta.json").read_text())["files"]["params"], (0, 0))
    info = library.model_info(folder, "user")
    assert info.val_bpc == 1.9805846 and info.base_bpc == 2.412345 and info.base == "default"
    assert info.corpus == "1 file, 123,456 chars" and info.corpus_name == "notes.txt"
    assert (
        modelinfo.menu_label(info)
        == "notes  — 1.98 bpc (base default: 2.41) on held-out text of notes.txt"
    )
    score = modelinfo.score_text(info)
    assert score.startswith("1.98 bpc on held-out") and "default: 2.41 on the same text" in score
    assert not info.date.startswith("1970")  # the weights' tag, not a file time
    rows = dict(modelinfo.detail_rows(info))
    assert rows["Trained"] == info.date and "1.9805846" not in str(rows)


def test_bundled_model_date_is_its_training_not_the_install(tmp_path):
    bundled = library.bundled_models_dir() / "default"
    copy = shutil.copytree(bundled, tmp_path / "default")  # copied now, like an install
    info = library.model_info(copy, "bundled")
    params = json.loads((copy / "meta.json").read_text())["files"]["params"]
    tag = params.split("-")[1]  # model-YYYYMMDD-HHMMSS-…
    assert info.date.replace("-", "").startswith(tag)
    assert info.corpus_name == "nietzsche.txt" and info.base_bpc is not None


def test_many_files_plural_and_scratch_model_says_what_it_measured(models_dir, tiny_model):
    corpus = {"files": ["a", "b"], "file_count": 2, "chars": 10}
    info = library.model_info(
        _fine_tune_like(tiny_model, models_dir / "m", corpus=corpus, best_val_bpc=1.5), "user"
    )
    assert info.corpus == "2 files, 10 chars" and info.base_bpc is None
    label = modelinfo.menu_label(info)
    assert "base" not in label and label.endswith("on held-out text of 2 files")


def test_one_mistyped_stat_is_ignored_and_everything_else_works(models_dir, tiny_model, capsys):
    """Issue 21 item 8: `training.corpus.chars = "many"` stopped `ghostpen models`, the editor."""
    corpus = {"file_count": "x", "chars": "many"}
    _fine_tune_like(tiny_model, models_dir / "odd", corpus=corpus, best_val_bpc="low")
    shutil.copytree(tiny_model, models_dir / "fine")
    infos = {i.name: i for i in library.list_models()}
    assert set(infos) == {"default", "odd", "fine"}
    odd = infos["odd"]
    assert not odd.error and "corpus.chars" in odd.warning and odd.val_bpc is None
    assert main(["models"]) == 0
    captured = capsys.readouterr()
    assert "odd" in captured.out and "fine" in captured.out and "corpus.chars" in captured.err
    assert main(["models", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_unreadable_model_is_listed_as_unreadable(models_dir, tiny_model, capsys):
    folder = shutil.copytree(tiny_model, models_dir / "broken")
    meta = json.loads((folder / "meta.json").read_text())
    (folder / meta["files"]["params"]).unlink()
    assert library.model_info(folder, "user").error
    assert main(["models"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("broken"))
    assert "unreadable" in line
