"""Image sets for GAN training: a folder of pictures or an `.npz` with an `images` array.

`load_images(path)` returns an `ImageSet`: uint8 (N, 64, 64, 3) RGB, the sha256 of the pixels,
and the files it skipped with the reason. A folder is read recursively; every common format
Pillow opens is centre-cropped to a square and resized to 64x64. An `.npz` must hold `images`
(N, H, W, 3) or (N, H, W) of uint8 (or floats in 0..1 / 0..255); it is read without pickle.
`to_batch` scales to [-1, 1] and transposes to channels first for the networks.
Bad inputs raise `ImageError` with a sentence, never a traceback.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SIZE = 64
EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm")


class ImageError(Exception):
    """An image source that cannot be used; the message says why."""


@dataclass
class ImageSet:
    images: np.ndarray  # (N, 64, 64, 3) uint8
    source: str
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(np.ascontiguousarray(self.images).tobytes()).hexdigest()

    def __len__(self) -> int:
        return len(self.images)


def to_batch(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W, 3) -> float32 (N, 3, H, W) in [-1, 1]."""
    return (images.astype(np.float32) / 127.5 - 1.0).transpose(0, 3, 1, 2)


def square_resize(img, size: int = SIZE):
    """A PIL image centre-cropped to a square and resized to size x size RGB."""
    from PIL import Image

    img = img.convert("RGB")
    w, h = img.size
    s = min(w, h)
    left, top = (w - s) // 2, (h - s) // 2
    img = img.crop((left, top, left + s, top + s))
    if s != size:
        img = img.resize((size, size), Image.LANCZOS if s > size else Image.BICUBIC)
    return img


def _load_folder(path: Path) -> ImageSet:
    from PIL import Image, UnidentifiedImageError

    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    candidates = [p for p in files if p.suffix.lower() in EXTENSIONS]
    if not candidates:
        raise ImageError(f"{path}: no images found (looked for {', '.join(EXTENSIONS)})")
    out, skipped = [], []
    for p in candidates:
        try:
            with Image.open(p) as img:
                out.append(np.asarray(square_resize(img), dtype=np.uint8))
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            skipped.append((str(p), str(exc) or type(exc).__name__))
    if not out:
        raise ImageError(f"{path}: none of the {len(candidates)} image files could be read")
    return ImageSet(np.stack(out), str(path), skipped)


def _resize_array(images: np.ndarray) -> np.ndarray:
    from PIL import Image

    return np.stack([np.asarray(square_resize(Image.fromarray(im))) for im in images])


def _load_npz(path: Path) -> ImageSet:
    try:
        with np.load(path, allow_pickle=False) as data:
            if "images" not in data.files:
                keys = ", ".join(data.files) or "none"
                raise ImageError(f"{path}: no 'images' array in the npz (it holds: {keys})")
            images = data["images"]
    except ImageError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ImageError(f"{path}: not a readable .npz ({exc})") from None
    if images.ndim == 3:
        images = np.repeat(images[..., None], 3, axis=-1)
    if images.ndim != 4 or images.shape[-1] not in (3, 4) or len(images) == 0:
        raise ImageError(f"{path}: 'images' should be (N, H, W, 3); got shape {images.shape}")
    images = images[..., :3]
    if images.dtype != np.uint8:
        if not np.issubdtype(images.dtype, np.number):
            raise ImageError(f"{path}: 'images' has dtype {images.dtype}, expected uint8")
        f = images.astype(np.float32)
        if not np.isfinite(f).all():
            raise ImageError(f"{path}: 'images' holds NaN or infinite values")
        f = f * 255.0 if f.max() <= 1.0 else f
        images = np.clip(np.rint(f), 0, 255).astype(np.uint8)
    if images.shape[1:3] != (SIZE, SIZE):
        images = _resize_array(images)
    return ImageSet(np.ascontiguousarray(images), str(path))


def load_images(path: str | os.PathLike) -> ImageSet:
    """Load a folder (recursively) or an .npz; raises ImageError for unusable input."""
    path = Path(path)
    if not path.exists():
        raise ImageError(f"{path}: no such file or folder")
    if path.is_dir():
        return _load_folder(path)
    if path.suffix.lower() == ".npz":
        return _load_npz(path)
    raise ImageError(f"{path}: expected a folder of images or an .npz with an 'images' array")
