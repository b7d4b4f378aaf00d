"""DiffAugment for the GAN (Zhao et al. 2020): the same random, differentiable changes to real
and generated images before the discriminator sees them, so it cannot memorise a small set.

`diff_augment(x, policy, rng)`: x an MXNet NDArray (N, 3, 64, 64) in [-1, 1]; policy a
comma-separated subset of "color,translation,cutout"; rng a numpy Generator that draws the
random parameters (per image). Every op is an MXNet op on x (broadcast adds and products, a
bilinear sampler at whole-pixel offsets, a constant mask), so gradients flow back into the
generator. The published parameters: brightness +-0.5, saturation x0..2, contrast x0.5..1.5
(in [0, 1] units, so doubled here for [-1, 1] where it matters), translation up to 1/8 of the
side with zero padding, one cutout square of half the side.
"""

from __future__ import annotations

import numpy as np

from ghostpen.mxcompat import require_mxnet

POLICIES = ("color", "translation", "cutout")


def check_policy(policy: str) -> tuple[str, ...]:
    """The policy's parts; ValueError naming an unknown one."""
    parts = tuple(p for p in policy.split(",") if p) if policy else ()
    for p in parts:
        if p not in POLICIES:
            raise ValueError(f"augment: unknown part {p!r} (known: {', '.join(POLICIES)})")
    return parts


def _color(x, rng, nd):
    """Brightness, saturation and contrast in one per-image affine map (one batch_dot).

    With b, s, c the three draws, m the per-pixel channel mean and M the image mean, the three
    published steps compose to c*s*x + c*(1-s)*m + (1-c)*M + b (the channel mean and the image
    mean are unchanged by the saturation step), i.e. a (3, 3) channel mix plus an offset.
    """
    n, ch, h, w = x.shape
    bright = rng.uniform(-0.5, 0.5, n) * 2.0  # [0,1] units -> [-1,1] units
    sat = rng.uniform(0.0, 2.0, n)
    con = rng.uniform(0.5, 1.5, n)
    mix = (con * sat)[:, None, None] * np.eye(ch) + (con * (1 - sat) / ch)[:, None, None]
    flat = x.reshape((n, ch, h * w))  # (N, 3, HW)
    mean = nd.mean(flat, axis=(1, 2))  # (N,) image mean M
    offset = nd.array(bright) + nd.array(1 - con) * mean  # (N,)
    offset = nd.repeat(offset.reshape((n, 1, 1)), ch, axis=1)  # (N, 3, 1)
    mat = nd.concat(nd.array(mix.astype(np.float32)), offset, dim=2)  # (N, 3, 4)
    ones = nd.ones((n, 1, h * w))
    out = nd.batch_dot(mat, nd.concat(flat, ones, dim=1))  # (N, 3, HW)
    return out.reshape((n, ch, h, w))


def _translation(x, rng, nd, ratio: float = 0.125):
    n, _, h, w = x.shape
    sy = rng.integers(-int(h * ratio), int(h * ratio) + 1, n)
    sx = rng.integers(-int(w * ratio), int(w * ratio) + 1, n)
    # affine grid (N, 6): x_src = x_dst - shift, in [-1, 1] coordinates (corners aligned)
    theta = np.zeros((n, 6), np.float32)
    theta[:, 0] = theta[:, 4] = 1.0
    theta[:, 2] = -2.0 * sx / (w - 1)
    theta[:, 5] = -2.0 * sy / (h - 1)
    grid = nd.GridGenerator(nd.array(theta), transform_type="affine", target_shape=(h, w))
    return nd.BilinearSampler(x, grid)  # (N, 3, H, W), zeros where shifted in


def _cutout(x, rng, nd, ratio: float = 0.5):
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = rng.integers(0, h + (1 - ch % 2), n)
    cx = rng.integers(0, w + (1 - cw % 2), n)
    mask = np.ones((n, x.shape[1], h, w), np.float32)
    for i in range(n):
        y0, x0 = max(cy[i] - ch // 2, 0), max(cx[i] - cw // 2, 0)
        mask[i, :, y0 : max(cy[i] + ch - ch // 2, 0), x0 : max(cx[i] + cw - cw // 2, 0)] = 0
    return x * nd.array(mask)  # elementwise (MXNet's CPU broadcasting is slow)


def diff_augment(x, policy: tuple[str, ...], rng: np.random.Generator):
    """Apply `policy`'s parts in order (color, translation, cutout) to NDArray x."""
    require_mxnet()
    import mxnet as mx

    nd = mx.nd
    for part in POLICIES:
        if part in policy:
            x = {"color": _color, "translation": _translation, "cutout": _cutout}[part](x, rng, nd)
    return x
