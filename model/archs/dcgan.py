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

Class-conditional (`classes` > 0, one class per avatar style): the style's one-hot vector joins
the noise, so the generator's input is (N, latent + classes, 1, 1) (a one-hot into a linear
layer is an embedding concatenated to z). With `spectral_norm` the discriminator is
`SNDiscriminator`: the same four strided convolutions without BatchNorm, every weight divided
by its largest singular value (one power iteration a forward, Miyato et al. 2018), and, when
conditional, a projection term <embed(y), sum-pooled features> added to the logit (Miyato &
Koyama 2018). Without `spectral_norm`, a conditional discriminator is the tutorial's with the
one-hot label as `classes` extra constant input planes (`d_input_planes`).

This architecture is not in the character-LM `REGISTRY` (its interface is ids -> logits); the
GAN code imports this module directly.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import numpy as np

from ghostpen.model.archs.base import block_arrays
from ghostpen.mxcompat import require_mxnet

NAME = "dcgan"
EPS = 1e-5  # BatchNorm epsilon (Gluon's default)


@dataclass(frozen=True)
class GanConfig:
    latent: int = 150
    image_size: int = 64
    ngf: int = 64  # generator width (the tutorial's 64)
    ndf: int = 64  # discriminator width (the tutorial's 64)
    classes: int = 0  # styles the generator is conditioned on (0: unconditional)
    spectral_norm: bool = False  # SNDiscriminator (no BatchNorm, spectral norm, projection)

    def __post_init__(self) -> None:
        if not isinstance(self.classes, int) or isinstance(self.classes, bool):
            raise ValueError(f"classes: expected an integer 0..64, got {self.classes!r}")
        if not 0 <= self.classes <= 64:
            raise ValueError(f"classes: expected an integer 0..64, got {self.classes!r}")
        if not isinstance(self.spectral_norm, bool):
            raise ValueError(f"spectral_norm: expected true or false, got {self.spectral_norm!r}")
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
                z_in = config.latent + config.classes
                b.add(nn.Conv2DTranspose(g * 8, 4, 1, 0, use_bias=False, in_channels=z_in))
                b.add(nn.BatchNorm(in_channels=g * 8), nn.Activation("relu"))  # (N, ngf*8, 4, 4)
                b.add(nn.Conv2DTranspose(g * 4, 4, 2, 1, use_bias=False, in_channels=g * 8))
                b.add(nn.BatchNorm(in_channels=g * 4), nn.Activation("relu"))  # (N, ngf*4, 8, 8)
                b.add(nn.Conv2DTranspose(g * 2, 4, 2, 1, use_bias=False, in_channels=g * 4))
                b.add(nn.BatchNorm(in_channels=g * 2), nn.Activation("relu"))  # (N, ngf*2, 16, 16)
                b.add(nn.Conv2DTranspose(g, 4, 2, 1, use_bias=False, in_channels=g * 2))
                b.add(nn.BatchNorm(in_channels=g), nn.Activation("relu"))  # (N, ngf, 32, 32)
                b.add(nn.Conv2DTranspose(3, 4, 2, 1, use_bias=False, in_channels=g))
                b.add(nn.Activation("tanh"))  # (N, 3, 64, 64)

        def hybrid_forward(self, F, z):  # z: (N, latent + classes, 1, 1), see `g_input`
            return self.body(z)  # (N, 3, 64, 64) in [-1, 1]

    class Discriminator(gluon.HybridBlock):
        def __init__(self, config: GanConfig, **kwargs):
            super().__init__(**kwargs)
            d = config.ndf
            with self.name_scope():
                self.body = nn.HybridSequential()
                b = self.body
                c_in = 3 + config.classes  # a conditional one sees its label as planes
                b.add(nn.Conv2D(d, 4, 2, 1, use_bias=False, in_channels=c_in))
                b.add(nn.LeakyReLU(0.2))  # (N, ndf, 32, 32)
                b.add(nn.Conv2D(d * 2, 4, 2, 1, use_bias=False, in_channels=d))
                b.add(nn.BatchNorm(in_channels=d * 2), nn.LeakyReLU(0.2))  # (N, ndf*2, 16, 16)
                b.add(nn.Conv2D(d * 4, 4, 2, 1, use_bias=False, in_channels=d * 2))
                b.add(nn.BatchNorm(in_channels=d * 4), nn.LeakyReLU(0.2))  # (N, ndf*4, 8, 8)
                b.add(nn.Conv2D(d * 8, 4, 2, 1, use_bias=False, in_channels=d * 4))
                b.add(nn.BatchNorm(in_channels=d * 8), nn.LeakyReLU(0.2))  # (N, ndf*8, 4, 4)
                b.add(nn.Conv2D(1, 4, 1, 0, use_bias=False, in_channels=d * 8))  # (N, 1, 1, 1)

        def hybrid_forward(self, F, x):  # x: (N, 3 + classes, 64, 64), see `d_input`
            return self.body(x).reshape((-1,))  # (N,) logits

    return Generator, Discriminator, _sn_discriminator()


def _sn_discriminator():
    """SNDiscriminator: a plain Block, as its power-iteration vectors change in place."""
    require_mxnet()
    import mxnet as mx
    from mxnet import autograd, gluon

    nd = mx.nd

    def normalised(w, u):
        """w / sigma_max(w), sigma from one power iteration; u (1, out) is updated in place."""
        wm = w.reshape((w.shape[0], -1))  # (out, in*k*k)
        training = autograd.is_training()  # pause() below switches to predict mode
        with autograd.pause():
            v = nd.L2Normalization(nd.dot(u.data(), wm))  # (1, in*k*k)
            u_new = nd.L2Normalization(nd.dot(v, wm, transpose_b=True))  # (1, out)
            if training:
                u.set_data(u_new)
        sigma = nd.sum(nd.dot(u_new, wm) * v)
        return w / sigma

    class SNDiscriminator(gluon.Block):
        def __init__(self, config: GanConfig, **kwargs):
            super().__init__(**kwargs)
            d, self.classes = config.ndf, config.classes
            shapes = [(d, 3), (d * 2, d), (d * 4, d * 2), (d * 8, d * 4), (1, d * 8)]
            self.shapes = shapes
            with self.name_scope():
                for i, (c_out, c_in) in enumerate(shapes):
                    w = self.params.get(f"w{i}", shape=(c_out, c_in, 4, 4))
                    setattr(self, f"w{i}", w)
                    u = self.params.get(f"u{i}", shape=(1, c_out), grad_req="null",
                                        init=mx.init.Normal(1.0))  # fmt: skip
                    setattr(self, f"u{i}", u)
                if self.classes:
                    self.embed = self.params.get("embed", shape=(self.classes, d * 8))
                    self.u_embed = self.params.get(
                        "u_embed", shape=(1, self.classes), grad_req="null",
                        init=mx.init.Normal(1.0))  # fmt: skip

        def forward(self, x, y=None):  # x: (N, 3, 64, 64), y: (N,) class ids
            h = x
            for i, (c_out, _) in enumerate(self.shapes[:4]):
                w = normalised(getattr(self, f"w{i}").data(), getattr(self, f"u{i}"))
                h = nd.Convolution(h, w, kernel=(4, 4), stride=(2, 2), pad=(1, 1),
                                   num_filter=c_out, no_bias=True)  # fmt: skip
                h = nd.LeakyReLU(h, slope=0.2)  # (N, ndf*2^i, 32/2^i, 32/2^i)
            w = normalised(self.w4.data(), self.u4)
            out = nd.Convolution(h, w, kernel=(4, 4), num_filter=1, no_bias=True)  # (N,1,1,1)
            out = out.reshape((-1,))  # (N,)
            if self.classes and y is not None:
                e = normalised(self.embed.data(), self.u_embed)  # (classes, ndf*8)
                pooled = nd.sum(h, axis=(2, 3))  # (N, ndf*8)
                out = out + nd.sum(nd.take(e, y) * pooled, axis=1)  # projection
            return out

    return SNDiscriminator


def build_generator(config: GanConfig):
    return _classes()[0](config, prefix="gen_")


def build_discriminator(config: GanConfig):
    if config.spectral_norm:
        return _classes()[2](config, prefix="dis_")
    return _classes()[1](config, prefix="dis_")


def d_input_planes(labels, classes: int, size: int = 64) -> np.ndarray:
    """(N,) class ids -> (N, classes, size, size) one-hot planes, the BatchNorm
    discriminator's extra input channels when conditional."""
    onehot = np.zeros((len(labels), classes, 1, 1), np.float32)
    onehot[np.arange(len(labels)), np.asarray(labels, np.int64)] = 1.0
    return np.ascontiguousarray(np.broadcast_to(onehot, (len(labels), classes, size, size)))


def g_input(z: np.ndarray, labels, classes: int) -> np.ndarray:
    """(N, latent) noise and (N,) class ids -> the generator's (N, latent + classes) input."""
    z = np.asarray(z, np.float32).reshape(len(z), -1)
    if not classes:
        return z
    onehot = np.zeros((len(z), classes), np.float32)
    onehot[np.arange(len(z)), np.asarray(labels, np.int64)] = 1.0
    return np.concatenate([z, onehot], axis=1)


def init_weights(net, seed: int | None = None) -> None:
    """The tutorial's DCGAN init: conv weights N(0, 0.02), BatchNorm gamma N(1, 0.02), beta 0."""
    mx = require_mxnet()

    if seed is not None:
        mx.random.seed(seed)
    net.initialize(mx.init.Normal(0.02), force_reinit=True)
    if not hasattr(net, "body"):  # SNDiscriminator: u vectors keep their own N(0, 1) init
        for name, p in net.collect_params().items():
            if name[len(net.prefix) :].startswith("u"):
                p.set_data(mx.nd.random.normal(0, 1, shape=p.shape))
        return
    for layer in net.body:
        if type(layer).__name__ == "BatchNorm":
            layer.gamma.set_data(mx.nd.random.normal(1.0, 0.02, shape=layer.gamma.shape))


def weights(net) -> dict[str, np.ndarray]:
    """All parameters (incl. BatchNorm running statistics) as float32 arrays: "3.gamma" etc."""
    if not hasattr(net, "body"):  # SNDiscriminator: "w0", "u0", "embed", …
        return block_arrays(net)
    out = {}
    for i, layer in enumerate(net.body):
        for key, value in block_arrays(layer).items():
            out[f"{i}.{key}"] = value
    return out


def set_weights(net, arrays: dict[str, np.ndarray]) -> None:
    """Load `weights()`-style arrays into an initialised or fresh net (shapes must match)."""
    mx = require_mxnet()

    expected = set()
    blocks = list(enumerate(net.body)) if hasattr(net, "body") else [(None, net)]
    for i, layer in blocks:
        prefix = layer.prefix
        for name, p in layer.params.items():
            key = name[len(prefix) :] if name.startswith(prefix) else name
            key = key if i is None else f"{i}.{key}"
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

    def __call__(self, z: np.ndarray, labels=None) -> np.ndarray:
        """(N, latent) noise (and (N,) class ids when conditional) -> (N, 3, 64, 64)."""
        classes = self.config.classes
        if classes and labels is None:
            raise ValueError("this generator is conditional: give a class id per latent")
        z = g_input(z, labels, classes)  # (N, latent + classes)
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
