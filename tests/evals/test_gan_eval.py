"""`ghostpen eval gan`: the Fréchet distance, nearest images, and the JSON per style."""

from __future__ import annotations

import json

import numpy as np

from ghostpen.cli import main
from ghostpen.evals.gan import blur, fid, nearest, nearest_index


def test_fid_is_zero_for_the_same_set_and_grows_with_a_shift():
    a = np.random.default_rng(0).normal(size=(500, 8))
    assert abs(fid(a, a)) < 1e-6
    assert fid(a, a + 1.0) > fid(a, a + 0.1) > 0


def test_nearest_excludes_the_image_itself_and_names_the_image():
    imgs = np.random.default_rng(0).integers(0, 255, (5, 4, 4, 3), dtype=np.uint8)
    assert np.all(nearest(imgs, imgs) < 1e-3)
    assert np.all(nearest(imgs, imgs, exclude_self=True) > 0.1)
    _, idx = nearest_index(imgs[[3, 1]], imgs)
    assert idx.tolist() == [3, 1]


def test_blur_keeps_flat_images_and_smooths_edges():
    img = np.zeros((1, 64, 64, 3), np.uint8)
    img[:, :, 32:] = 255
    out = blur(img)
    assert out.shape == img.shape and 0 < out[0, 10, 31, 0] < 255 and out[0, 10, 2, 0] == 0


def test_eval_gan_per_style_on_the_held_out_split(tiny_cgan, styled_npz, tmp_path, capsys):
    rc = main(["eval", "gan", "--model", str(tiny_cgan), "--images", str(styled_npz),
               "--json", "--grids", str(tmp_path)])  # fmt: skip
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["held_out"] == 6 and out["trained_on"] == 58
    assert set(out["styles"]) == {"pixel-art", "open-peeps", "personas"}
    for group in (*out["styles"].values(), out["all"]):
        for key in ("fd", "fd_real", "fd_blurred", "diversity", "nearest_train_median"):
            assert isinstance(group[key], float), key
        assert 0 <= group["fidelity"] <= 1 and group["near_copies"] >= 0
    assert out["styles"]["personas"]["images"] == 2  # ids 29 and 59 (29 % 3 == 59 % 3 == 2)
    assert sorted(p.rsplit("/", 1)[1] for p in out["grids"]) == [
        "avatars-open-peeps.png", "avatars-personas.png", "avatars-pixel-art.png"]  # fmt: skip


def test_eval_gan_unconditional(tiny_gan, face_npz, capsys):
    rc = main(["eval", "gan", "--model", str(tiny_gan), "--images", str(face_npz), "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["styles"] == {} and out["all"]["images"] == out["held_out"] == 6
    assert "fidelity" not in out["all"] and isinstance(out["generate_ms_8"], float)


def test_eval_gan_bad_model_is_a_message(tmp_path, face_npz, capsys):
    rc = main(["eval", "gan", "--model", str(tmp_path), "--images", str(face_npz)])
    err = capsys.readouterr().err
    assert rc == 2 and "meta.json" in err and "Traceback" not in err
