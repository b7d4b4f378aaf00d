"""The training loop and `ghostpen train`: loss goes down, resume, interrupts, bad corpora."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error

import numpy as np
import pytest

from ghostpen.cli import main
from ghostpen.model.checkpoint import load_model, read_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.training import download
from ghostpen.training.config import TrainConfig
from ghostpen.training.corpus import CorpusError
from ghostpen.training.loop import StopFlag, train

TINY = dict(num_embed=8, num_hidden=24, num_layers=1, dropout=0.0)
FAST = dict(seq_len=20, batch_size=4, lr=1e-2, valid_fraction=0.2)


def _text(fixtures_dir):
    return (fixtures_dir / "tiny.txt").read_text() * 3


def _events():
    seen = []
    return seen, seen.append


@pytest.mark.parametrize("arch", ["lstm", "gru", "unrolled"])
def test_one_epoch_lowers_the_loss(tmp_path, fixtures_dir, arch):
    events, emit = _events()
    result = train(
        ModelConfig(arch=arch, **TINY),
        TrainConfig(epochs=2, **FAST),
        _text(fixtures_dir),
        tmp_path / "ck",
        progress=emit,
    )
    steps = [e for e in events if e["event"] == "step"]
    assert steps[-1]["loss"] < steps[0]["loss"] - 0.5
    valids = [e["val_bpc"] for e in events if e["event"] == "valid"]
    assert valids[-1] < valids[0] and result["best_val_bpc"] == min(valids)
    _, ckpt = load_model(tmp_path / "ck")
    assert ckpt.training["best_val_bpc"] == pytest.approx(min(valids))
    assert ckpt.training["corpus"] == {}


def test_resume_continues_from_the_saved_step(tmp_path, fixtures_dir):
    text, out = _text(fixtures_dir), tmp_path / "ck"
    stop = StopFlag()
    events, emit = _events()

    def stop_after_15(event):
        emit(event)
        if event["event"] == "step" and event["step"] >= 15:
            stop.set()

    first = train(
        ModelConfig(**TINY),
        TrainConfig(epochs=3, **FAST),
        text,
        out,
        progress=stop_after_15,
        stop=stop,
    )
    assert first["reason"] == "interrupted" and first["steps"] == 20  # events every 10 steps
    ckpt = read_checkpoint(out)
    assert ckpt.resume["position"]["step"] == 20 and {"last", "optimizer"} <= set(ckpt.files)
    events2, emit2 = _events()
    second = train(
        ModelConfig(**TINY), TrainConfig(epochs=3, **FAST), text, out, resume=True, progress=emit2
    )
    start = events2[0]
    assert start["event"] == "start" and start["resumed"] and start["step"] == 20
    steps = [e["step"] for e in events2 if e["event"] == "step"]
    assert steps[0] == 30  # continues counting, does not restart at 10
    assert second["reason"] == "epochs" and second["epochs"] == 3
    assert second["steps"] == 3 * start["chunks_per_epoch"]


def test_resume_needs_resumable_state(tmp_path, fixtures_dir):
    from ghostpen.model.checkpoint import CheckpointError

    with pytest.raises(CheckpointError):
        train(
            ModelConfig(**TINY),
            TrainConfig(**FAST),
            _text(fixtures_dir),
            tmp_path / "none",
            resume=True,
        )


def test_time_budget_stops_and_saves(tmp_path, fixtures_dir):
    result = train(
        ModelConfig(**TINY),
        TrainConfig(epochs=1000, minutes=0.02, **FAST),
        _text(fixtures_dir),
        tmp_path / "ck",
    )
    assert result["reason"] == "time budget"
    assert read_checkpoint(tmp_path / "ck").resume["position"]["step"] == result["steps"]


def test_cli_json_progress_and_bad_corpora(tmp_path, fixtures_dir, capsys):
    out = tmp_path / "ck"
    rc = main(
        [
            "train",
            "--corpus",
            str(fixtures_dir / "tiny.txt"),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--hidden",
            "16",
            "--embed",
            "4",
            "--layers",
            "1",
            "--seq-len",
            "20",
            "--batch-size",
            "4",
            "--progress",
            "json",
        ]
    )
    assert rc == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["event"] == "start" and lines[-1]["event"] == "done"
    assert any(e["event"] == "valid" for e in lines)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["train", "--corpus", str(empty), "--out", str(tmp_path / "x")]) == 2
    assert "no text to train on" in capsys.readouterr().err
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01" * 100)
    assert main(["train", "--corpus", str(binary), "--out", str(tmp_path / "x")]) == 2
    assert "binary" in capsys.readouterr().err


def test_default_corpus_offline_says_how_to_pass_corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("GHOSTPEN_CACHE", str(tmp_path))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(download.urllib.request, "urlopen", offline)
    with pytest.raises(CorpusError, match="--corpus"):
        download.nietzsche_path()


def test_sigterm_saves_a_resumable_checkpoint_and_sigkill_keeps_it(tmp_path, fixtures_dir):
    """A real child process: SIGTERM exits 0 with a checkpoint; SIGKILL leaves it loadable."""
    out = tmp_path / "ck"
    cmd = [
        sys.executable,
        "-m",
        "ghostpen",
        "train",
        "--corpus",
        str(fixtures_dir / "tiny.txt"),
        "--out",
        str(out),
        "--epochs",
        "100000",
        "--hidden",
        "16",
        "--embed",
        "4",
        "--layers",
        "1",
        "--seq-len",
        "20",
        "--batch-size",
        "4",
        "--progress",
        "json",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:  # wait until an epoch has been validated and saved
        if json.loads(line)["event"] == "valid":
            break
    proc.send_signal(signal.SIGTERM)
    rest = proc.stdout.read()
    assert proc.wait(timeout=60) == 0
    assert json.loads(rest.splitlines()[-1])["reason"] == "interrupted"
    step = read_checkpoint(out).resume["position"]["step"]

    proc = subprocess.Popen([*cmd, "--resume"], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    for line in proc.stdout:  # kill it in the middle of later epochs (saves keep happening)
        if json.loads(line).get("step", 0) > step + 40 or time.monotonic() > deadline:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    net, ckpt = load_model(out)  # still a complete checkpoint
    assert ckpt.resume["position"]["step"] >= step


def _nan_after(monkeypatch, good_steps: int) -> None:
    """Make every training step after the first `good_steps` report a NaN loss."""
    from ghostpen.training.step import TrainStep

    real, calls = TrainStep.__call__, []

    def step(self, x, y, state):
        loss, state = real(self, x, y, state)
        calls.append(1)
        return (loss * float("nan") if len(calls) > good_steps else loss), state

    monkeypatch.setattr(TrainStep, "__call__", step)


def test_non_finite_loss_stops_without_saving_a_nan_best(
    tmp_path, fixtures_dir, capsys, monkeypatch
):
    out = tmp_path / "ck"
    _nan_after(monkeypatch, 6)
    events, emit = _events()
    result = train(
        ModelConfig(**TINY),
        TrainConfig(epochs=3, valid_every=5, **FAST),
        _text(fixtures_dir),
        out,
        progress=emit,
    )
    assert result["reason"] == "non-finite loss" and result["steps"] == 10  # found at a log
    assert [e["step"] for e in events if e["event"] == "valid"] == [5]  # none after the NaN
    ckpt = read_checkpoint(out)  # the finite checkpoint of step 5 is kept
    assert ckpt.resume["position"]["step"] == 5
    assert np.isfinite(ckpt.training["best_val_bpc"])
    _nan_after(monkeypatch, 0)  # from the first step: nothing finite to keep
    rc = main(
        ["train", "--corpus", str(fixtures_dir / "tiny.txt"), "--out", str(tmp_path / "x")]
        + ["--hidden", "8", "--embed", "4", "--layers", "1", "--seq-len", "20"]
        + ["--batch-size", "4", "--progress", "none"]
    )
    assert rc == 1 and "NaN or infinite" in capsys.readouterr().err
    assert not (tmp_path / "x" / "meta.json").exists()
