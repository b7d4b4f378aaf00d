"""Avatar generation without MXNet: load a DCGAN generator, turn seeds into faces, make grids.

`AvatarModel.load(path)` reads a `ghostpen-dcgan` checkpoint (a training one or an exported
generator) and runs it with `NumpyGenerator`. Seeds are reproducible: avatar `i` of seed `S` is
row `i` of `default_rng(S).standard_normal((n, latent))`, so the same seed gives the same faces
anywhere (CLI, panel, eval). `slerp` interpolates two latent vectors on the sphere. Qt-free.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ghostpen.model.archs.dcgan import GanConfig, NumpyGenerator, to_uint8
from ghostpen.model.gan_checkpoint import default_avatar_model, read_gan_checkpoint


def latents(seed: int, n: int, latent: int) -> np.ndarray:
    """(n, latent) float32 standard normal noise for `seed`."""
    return np.random.default_rng(seed).standard_normal((n, latent)).astype(np.float32)


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation from `a` (t=0) to `b` (t=1); linear where they are parallel."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    cos = np.clip(a @ b / max(na * nb, 1e-12), -1.0, 1.0)
    omega = np.arccos(cos)
    if omega < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    s = np.sin(omega)
    return (np.sin((1 - t) * omega) / s * a + np.sin(t * omega) / s * b).astype(np.float32)


def grid_image(images: np.ndarray, cols: int = 8, scale: int = 1, gap: int = 2):
    """uint8 (N, H, W, 3) -> a PIL image: `cols` per row, `gap` white pixels between them."""
    from PIL import Image

    n, h, w = images.shape[:3]
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    canvas = np.full((rows * (h + gap) + gap, cols * (w + gap) + gap, 3), 255, np.uint8)
    for i, im in enumerate(images):
        r, c = divmod(i, cols)
        y, x = gap + r * (h + gap), gap + c * (w + gap)
        canvas[y : y + h, x : x + w] = im
    img = Image.fromarray(canvas)
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    return img


def enlarge(image: np.ndarray, factor: int = 4, smooth: bool = False):
    """uint8 (H, W, 3) -> a PIL image `factor` times larger (nearest neighbour or bicubic)."""
    from PIL import Image

    img = Image.fromarray(image)
    size = (img.width * factor, img.height * factor)
    return img.resize(size, Image.BICUBIC if smooth else Image.NEAREST)


@dataclass
class AvatarModel:
    path: Path
    config: GanConfig
    generator: NumpyGenerator
    info: dict

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> AvatarModel:
        """Load a generator (the shipped one when `path` is None); GanCheckpointError if bad."""
        ckpt = read_gan_checkpoint(default_avatar_model() if path is None else path)
        gen = NumpyGenerator(ckpt.config, ckpt.arrays("generator"))
        info = {"dataset": ckpt.dataset, "training": ckpt.training}
        return cls(ckpt.path, ckpt.config, gen, info)

    @property
    def name(self) -> str:
        return self.path.name

    def latents(self, seed: int, n: int = 8) -> np.ndarray:
        return latents(seed, n, self.config.latent)

    def generate_latent(self, z: np.ndarray) -> np.ndarray:
        """(N, latent) -> uint8 (N, 64, 64, 3)."""
        return to_uint8(self.generator(np.asarray(z, np.float32)))

    def generate(self, seed: int, n: int = 8) -> np.ndarray:
        """`n` avatars for `seed`: uint8 (n, 64, 64, 3)."""
        return self.generate_latent(self.latents(seed, n))

    def interpolate(self, za: np.ndarray, zb: np.ndarray, steps: int) -> np.ndarray:
        """`steps` avatars on the spherical path from latent `za` to `zb` (both ends included)."""
        ts = np.linspace(0.0, 1.0, max(2, steps))
        return self.generate_latent(np.stack([slerp(za, zb, t) for t in ts]))
