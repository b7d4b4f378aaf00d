"""The EMA generator and the losses of the GAN trainer."""

from __future__ import annotations

import numpy as np

from ghostpen.model.archs import dcgan
from ghostpen.training.gan_parts import Ema, d_loss, g_loss


def test_ema_averages_and_reestimates_batchnorm_statistics():
    cfg = dcgan.GanConfig(latent=8, ngf=4, ndf=4, classes=3)
    net = dcgan.build_generator(cfg)
    dcgan.init_weights(net, 0)
    before = dcgan.weights(net)
    assert not before["1.running_mean"].any()  # a fresh net's statistics are 0 / 1
    ema = Ema(net, 0.5)
    w = net.body[0].weight
    w.set_data(w.data() + 1.0)
    ema.update(step=10_000)  # beta = decay = 0.5: halfway to the new weights
    arrays = ema.arrays(net, cfg, lambda rng, n: rng.integers(0, 3, n))
    np.testing.assert_allclose(arrays["0.weight"], before["0.weight"] + 0.5, atol=1e-6)
    # re-estimated on noise: no longer the fresh 0 / 1, and close to the layer's batch moments
    assert np.abs(arrays["1.running_mean"]).max() > 1e-3
    assert np.abs(arrays["1.running_var"] - 1).max() > 1e-2
    first = np.asarray(dcgan.g_input(np.random.default_rng(1).standard_normal((512, 8)),
                                     np.arange(512) % 3, 3), np.float32)  # fmt: skip
    pre = np.einsum("ni,iohw->nohw", first, arrays["0.weight"])  # the first layer, (N, 32, 4, 4)
    np.testing.assert_allclose(arrays["1.running_mean"], pre.mean((0, 2, 3)), atol=0.05)


def test_losses():
    import mxnet as mx

    real, fake = mx.nd.array([2.0, 0.5]), mx.nd.array([-2.0, 0.5])
    np.testing.assert_allclose(d_loss("hinge", real, fake).asnumpy(), [0.0, 2.0])
    np.testing.assert_allclose(g_loss("hinge", fake).asnumpy(), [2.0, -0.5])
    softplus = np.log1p(np.exp([-2.0, -0.5])) + np.log1p(np.exp([-2.0, 0.5]))
    np.testing.assert_allclose(d_loss("bce", real, fake).asnumpy(), softplus, rtol=1e-5)
    np.testing.assert_allclose(g_loss("bce", fake).asnumpy(), np.log1p(np.exp([2.0, -0.5])),
                               rtol=1e-5)  # fmt: skip
