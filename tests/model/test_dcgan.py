"""The DCGAN: every layer's shape, the numpy generator against the Gluon one, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

from ghostpen.model.archs import dcgan
from ghostpen.model.avatars import AvatarModel, grid_image, latents, slerp
from ghostpen.model.gan_checkpoint import (
    GanCheckpointError,
    export_generator,
    read_gan_checkpoint,
    save_gan_checkpoint,
)

CFG = dcgan.GanConfig(ngf=4, ndf=6)


def _layer_shapes(net, x):
    shapes = []
    for layer in net.body:
        x = layer(x)
        shapes.append(x.shape)
    return shapes


def test_generator_layer_shapes():
    import mxnet as mx

    net = dcgan.build_generator(CFG)
    dcgan.init_weights(net, 0)
    shapes = _layer_shapes(net, mx.nd.zeros((2, 150, 1, 1)))
    g = CFG.ngf
    assert shapes == [
        (2, g * 8, 4, 4), (2, g * 8, 4, 4), (2, g * 8, 4, 4),
        (2, g * 4, 8, 8), (2, g * 4, 8, 8), (2, g * 4, 8, 8),
        (2, g * 2, 16, 16), (2, g * 2, 16, 16), (2, g * 2, 16, 16),
        (2, g, 32, 32), (2, g, 32, 32), (2, g, 32, 32),
        (2, 3, 64, 64), (2, 3, 64, 64),
    ]  # fmt: skip
    out = net(mx.nd.random.normal(shape=(2, 150, 1, 1))).asnumpy()
    assert out.shape == (2, 3, 64, 64) and np.abs(out).max() <= 1.0


def test_discriminator_layer_shapes():
    import mxnet as mx

    net = dcgan.build_discriminator(CFG)
    dcgan.init_weights(net, 0)
    d = CFG.ndf
    shapes = _layer_shapes(net, mx.nd.zeros((2, 3, 64, 64)))
    assert shapes == [
        (2, d, 32, 32), (2, d, 32, 32),
        (2, d * 2, 16, 16), (2, d * 2, 16, 16), (2, d * 2, 16, 16),
        (2, d * 4, 8, 8), (2, d * 4, 8, 8), (2, d * 4, 8, 8),
        (2, d * 8, 4, 4), (2, d * 8, 4, 4), (2, d * 8, 4, 4),
        (2, 1, 1, 1),
    ]  # fmt: skip
    assert net(mx.nd.zeros((5, 3, 64, 64))).shape == (5,)


def test_init_is_the_tutorials():
    net = dcgan.build_generator(dcgan.GanConfig(ngf=16))
    dcgan.init_weights(net, 0)
    w = dcgan.weights(net)
    assert abs(w["0.weight"].std() - 0.02) < 0.002
    assert abs(w["1.gamma"].mean() - 1.0) < 0.01 and w["1.gamma"].std() > 0.005
    assert not any(k.endswith("bias") for k in w)


def _random_weights(rng):
    net = dcgan.build_generator(CFG)
    dcgan.init_weights(net, 1)
    w = dcgan.weights(net)
    for k, v in w.items():  # weights large enough, and BatchNorm statistics not trivial
        if k.endswith("weight"):
            w[k] = rng.normal(0, 0.15, v.shape).astype("f")
        elif k.endswith("running_mean") or k.endswith("beta"):
            w[k] = rng.normal(0, 0.3, v.shape).astype("f")
        elif k.endswith("running_var") or k.endswith("gamma"):
            w[k] = rng.uniform(0.5, 2.0, v.shape).astype("f")
    return net, w


@pytest.mark.parametrize("hybridize", [False, True])
def test_numpy_generator_matches_gluon(hybridize):
    import mxnet as mx

    rng = np.random.default_rng(0)
    net, w = _random_weights(rng)
    dcgan.set_weights(net, w)
    if hybridize:
        net.hybridize(static_alloc=True)
    z = rng.standard_normal((3, 150)).astype("f")
    gluon = net(mx.nd.array(z.reshape(3, 150, 1, 1))).asnumpy()
    mine = dcgan.NumpyGenerator(CFG, w)(z)
    assert gluon.std() > 0.1  # a real comparison, not of two constant images
    np.testing.assert_allclose(mine, gluon, atol=2e-5)


def test_set_weights_refuses_wrong_shapes():
    net, w = _random_weights(np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape"):
        dcgan.set_weights(net, {**w, "0.weight": np.zeros((1, 2, 3, 4), "f")})
    with pytest.raises(ValueError, match="missing"):
        dcgan.set_weights(net, {k: v for k, v in w.items() if k != "1.gamma"})


def test_config_is_checked():
    with pytest.raises(ValueError, match="ngf"):
        dcgan.GanConfig(ngf=0)
    with pytest.raises(ValueError, match="image_size"):
        dcgan.GanConfig(image_size=32)


def test_checkpoint_round_trip_export_and_damage(tmp_path):
    _, w = _random_weights(np.random.default_rng(0))
    save_gan_checkpoint(tmp_path / "c", CFG, {"generator": w}, dataset={"sha256": "x"})
    ckpt = read_gan_checkpoint(tmp_path / "c")
    assert ckpt.config == CFG and ckpt.dataset == {"sha256": "x"}
    assert all(np.array_equal(ckpt.arrays("generator")[k], w[k]) for k in w)
    export_generator(tmp_path / "c", tmp_path / "e", float16=True)
    small = AvatarModel.load(tmp_path / "e")
    full = AvatarModel.load(tmp_path / "c")
    diff = np.abs(small.generate(3).astype(int) - full.generate(3).astype(int))
    assert diff.mean() < 2.0  # float16 keeps the faces
    gen_file = tmp_path / "c" / ckpt.files["generator"]
    gen_file.write_bytes(gen_file.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(GanCheckpointError, match="sha256"):
        read_gan_checkpoint(tmp_path / "c").arrays("generator")


@pytest.mark.parametrize(
    "meta, match",
    [
        ("{", "not valid JSON"),
        ('{"format": "ghostpen-charlm", "version": 1}', "not a ghostpen-dcgan"),
        ('{"format": "ghostpen-dcgan", "version": 1, "config": {"ngf": "x"}}', "config.ngf"),
        ('{"format": "ghostpen-dcgan", "version": 1, "config": {}, '
         '"files": {"generator": "../etc/passwd"}}', "plain file name"),
    ],
)  # fmt: skip
def test_bad_meta_gives_a_message(tmp_path, meta, match):
    (tmp_path / "meta.json").write_text(meta)
    with pytest.raises(GanCheckpointError, match=match):
        read_gan_checkpoint(tmp_path)


def test_missing_meta_gives_a_message(tmp_path):
    with pytest.raises(GanCheckpointError, match="missing"):
        read_gan_checkpoint(tmp_path)
    with pytest.raises(GanCheckpointError, match="not a checkpoint directory"):
        read_gan_checkpoint(tmp_path / "absent")


def test_seeds_slerp_and_grid():
    assert np.array_equal(latents(5, 4, 150), latents(5, 4, 150))
    assert not np.array_equal(latents(5, 4, 150), latents(6, 4, 150))
    a, b = latents(1, 2, 150)
    np.testing.assert_allclose(slerp(a, b, 0.0), a, atol=1e-5)
    np.testing.assert_allclose(slerp(a, b, 1.0), b, atol=1e-5)
    mid = slerp(a, b, 0.5)
    assert abs(np.linalg.norm(mid) - (np.linalg.norm(a) + np.linalg.norm(b)) / 2) < 1.5
    img = grid_image(np.zeros((8, 64, 64, 3), np.uint8), cols=4)
    assert img.size == (4 * 66 + 2, 2 * 66 + 2)


CCFG = dcgan.GanConfig(latent=8, ngf=4, ndf=6, classes=3)


def test_conditional_numpy_generator_matches_gluon():
    import mxnet as mx

    rng = np.random.default_rng(0)
    net = dcgan.build_generator(CCFG)
    dcgan.init_weights(net, 2)
    w = {k: (rng.normal(0, 0.3, v.shape) if k.endswith("weight") else v).astype("f")
         for k, v in dcgan.weights(net).items()}  # fmt: skip
    dcgan.set_weights(net, w)
    z, labels = rng.standard_normal((4, 8)).astype("f"), np.array([0, 1, 2, 1])
    zin = dcgan.g_input(z, labels, 3)  # (4, 8 + 3): the one-hot joins the noise
    assert zin.shape == (4, 11) and zin[3, 9] == 1 and zin[3, 8:].sum() == 1
    gluon = net(mx.nd.array(zin.reshape(4, 11, 1, 1))).asnumpy()
    mine = dcgan.NumpyGenerator(CCFG, w)(z, labels)
    assert gluon.std() > 0.05
    np.testing.assert_allclose(mine, gluon, atol=2e-5)
    other = dcgan.NumpyGenerator(CCFG, w)(z, np.array([2, 2, 2, 2]))
    assert np.abs(other - mine).max() > 1e-3  # the label changes the image
    with pytest.raises(ValueError, match="conditional"):
        dcgan.NumpyGenerator(CCFG, w)(z)


def test_conditional_batchnorm_discriminator_sees_label_planes():
    import mxnet as mx

    net = dcgan.build_discriminator(CCFG)
    dcgan.init_weights(net, 0)
    planes = dcgan.d_input_planes(np.array([2, 0]), 3)
    assert planes.shape == (2, 3, 64, 64) and planes[0, 2].min() == 1 and planes[0, :2].max() == 0
    x = mx.nd.concat(mx.nd.zeros((2, 3, 64, 64)), mx.nd.array(planes), dim=1)
    assert net(x).shape == (2,)


def test_spectral_norm_projection_discriminator():
    import mxnet as mx
    from mxnet import autograd

    cfg = dcgan.GanConfig(latent=8, ngf=4, ndf=6, classes=3, spectral_norm=True)
    net = dcgan.build_discriminator(cfg)
    dcgan.init_weights(net, 0)
    w = dcgan.weights(net)
    assert {"w0", "u0", "w4", "embed", "u_embed"} <= set(w)
    x = mx.nd.array(np.random.default_rng(0).normal(size=(5, 3, 64, 64)).astype("f"))
    y = mx.nd.array([0, 1, 2, 0, 1])
    u0 = dcgan.weights(net)["u0"]
    net(x, y)  # predict mode: the power-iteration vectors stay
    assert np.array_equal(dcgan.weights(net)["u0"], u0)
    for _ in range(30):  # training mode: they converge to the top singular vectors
        with autograd.record():
            out = net(x, y)
    assert out.shape == (5,) and not np.array_equal(dcgan.weights(net)["u0"], u0)
    wm = dcgan.weights(net)["w1"].reshape(12, -1)
    u = dcgan.weights(net)["u1"]
    v = u @ wm / np.linalg.norm(u @ wm)
    sigma = float((u @ wm @ v.T).ravel()[0])
    assert abs(sigma - np.linalg.svd(wm, compute_uv=False)[0]) < 1e-3 * sigma
    same_label = net(x, mx.nd.array([0, 0, 0, 0, 0])).asnumpy()
    assert np.abs(same_label - net(x, y).asnumpy()).max() > 0  # the projection term counts
