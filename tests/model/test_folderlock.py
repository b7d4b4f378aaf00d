"""The model folder's one lock: wordlm build, rename and delete respect a training's claim;
no model folder is written into a system folder."""

import os
import shutil

import pytest

from ghostpen.model import library
from ghostpen.model.folderlock import LOCK_NAME, FolderBusy, hold_folder, system_folder, take_folder
from ghostpen.training.outdir import OutputError, claim_output


def test_a_held_folder_is_refused_naming_the_holder(tmp_path):
    with hold_folder(tmp_path):
        with pytest.raises(
            FolderBusy, match=f"in use by another ghostpen process \\(pid {os.getpid()}"
        ):
            take_folder(tmp_path)
    take_folder(tmp_path).close()  # released with the with block
    assert (tmp_path / LOCK_NAME).is_file()


def test_a_training_claim_and_the_folder_lock_are_one_lock(tmp_path):
    with claim_output(tmp_path / "m"):
        with pytest.raises(FolderBusy):
            take_folder(tmp_path / "m")
    with hold_folder(tmp_path / "m"):
        with pytest.raises(OutputError, match="in use"):
            claim_output(tmp_path / "m")


def _model(tiny_model, models_dir, name="mine"):
    models_dir.mkdir(exist_ok=True)
    return shutil.copytree(tiny_model, models_dir / name)


def test_delete_and_rename_wait_for_the_training(tiny_model, models_dir):
    path = _model(tiny_model, models_dir)
    before = sorted(p.name for p in path.iterdir() if p.name != LOCK_NAME)
    with claim_output(path, resume=True):  # a training of that model runs
        with pytest.raises(library.ModelInUse, match="cannot be deleted: a training is writing"):
            library.delete_model("mine")
        with pytest.raises(library.ModelInUse, match="cannot be renamed"):
            library.rename_model("mine", "other")
    assert sorted(p.name for p in path.iterdir() if p.name != LOCK_NAME) == before
    assert not (models_dir / "other").exists()
    assert library.rename_model("mine", "other") == models_dir / "other"
    library.delete_model("other")
    assert list(models_dir.iterdir()) == []  # nothing left aside either


def test_bundled_models_are_known(tiny_model, models_dir):
    assert library.is_bundled(library.resolve_model("default"))
    assert not library.is_bundled(_model(tiny_model, models_dir))


@pytest.mark.parametrize(
    "path,system",
    [("/", "/"), ("/m", "/"), ("/usr/share/m", "/usr"), ("/etc/x", "/etc"), ("/home/m", "/home")],
)
def test_system_folders(path, system):
    assert system_folder(path) == system


@pytest.mark.parametrize("path", ["/tmp/m", "/home/u/models/m", "/root/m", "/var/tmp/x/m"])
def test_own_folders(path):
    assert system_folder(path) is None


def test_a_models_folder_in_a_system_folder_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("GHOSTPEN_MODELS_DIR", "/")
    name = f"ghostpen-test-{os.getpid()}"
    with pytest.raises(OutputError, match="system folder / \\(GHOSTPEN_MODELS_DIR is /\\)"):
        claim_output(library.output_path(name))
    assert not os.path.exists("/" + name)


def test_a_lock_file_that_is_a_link_or_fifo_is_never_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / LOCK_NAME).symlink_to(victim)
    with pytest.raises(OSError, match="is a link, not ghostpen's lock"):
        take_folder(tmp_path / "a")
    with pytest.raises(OutputError, match="is a link"):
        claim_output(tmp_path / "a")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    (tmp_path / "b").mkdir()
    os.mkfifo(tmp_path / "b" / LOCK_NAME)
    with pytest.raises(OSError, match="is not a regular file"):
        take_folder(tmp_path / "b")
