"""The tutorial's DCGAN (`dcgan`): Gluon generator and discriminator, and a numpy generator.

Generator, a 150-dimensional latent vector to a 64x64 RGB image in [-1, 1]:

    (N,150,1,1) -> ConvT(ngf*8,4,1,0) BN ReLU -> ConvT(ngf*4,4,2,1) BN ReLU
    -> ConvT(ngf*2,4,2,1) BN ReLU -> ConvT(ngf,4,2,1) BN ReLU -> ConvT(3,4,2,1) tanh

Discriminator, an image to one logit (real > 0):

    (N,3,64,64) -> Conv(ndf,4,2,1) LReLU -> Conv(ndf*2,4,2,1) BN LReLU
    -> Conv(ndf*4,4,2,1) BN LReLU -> Conv(ndf*8,4,2,1) BN LReLU -> Conv(1,4,1,0)

No biases (as in the tutorial); weights N(0, 0.02), BatchNorm gamma N(1, 0.02). Both are
HybridBlocks. Weights travel as numpy dicts keyed `"<layer index>.<param>"` (`weights`,
`set_weights`), so checkpoints are plain `.npz` files (no pickle) and generation does not need
MXNet: `NumpyGenerator` runs the generator with BatchNorm folded into the convolutions
(inference statistics), matching the Gluon block in `predict` mode.

This architecture is not in the character-LM `REGISTRY` (its interface is ids -> logits); the
GAN code imports this module directly.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import numpy as np

from ghostpen.model.archs.base import block_arrays

NAME = "dcgan"
EPS = 1e-5  # BatchNorm epsilon (Gluon's default)


@dataclass(frozen=True)
class GanConfig:
    latent: int = 150
    image_size: int = 64
    ngf: int = 64
    ndf: int = 64

    def __post_init__(self) -> None:
        if self.image_size != 64:
            raise ValueError("image_size: only 64 is supported (the tutorial's 64x64 DCGAN)")
        for name in ("latent", "ngf", "ndf"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1024:
                raise ValueError(f"{name}: expected an integer 1..1024, got {value!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> GanConfig:
        return cls(**d)


@functools.cache
def _classes():
    """The Gluon classes, defined on first use so importing this module does not import MXNet."""
    from ghostpen.mxcompat import require_mxnet

    require_mxnet()
    from mxnet import gluon
    from mxnet.gluon import nn

    class Generator(gluon.HybridBlock):
        def __init__(self, config: GanConfig, **kwargs):
            super().__init__(**kwargs)
            g = config.ngf
            with self.name_scope():
                self.body = nn.HybridSequential()
                b = self.body
                b.add(nn.Conv2DTranspose(g * 8, 4, 1, 0, use_bias=False, in_channels=config.latent))
                b.add(nn.BatchNorm(in_channels=g * 8), nn.Activation("relu"))  # (N, ngf*8, 4, 4)
                b.add(nn.Conv2DTranspose(g * 4, 4, 2, 1, use_bias=False, in_channels=g * 8))
                b.add(nn.BatchNorm(in_channels=g * 4), nn.Activation("relu"))  # (N, ngf*4, 8, 8)
                b.add(nn.Conv2DTranspose(g * 2, 4, 2, 1, use_bias=False, in_channels=g * 4))
                b.add(nn.BatchNorm(in_channels=g * 2), nn.Activation("relu"))  # (N, ngf*2, 16, 16)
                b.add(nn.Conv2DTranspose(g, 4, 2, 1, use_bias=False, in_channels=g * 2))
                b.add(nn.BatchNorm(in_channels=g), nn.Activation("relu"))  # (N, ngf, 32, 32)
                b.add(nn.Conv2DTranspose(3, 4, 2, 1, use_bias=False, in_channels=g))
                b.add(nn.Activation("tanh"))  # (N, 3, 64, 64)

        def hybrid_forward(self, F, z):  # z: (N, latent, 1, 1)
            return self.body(z)  # (N, 3, 64, 64) in [-1, 1]

    class Discriminator(gluon.HybridBlock):
        def __init__(self, config: GanConfig, **kwargs):
            super().__init__(**kwargs)
            d = config.ndf
            with self.name_scope():
                self.body = nn.HybridSequential()
                b = self.body
                b.add(nn.Conv2D(d, 4, 2, 1, use_bias=False, in_channels=3))
                b.add(nn.LeakyReLU(0.2))  # (N, ndf, 32, 32)
                b.add(nn.Conv2D(d * 2, 4, 2, 1, use_bias=False, in_channels=d))
                b.add(nn.BatchNorm(in_channels=d * 2), nn.LeakyReLU(0.2))  # (N, ndf*2, 16, 16)
                b.add(nn.Conv2D(d * 4, 4, 2, 1, use_bias=False, in_channels=d * 2))
                b.add(nn.BatchNorm(in_channels=d * 4), nn.LeakyReLU(0.2))  # (N, ndf*4, 8, 8)
                b.add(nn.Conv2D(d * 8, 4, 2, 1, use_bias=False, in_channels=d * 4))
                b.add(nn.BatchNorm(in_channels=d * 8), nn.LeakyReLU(0.2))  # (N, ndf*8, 4, 4)
                b.add(nn.Conv2D(1, 4, 1, 0, use_bias=False, in_channels=d * 8))  # (N, 1, 1, 1)

        def hybrid_forward(self, F, x):  # x: (N, 3, 64, 64)
            return self.body(x).reshape((-1,))  # (N,) logits

    return Generator, Discriminator


def build_generator(config: GanConfig):
    return _classes()[0](config, prefix="gen_")


def build_discriminator(config: GanConfig):
    return _classes()[1](config, prefix="dis_")


def init_weights(net, seed: int | None = None) -> None:
    """The tutorial's DCGAN init: conv weights N(0, 0.02), BatchNorm gamma N(1, 0.02), beta 0."""
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()

    if seed is not None:
        mx.random.seed(seed)
    net.initialize(mx.init.Normal(0.02), force_reinit=True)
    for layer in net.body:
        if type(layer).__name__ == "BatchNorm":
            layer.gamma.set_data(mx.nd.random.normal(1.0, 0.02, shape=layer.gamma.shape))


def weights(net) -> dict[str, np.ndarray]:
    """All parameters (incl. BatchNorm running statistics) as float32 arrays: "3.gamma" etc."""
    out = {}
    for i, layer in enumerate(net.body):
        for key, value in block_arrays(layer).items():
            out[f"{i}.{key}"] = value
    return out


def set_weights(net, arrays: dict[str, np.ndarray]) -> None:
    """Load `weights()`-style arrays into an initialised or fresh net (shapes must match)."""
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()

    expected = set()
    for i, layer in enumerate(net.body):
        prefix = layer.prefix
        for name, p in layer.params.items():
            key = f"{i}.{name[len(prefix) :] if name.startswith(prefix) else name}"
            expected.add(key)
            if key not in arrays:
                raise ValueError(f"missing parameter {key}")
            value = np.asarray(arrays[key], dtype=np.float32)
            if tuple(value.shape) != tuple(p.shape):
                raise ValueError(f"parameter {key}: shape {value.shape}, expected {p.shape}")
            if p._data is None:
                p.initialize(init=mx.init.Zero(), force_reinit=True)
            p.set_data(mx.nd.array(value))
    extra = set(arrays) - expected
    if extra:
        raise ValueError(f"unexpected parameters {sorted(extra)[:3]}")


def _fold(arrays: dict[str, np.ndarray], conv: int, bn: int | None):
    """ConvTranspose weight (C_in, C_out, 4, 4) with the following BatchNorm folded in."""
    w = np.asarray(arrays[f"{conv}.weight"], dtype=np.float32)
    if bn is None:
        return w, np.zeros(w.shape[1], np.float32)
    g, b = (np.asarray(arrays[f"{bn}.{k}"], np.float32) for k in ("gamma", "beta"))
    mean, var = (
        np.asarray(arrays[f"{bn}.{k}"], np.float32) for k in ("running_mean", "running_var")
    )
    scale = g / np.sqrt(var + EPS)  # (C_out,)
    return w * scale[None, :, None, None], b - mean * scale


class NumpyGenerator:
    """The generator in numpy (BatchNorm in inference mode): latent (N, latent) -> (N, 3, 64, 64).

    A transposed convolution is one matrix product per layer, (N*H*W, C_in) @ (C_in, C_out*16),
    then 16 strided adds that place each input pixel's 4x4 patch (stride 2, crop 1).
    """

    def __init__(self, config: GanConfig, arrays: dict[str, np.ndarray]):
        self.config = config
        self.layers = []
        for conv, bn in ((0, 1), (3, 4), (6, 7), (9, 10), (12, None)):
            w, shift = _fold(arrays, conv, bn)
            c_in, c_out = w.shape[:2]
            # (C_in, C_out*16) with columns ordered (kh, kw, C_out) for the strided adds
            mat = np.ascontiguousarray(w.transpose(0, 2, 3, 1).reshape(c_in, 16 * c_out))
            self.layers.append((mat, shift.astype(np.float32), c_out))

    def __call__(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=np.float32).reshape(len(z), -1)  # (N, latent)
        n = len(z)
        mat, shift, c = self.layers[0]
        x = (z @ mat).reshape(n, 4, 4, c) + shift  # (N, 4, 4, ngf*8), channels last
        np.maximum(x, 0, out=x)
        for k, (mat, shift, c) in enumerate(self.layers[1:], start=1):
            h, w = x.shape[1:3]
            cols = (x.reshape(n * h * w, -1) @ mat).reshape(n, h, w, 4, 4, c)
            out = np.zeros((n, 2 * h + 2, 2 * w + 2, c), np.float32)  # uncropped
            for ki in range(4):
                for kj in range(4):
                    out[:, ki : ki + 2 * h : 2, kj : kj + 2 * w : 2] += cols[:, :, :, ki, kj]
            x = out[:, 1:-1, 1:-1]  # (N, 2H, 2W, C_out)
            x += shift
            if k < len(self.layers) - 1:
                np.maximum(x, 0, out=x)
        return np.tanh(x).transpose(0, 3, 1, 2)  # (N, 3, 64, 64)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """(N, 3, H, W) in [-1, 1] -> (N, H, W, 3) uint8."""
    x = (np.asarray(images, np.float32).transpose(0, 2, 3, 1) + 1.0) * 127.5
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)
