"""Avatar generation without MXNet: load a DCGAN generator, turn seeds into faces, make grids.

`AvatarModel.load(path)` reads a `ghostpen-dcgan` checkpoint (a training one or an exported
generator) and runs it with `NumpyGenerator`. Seeds are reproducible: avatar `i` of seed `S` is
row `i` of `default_rng(S).standard_normal((n, latent))`, so the same seed gives the same faces
anywhere (CLI, panel, eval). `slerp` interpolates two latent vectors on the sphere. Qt-free.

A conditional generator draws one of its `styles` (pixel-art, open-peeps, personas) or "any":
with a seed, style `i` of "any" is drawn from `default_rng([S, 1])`. A *name* gives one avatar
that is the same on every machine and numpy version (`name_latent`): the normalised name
(NFKC, case-folded, spaces collapsed) is hashed with SHA-256 into a stream of uint64s that
Box-Muller (Python's `math`, not numpy's RNG) turns into the latent; "any" takes the style
from the same hash. The latent does not depend on the style, so a name keeps its face's
layout across styles.
"""

from __future__ import annotations

import hashlib
import math
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ghostpen.model.archs.dcgan import GanConfig, NumpyGenerator, to_uint8
from ghostpen.model.gan_checkpoint import default_avatar_model, read_gan_checkpoint


def latents(seed: int, n: int, latent: int) -> np.ndarray:
    """(n, latent) float32 standard normal noise for `seed`."""
    return np.random.default_rng(seed).standard_normal((n, latent)).astype(np.float32)


ANY = "any"
NAME_SALT = b"ghostpen-avatar-name-v1\0"
MAX_NAME = 200  # characters of a name that count


def normalise_name(name: str) -> str:
    """The name as hashed: NFKC, case-folded, spaces collapsed, trimmed; ValueError if empty."""
    text = " ".join(unicodedata.normalize("NFKC", str(name)).casefold().split())[:MAX_NAME]
    if not text:
        raise ValueError("the name is empty")
    return text


def _uint64s(key: bytes, n: int) -> list[int]:
    """`n` uint64s from SHA-256(key + counter) in counter mode (big-endian)."""
    out: list[int] = []
    counter = 0
    while len(out) < n:
        block = hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        out.extend(int.from_bytes(block[i : i + 8], "big") for i in range(0, 32, 8))
        counter += 1
    return out[:n]


def _unit(u: int) -> float:
    """A uint64 -> a float in (0, 1) from its top 53 bits."""
    return ((u >> 11) + 0.5) / 2.0**53


def name_latent(name: str, latent: int) -> np.ndarray:
    """The (latent,) float32 standard-normal vector of a name (Box-Muller on hashed uint64s)."""
    key = NAME_SALT + normalise_name(name).encode("utf-8")
    us = _uint64s(key, latent + latent % 2)
    z = []
    for a, b in zip(us[0::2], us[1::2], strict=True):
        r, t = math.sqrt(-2.0 * math.log(_unit(a))), 2.0 * math.pi * _unit(b)
        z += [r * math.cos(t), r * math.sin(t)]
    return np.array(z[:latent], dtype=np.float32)


def name_style(name: str, classes: int) -> int:
    """The style id "any" takes for a name."""
    key = NAME_SALT + b"style\0" + normalise_name(name).encode("utf-8")
    return _uint64s(key, 1)[0] % max(classes, 1)


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


EXPORT_SIZES = (64, 128, 256, 512)


def export_image(image: np.ndarray, size: int, style: str):
    """uint8 (64, 64, 3) -> a PIL image of `size` pixels: nearest neighbour for pixel-art (its
    pixels stay square), Lanczos for the smooth styles."""
    from PIL import Image

    if size not in EXPORT_SIZES:
        raise ValueError(f"size {size}: choose one of {', '.join(map(str, EXPORT_SIZES))}")
    img = Image.fromarray(image)
    if size == img.width:
        return img
    return img.resize((size, size), Image.NEAREST if style == "pixel-art" else Image.LANCZOS)


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

    @property
    def styles(self) -> tuple[str, ...]:
        """The style names of a conditional generator (() for an unconditional one)."""
        if not self.config.classes:
            return ()
        names = tuple(str(s) for s in self.info["dataset"].get("styles") or ())
        if len(names) != self.config.classes:
            names = tuple(f"style-{i}" for i in range(self.config.classes))
        return names

    def style_ids(self, style: str, n: int, seed: int = 0) -> np.ndarray | None:
        """(n,) class ids for `style` ("any": drawn from the seed); ValueError naming choices."""
        if not self.config.classes:
            if style != ANY:
                raise ValueError(f"this generator has no styles; use --style {ANY}")
            return None
        if style == ANY:
            return np.random.default_rng([seed, 1]).integers(0, self.config.classes, n)
        if style not in self.styles:
            raise ValueError(f"unknown style {style!r}; choose one of "
                             f"{', '.join((*self.styles, ANY))}")  # fmt: skip
        return np.full(n, self.styles.index(style), np.int64)

    def latents(self, seed: int, n: int = 8) -> np.ndarray:
        return latents(seed, n, self.config.latent)

    def generate_latent(self, z: np.ndarray, labels=None) -> np.ndarray:
        """(N, latent) (and (N,) style ids if conditional) -> uint8 (N, 64, 64, 3)."""
        if self.config.classes and labels is None:
            labels = np.zeros(len(z), np.int64)
        return to_uint8(self.generator(np.asarray(z, np.float32), labels))

    def generate(self, seed: int, n: int = 8, style: str = ANY) -> np.ndarray:
        """`n` avatars for `seed` (in `style`): uint8 (n, 64, 64, 3)."""
        return self.generate_latent(self.latents(seed, n), self.style_ids(style, n, seed))

    def for_name(self, name: str, style: str = ANY) -> tuple[np.ndarray, str]:
        """The avatar of a name, uint8 (64, 64, 3), and the style it was drawn in."""
        z = name_latent(name, self.config.latent)[None]
        if not self.config.classes:
            self.style_ids(style, 1)  # refuses a named style
            return self.generate_latent(z)[0], ANY
        label = name_style(name, self.config.classes) if style == ANY else None
        ids = self.style_ids(style, 1) if label is None else np.array([label])
        return self.generate_latent(z, ids)[0], self.styles[int(ids[0])]

    def interpolate(self, za: np.ndarray, zb: np.ndarray, steps: int, style: str = ANY):
        """`steps` avatars on the spherical path from latent `za` to `zb` (both ends included)."""
        ts = np.linspace(0.0, 1.0, max(2, steps))
        ids = self.style_ids(style, 1)
        labels = None if ids is None else np.repeat(ids, len(ts))
        return self.generate_latent(np.stack([slerp(za, zb, t) for t in ts]), labels)
