"""`ghostpen eval gan`: the Fréchet distance, and the JSON on a tiny generator."""

from __future__ import annotations

import json

import numpy as np

from ghostpen.cli import main
from ghostpen.evals.gan import fid, nearest


def test_fid_is_zero_for_the_same_set_and_grows_with_a_shift():
    a = np.random.default_rng(0).normal(size=(500, 8))
    assert abs(fid(a, a)) < 1e-6
    assert fid(a, a + 1.0) > fid(a, a + 0.1) > 0


def test_nearest_excludes_the_image_itself():
    imgs = np.random.default_rng(0).integers(0, 255, (5, 4, 4, 3), dtype=np.uint8)
    assert np.all(nearest(imgs, imgs) < 1e-3)
    assert np.all(nearest(imgs, imgs, exclude_self=True) > 0.1)


def test_eval_gan_prints_the_numbers(tiny_gan, face_npz, capsys):
    rc = main(["eval", "gan", "--model", str(tiny_gan), "--images", str(face_npz), "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("generate_ms_8", "fid_pca", "fid_pca_floor", "fid_pca_baseline", "diversity"):
        assert isinstance(out[key], float), key
    assert out["nearest_train_distance"]["of"] == out["images_per_set"] == 21
    assert out["fid_pca_floor"] < out["fid_pca_baseline"]


def test_eval_gan_bad_model_is_a_message(tmp_path, face_npz, capsys):
    rc = main(["eval", "gan", "--model", str(tmp_path), "--images", str(face_npz)])
    err = capsys.readouterr().err
    assert rc == 2 and "meta.json" in err and "Traceback" not in err
