"""DiffAugment: the published colour, translation and cutout, differentiable, in MXNet ops."""

from __future__ import annotations

import numpy as np
import pytest

from ghostpen.training import gan_augment as ga


def _x(n=4):
    return np.random.default_rng(0).uniform(-1, 1, (n, 3, 64, 64)).astype("f")


def test_color_is_the_three_published_steps_composed():
    import mxnet as mx

    x = _x()
    rng = np.random.default_rng(5)
    b, s, c = (rng.uniform(-0.5, 0.5, 4) * 2, rng.uniform(0, 2, 4), rng.uniform(0.5, 1.5, 4))
    ref = x + b[:, None, None, None]
    m = ref.mean(1, keepdims=True)
    ref = (ref - m) * s[:, None, None, None] + m
    mm = ref.mean((1, 2, 3), keepdims=True)
    ref = (ref - mm) * c[:, None, None, None] + mm
    got = ga._color(mx.nd.array(x), np.random.default_rng(5), mx.nd).asnumpy()
    np.testing.assert_allclose(got, ref, atol=1e-5)


def test_translation_moves_whole_pixels_and_pads_with_zero():
    import mxnet as mx

    x = _x(1)
    rng = np.random.default_rng(3)
    probe = np.random.default_rng(3)
    sy, sx = probe.integers(-8, 9, 1)[0], probe.integers(-8, 9, 1)[0]
    got = ga._translation(mx.nd.array(x), rng, mx.nd).asnumpy()[0]
    want = np.zeros_like(x[0])
    src = x[0][:, max(-sy, 0) : 64 - max(sy, 0), max(-sx, 0) : 64 - max(sx, 0)]
    want[:, max(sy, 0) : 64 + min(sy, 0), max(sx, 0) : 64 + min(sx, 0)] = src
    assert (sy, sx) != (0, 0)
    np.testing.assert_allclose(got, want, atol=1e-4)


def test_cutout_blanks_one_square_of_half_the_side():
    import mxnet as mx

    x = np.ones((3, 3, 64, 64), np.float32)
    got = ga._cutout(mx.nd.array(x), np.random.default_rng(1), mx.nd).asnumpy()
    for img in got:
        zeros = np.argwhere(img[0] == 0)
        assert 0 < len(zeros) <= 32 * 32 and (img[:, img[0] == 0] == 0).all()


def test_gradients_flow_through_every_part():
    import mxnet as mx
    from mxnet import autograd

    x = mx.nd.array(_x())
    x.attach_grad()
    with autograd.record():
        y = ga.diff_augment(
            x, ga.check_policy("color,translation,cutout"), np.random.default_rng(0)
        )
        loss = (y * y).sum()
    loss.backward()
    assert float(mx.nd.abs(x.grad).sum().asscalar()) > 0


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="unknown part 'rotate'"):
        ga.check_policy("color,rotate")


def test_the_spectral_norm_hinge_ttur_path_trains(tmp_path, styled_npz):
    from ghostpen.cli import main
    from ghostpen.model.avatars import AvatarModel
    from ghostpen.model.gan_checkpoint import read_gan_checkpoint

    out = tmp_path / "sn"
    rc = main(["train-gan", "--images", str(styled_npz), "--out", str(out), "--epochs", "1",
               "--ngf", "4", "--ndf", "4", "--latent", "8", "--batch-size", "16", "--conditional",
               "--spectral-norm", "--loss", "hinge", "--lr", "1e-4", "--lr-d", "4e-4",
               "--ema", "0.9", "--augment", "color,translation,cutout",
               "--progress", "none"])  # fmt: skip
    assert rc == 0
    ckpt = read_gan_checkpoint(out)
    assert ckpt.config.spectral_norm and ckpt.training["train"]["lr_d"] == 4e-4
    assert AvatarModel.load(out).generate(0, 3, "personas").shape == (3, 64, 64, 3)
    rc = main(["train-gan", "--images", str(styled_npz), "--out", str(out), "--epochs", "2",
               "--resume", "--batch-size", "16", "--conditional", "--spectral-norm", "--loss",
               "hinge", "--ema", "0.9", "--progress", "none"])  # fmt: skip
    assert rc == 0 and read_gan_checkpoint(out).resume["epoch"] == 2
