"""`ghostpen train-gan` and image loading on the repo's own procedurally drawn faces."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from ghostpen.cli import main
from ghostpen.model.gan_checkpoint import read_gan_checkpoint
from ghostpen.training.gan import _Collapse, diversity
from ghostpen.training.images import ImageError, load_images, to_batch

SMALL = ["--ngf", "4", "--ndf", "4", "--batch-size", "16", "--progress", "none"]


def _folder(tmp_path, images):
    from PIL import Image

    folder = tmp_path / "pics"
    (folder / "sub").mkdir(parents=True)
    for i, im in enumerate(images):
        img = Image.fromarray(im).resize((80 + i, 64 + 2 * i))  # any size: cropped and resized
        img.save(folder / ("sub" if i % 2 else ".") / f"f{i}.{'png' if i % 3 else 'jpg'}")
    return folder


def test_folder_is_read_recursively_and_bad_files_are_counted(tmp_path, face_npz):
    folder = _folder(tmp_path, np.load(face_npz)["images"][:6])
    (folder / "broken.png").write_bytes(b"not a png")
    (folder / "notes.txt").write_text("ignored")
    data = load_images(folder)
    assert data.images.shape == (6, 64, 64, 3) and data.images.dtype == np.uint8
    assert [p.endswith("broken.png") for p, _ in data.skipped] == [True]
    batch = to_batch(data.images)
    assert batch.shape == (6, 3, 64, 64) and batch.min() >= -1 and batch.max() <= 1


def test_npz_variants(tmp_path, face_npz):
    gray = tmp_path / "gray.npz"
    np.savez(gray, images=np.load(face_npz)["images"][:3, :32, :32, 0])
    assert load_images(gray).images.shape == (3, 64, 64, 3)
    floats = tmp_path / "f.npz"
    np.savez(floats, images=np.full((2, 64, 64, 3), 0.5, np.float32))
    assert load_images(floats).images.max() == 128


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: p.mkdir(), "no images found"),
        (lambda p: np.savez(p.with_suffix(".npz"), pixels=np.zeros(3)), "no 'images' array"),
        (lambda p: p.with_suffix(".npz").write_bytes(b"junk"), "not a readable .npz"),
        (lambda p: np.savez(p.with_suffix(".npz"), images=np.zeros((0, 64, 64, 3))), "no pixels"),
        (lambda p: p.with_suffix(".txt").write_text("x"), "expected a folder"),
    ],
)
def test_bad_inputs_are_refused_with_a_message(tmp_path, capsys, make, match):
    target = tmp_path / "input"
    make(target)
    path = next(tmp_path.iterdir())
    with pytest.raises(ImageError, match=match):
        load_images(path)
    rc = main(["train-gan", "--images", str(path), "--out", str(tmp_path / "out"), *SMALL])
    err = capsys.readouterr().err
    assert rc == 2 and match in err and "Traceback" not in err


def test_unreadable_folder_only(tmp_path, capsys):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"x")
    rc = main(["train-gan", "--images", str(folder), "--out", str(tmp_path / "o"), *SMALL])
    assert rc == 2 and "none of the 1 image files" in capsys.readouterr().err


def test_train_checkpoint_and_resume(tmp_path, face_npz, capsys):
    out = tmp_path / "gan"
    base = ["train-gan", "--images", str(face_npz), "--out", str(out), *SMALL]
    assert main([*base, "--epochs", "1"]) == 0
    ckpt = read_gan_checkpoint(out)
    assert set(ckpt.files) == {"generator", "discriminator", "optimizer"}
    assert ckpt.dataset["images"] == 64 and len(ckpt.dataset["sha256"]) == 64
    assert ckpt.resume["epoch"] == 1 and ckpt.training["epochs_done"] == 1
    assert (out / "samples" / "epoch-001.png").exists()
    assert main([*base, "--epochs", "2"]) == 2  # an existing model needs --resume or --force
    assert "--resume" in capsys.readouterr().err
    first = ckpt.arrays("generator")
    assert main([*base, "--epochs", "2", "--resume"]) == 0
    again = read_gan_checkpoint(out)
    assert again.resume["epoch"] == 2 and again.resume["step"] == 8
    assert (out / "samples" / "epoch-002.png").exists()
    assert not np.array_equal(again.arrays("generator")["0.weight"], first["0.weight"])
    names = {p.name for p in out.iterdir()}
    assert {again.files[r] for r in again.files} <= names
    assert not any(ckpt.files[r] in names for r in ckpt.files)  # old files replaced
    (out / "mine.txt").write_text("someone else's")
    assert main([*base, "--epochs", "3", "--resume"]) == 0
    assert (out / "mine.txt").read_text() == "someone else's"


def test_someone_elses_folder_is_refused(tmp_path, face_npz, capsys):
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "thesis.tex").write_text("x")
    rc = main(["train-gan", "--images", str(face_npz), "--out", str(out), *SMALL, "--force"])
    assert rc == 2 and "not a ghostpen checkpoint" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "x"


def test_ctrl_c_saves_and_exits_0(tmp_path, face_npz):
    out = tmp_path / "int"
    cmd = [sys.executable, "-m", "ghostpen.training.gan_cli", "--images", str(face_npz),
           "--out", str(out), "--ngf", "4", "--ndf", "4", "--batch-size", "16",
           "--epochs", "100000", "--progress", "json"]  # fmt: skip
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in proc.stdout:
            if json.loads(line)["event"] == "epoch":
                break
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    done = [json.loads(x) for x in rest.splitlines() if x.strip()][-1]
    assert done["event"] == "done" and done["reason"] == "stopped"
    assert "Traceback" not in err
    assert read_gan_checkpoint(out).resume["step"] >= 4


def test_collapse_is_detected():
    c = _Collapse(steps=5)
    said = [c.update(0.001, 20.0) for _ in range(10)]
    assert sum(m is not None for m in said) == 1 and "collapse" in said[4]
    assert c.update(0.5, 1.0) is None
    same = np.zeros((4, 3, 8, 8), np.float32)
    assert diversity(same) == 0.0 and diversity(np.random.default_rng(0).normal(size=(4, 9))) > 1
