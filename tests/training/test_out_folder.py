"""`ghostpen train` never overwrites, deletes or corrupts a model: the --out folder is claimed,
an existing model needs --resume or --force, bad folders are found before training, a full
disk keeps the last good checkpoint, and two trainings never share a folder."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap

import pytest

from ghostpen.cli import main
from ghostpen.model.checkpoint import load_model, read_checkpoint
from ghostpen.training.outdir import LOCK_NAME

TINY = ["--embed", "4", "--layers", "1", "--seq-len", "20", "--batch-size", "4"]
QUIET = ["--progress", "none", "--epochs", "1"]


def _train(corpus, out, *extra, hidden=16):
    return main(
        ["train", "--corpus", str(corpus), "--out", str(out), "--hidden", str(hidden)]
        + TINY
        + QUIET
        + list(extra)
    )


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != LOCK_NAME}


def _named(folder):
    return set(json.loads((folder / "meta.json").read_text())["files"].values())


@pytest.fixture
def trained(tmp_path, fixtures_dir):
    out = tmp_path / "model"
    assert _train(fixtures_dir / "tiny.txt", out) == 0
    return out


def test_an_existing_model_is_kept_without_resume_or_force(trained, fixtures_dir, capsys):
    capsys.readouterr()
    before = _files(trained)
    assert _train(fixtures_dir / "tiny.txt", trained) == 2
    err = capsys.readouterr().err
    assert "already holds a model" in err and "--resume" in err and "--force" in err
    assert _files(trained) == before


def test_force_replaces_only_the_old_models_own_files(trained, fixtures_dir):
    old = _named(trained)
    (trained / "notes.txt").write_text("mine", encoding="utf-8")
    assert _train(fixtures_dir / "tiny.txt", trained, "--force", hidden=12) == 0
    names = {p.name for p in trained.iterdir()}
    assert not old & names  # the old model's files went, after the new checkpoint was written
    assert (trained / "notes.txt").read_text(encoding="utf-8") == "mine"
    net, ckpt = load_model(trained)
    assert ckpt.config.num_hidden == 12


def test_someone_elses_folder_is_never_touched(tmp_path, fixtures_dir, capsys):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    for name in ("weights.params", "moments.nd", "draft.tmp"):
        (theirs / name).write_bytes(b"not ghostpen's " + name.encode())
    before = _files(theirs)
    for flags in ([], ["--force"]):
        assert _train(fixtures_dir / "tiny.txt", theirs, *flags) == 2
        assert "not a ghostpen checkpoint" in capsys.readouterr().err
    assert _files(theirs) == before


def test_a_bad_out_is_found_before_training(tmp_path, fixtures_dir, capsys, monkeypatch):
    from ghostpen.training import loop

    def no_training(*args, **kwargs):
        raise AssertionError("training started although --out is unusable")

    monkeypatch.setattr(loop, "_Run", no_training)
    file = tmp_path / "a-file"
    file.write_text("keep me", encoding="utf-8")
    for out in (file, file / "m"):
        assert _train(fixtures_dir / "tiny.txt", out) == 2
        assert f"{file} is a file" in capsys.readouterr().err
    assert file.read_text(encoding="utf-8") == "keep me"
    read_only = tmp_path / "ro"
    read_only.mkdir()
    os.chmod(read_only, 0o555)
    try:
        if not os.access(read_only, os.W_OK):  # root ignores permission bits
            assert _train(fixtures_dir / "tiny.txt", read_only / "m") == 2
            err = capsys.readouterr().err
            assert "not writable" in err or "cannot be created" in err
    finally:
        os.chmod(read_only, 0o755)


@pytest.mark.slow  # a child process
def test_a_second_training_into_the_folder_is_refused_naming_the_pid(
    tmp_path, fixtures_dir, capsys
):
    out = tmp_path / "m"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from ghostpen.training.outdir import claim_output\n"
            f"claim = claim_output({str(out)!r}); print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert _train(fixtures_dir / "tiny.txt", out) == 2
        err = capsys.readouterr().err
        assert "in use by another training" in err and f"pid {holder.pid}" in err
        assert not (out / "meta.json").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert _train(fixtures_dir / "tiny.txt", out) == 0  # free once the first has ended


@pytest.mark.slow  # a child process
def test_force_killed_right_after_the_first_save_leaves_a_consistent_model(trained, fixtures_dir):
    """The first save of the new run (before any validation) names the NEW weights, never the
    old model's best params of another shape; SIGKILL right after it leaves a loadable model."""
    old = read_checkpoint(trained)
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from ghostpen.training import loop
        from ghostpen.training import train_cli as cli
        real_save, real_configs = loop.save_checkpoint, cli.configs
        def save_then_die(*args, **kwargs):
            real_save(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        def configs(args):
            model, train = real_configs(args)
            train.save_every_s = 0.0  # a resumable save after the first step, unvalidated
            return model, train
        loop.save_checkpoint, cli.configs = save_then_die, configs
        sys.exit(cli.main(["--corpus", {str(fixtures_dir / "tiny.txt")!r}, "--out",
                           {str(trained)!r}, "--force", "--hidden", "12", "--epochs", "5",
                           "--seq-len", "20", "--batch-size", "4", "--progress", "none"]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    net, ckpt = load_model(trained)  # params match the config meta.json describes
    assert ckpt.config.num_hidden == 12 != old.config.num_hidden
    assert ckpt.resume["position"]["step"] == 1
    load_model(trained, role="last")
    assert not set(old.files.values()) & {p.name for p in trained.iterdir()}


def test_a_full_disk_keeps_the_last_good_checkpoint(tmp_path, fixtures_dir, capsys, monkeypatch):
    from ghostpen.model import checkpoint

    real_save, real_write, saves = checkpoint.save_checkpoint, checkpoint.atomic_write, []

    def counting_save(*args, **kwargs):
        saves.append(1)
        return real_save(*args, **kwargs)

    def write(path, writer, mode=None):
        if len(saves) == 2 and path.name.startswith("optim-"):  # the 2nd save's last file
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(path, writer, mode)

    monkeypatch.setattr("ghostpen.training.loop.save_checkpoint", counting_save)
    monkeypatch.setattr(checkpoint, "atomic_write", write)
    out = tmp_path / "m"
    rc = _train(fixtures_dir / "tiny.txt", out, "--valid-every", "5", "--epochs", "3")
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1
    assert len(err) == 1 and "(disk full)" in err[0]
    assert "the checkpoint of step 5 is kept" in err[0]
    assert {p.name for p in out.iterdir()} == _named(out) | {"meta.json", LOCK_NAME}
    net, ckpt = load_model(out)
    assert ckpt.resume["position"]["step"] == 5


def test_force_stopped_before_a_step_keeps_the_old_model(trained, fixtures_dir):
    from ghostpen.model.config import ModelConfig
    from ghostpen.training.config import TrainConfig
    from ghostpen.training.loop import StopFlag, train

    before, stop = _files(trained), StopFlag()
    stop.set()
    text = (fixtures_dir / "tiny.txt").read_text(encoding="utf-8")
    config = TrainConfig(epochs=1, seq_len=20, batch_size=4)
    result = train(ModelConfig(num_hidden=12), config, text, trained, force=True, stop=stop)
    assert result["reason"] == "interrupted" and result["steps"] == 0
    assert _files(trained) == before
    with pytest.raises(Exception, match="already holds a model"):
        train(ModelConfig(num_hidden=12), config, text, trained)  # train() claims too
