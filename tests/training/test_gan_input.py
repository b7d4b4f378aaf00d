"""Bad training images and a full disk during `train-gan`: a message, nothing lost or left."""

from __future__ import annotations

import errno

import numpy as np
import pytest

from ghostpen.cli import main
from ghostpen.evals.probe_gan import bomb_png, npz_claiming
from ghostpen.model.gan_checkpoint import read_gan_checkpoint
from ghostpen.training.images import ImageError, load_images

SMALL = ["--ngf", "4", "--ndf", "4", "--latent", "8", "--batch-size", "4", "--progress", "none"]


@pytest.mark.parametrize(
    "images, match",
    [
        (np.zeros((64, 64, 3), np.uint8), "looks like one image"),
        (np.zeros((4, 0, 5, 3), np.uint8), "holds no pixels"),
        (np.zeros((4, 64, 64, 3), bool), "boolean"),
        (np.full((4, 64, 64, 3), "x"), "dtype"),
        (np.zeros((4, 64, 64, 3), np.complex64), "dtype"),
        (np.full((4, 64, 64, 3), -1.0, np.float32), "0..1 or 0..255"),
        (np.zeros((4, 64, 64, 7), np.uint8), "shape"),
    ],
)
def test_bad_arrays_are_refused(tmp_path, capsys, images, match):
    path = tmp_path / "bad.npz"
    np.savez(path, images=images)
    with pytest.raises(ImageError, match=match):
        load_images(path)
    rc = main(["train-gan", "--images", str(path), "--out", str(tmp_path / "out"), *SMALL])
    err = capsys.readouterr().err
    assert rc == 2 and match in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_grayscale_with_a_channel_axis_becomes_rgb(tmp_path):
    path = tmp_path / "g.npz"
    np.savez(path, images=np.full((3, 64, 64, 1), 7, np.uint8))
    data = load_images(path)
    assert data.images.shape == (3, 64, 64, 3) and (data.images == 7).all()


def test_a_header_claiming_1e11_pixels_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "bomb.npz"
    npz_claiming(path, (100_000, 1000, 1000, 3))

    def no_read(*_a, **_k):  # reading the array would allocate it: it must not happen
        raise AssertionError("the array was read")

    monkeypatch.setattr(np.lib.npyio.NpzFile, "__getitem__", no_read)
    with pytest.raises(ImageError, match="claims 279 GiB"):
        load_images(path)


def test_a_decompression_bomb_in_a_folder_is_skipped(tmp_path, face_npz):
    from PIL import Image

    folder = tmp_path / "pics"
    folder.mkdir()
    for i, im in enumerate(np.load(face_npz)["images"][:3]):
        Image.fromarray(im).save(folder / f"f{i}.png")
    bomb_png(folder / "bomb.png")
    data = load_images(folder)
    assert len(data) == 3 and [p.endswith("bomb.png") for p, _ in data.skipped] == [True]
    assert "decompression bomb" in data.skipped[0][1]


def test_labels_ids_and_the_held_out_split(styled_npz):
    data = load_images(styled_npz)
    assert data.styles == ("pixel-art", "open-peeps", "personas")
    train, held = data.split(10)
    assert len(held) == 6 and (held.ids % 10 == 9).all() and not (train.ids % 10 == 9).any()
    assert len(train) + len(held) == len(data)
    np.testing.assert_array_equal(held.labels, held.ids % 3)


def test_style_ids_outside_styles_are_refused(tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, images=np.zeros((3, 64, 64, 3), np.uint8), style=np.array([0, 1, 5]),
             styles=np.array(["a", "b"]))  # fmt: skip
    with pytest.raises(ImageError, match="outside 'styles'"):
        load_images(path)


def test_full_disk_keeps_the_last_checkpoint_and_removes_partial_files(
    tmp_path, face_npz, monkeypatch, capsys
):
    import ghostpen.model.gan_checkpoint as gc

    out = tmp_path / "g"
    args = ["train-gan", "--images", str(face_npz), "--out", str(out), *SMALL]
    assert main([*args, "--epochs", "1"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    calls = []
    real = gc.atomic_write_bytes

    def failing(path, data, mode=None):
        calls.append(path)
        if len(calls) >= 2:  # the first weights file is written, the second fails
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data, mode)

    monkeypatch.setattr(gc, "atomic_write_bytes", failing)
    rc = main([*args, "--epochs", "2", "--resume"])
    err = capsys.readouterr().err
    assert rc == 1 and "disk full" in err and "kept" in err and "Traceback" not in err
    assert len(calls) == 2
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    after.pop(".ghostpen.lock", None), before.pop(".ghostpen.lock", None)
    assert after == before  # nothing new left, nothing changed
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["epoch-001.png"]
    read_gan_checkpoint(out).arrays("generator")


def test_a_conditional_run_writes_the_ema_and_the_styles(tiny_cgan):
    ckpt = read_gan_checkpoint(tiny_cgan)
    assert ckpt.config.classes == 3 and not ckpt.config.spectral_norm  # the recipe's D
    assert {"generator", "generator_train", "discriminator", "optimizer"} <= set(ckpt.files)
    assert ckpt.dataset["styles"] == ["pixel-art", "open-peeps", "personas"]
    assert ckpt.dataset["images"] == 58  # 6 of the 64 held out (ids 9, 19, ..., 59)
    assert ckpt.training["train"]["augment"] and ckpt.training["train"]["ema"] > 0
    g, raw = ckpt.arrays("generator"), ckpt.arrays("generator_train")
    assert any(not np.array_equal(g[k], raw[k]) for k in g)  # the average is not the last step
