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
    labels: np.ndarray | None = None  # (N,) style ids into `styles` (an npz's `style`)
    styles: tuple[str, ...] = ()  # the style names (an npz's `styles`)
    ids: np.ndarray | None = None  # (N,) a stable id per image (an npz's `seed`, else its index)

    def subset(self, keep: np.ndarray) -> ImageSet:
        """The images at boolean mask or indices `keep`, with their labels and ids."""
        pick = lambda a: None if a is None else a[keep]  # noqa: E731
        return ImageSet(self.images[keep], self.source, self.skipped, pick(self.labels),
                        self.styles, pick(self.image_ids()))  # fmt: skip

    def image_ids(self) -> np.ndarray:
        return self.ids if self.ids is not None else np.arange(len(self.images))

    def split(self, every: int) -> tuple[ImageSet, ImageSet]:
        """(train, held out): image ids with id % every == every - 1 are held out (none if 0)."""
        if every <= 1:
            return self, self.subset(np.zeros(len(self), bool))
        held = self.image_ids() % every == every - 1
        return self.subset(~held), self.subset(held)

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


MAX_PIXELS = 40_000_000  # a larger picture in a folder is skipped (decompression bombs)
MAX_NPZ_BYTES = 4 << 30  # an npz 'images' array claiming more is refused before reading


def _open_image(p: Path) -> np.ndarray:
    """One picture file -> uint8 (64, 64, 3); OSError/ValueError for one to skip."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(p) as img:
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ValueError(f"{w}x{h} pixels is more than {MAX_PIXELS:,} (skipped)")
            return np.asarray(square_resize(img), dtype=np.uint8)


def _load_folder(path: Path) -> ImageSet:
    from PIL import Image, UnidentifiedImageError

    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    candidates = [p for p in files if p.suffix.lower() in EXTENSIONS]
    if not candidates:
        raise ImageError(f"{path}: no images found (looked for {', '.join(EXTENSIONS)})")
    out, skipped = [], []
    bomb = (Image.DecompressionBombError, Image.DecompressionBombWarning)
    for p in candidates:
        try:
            out.append(_open_image(p))
        except (OSError, UnidentifiedImageError, ValueError, *bomb) as exc:
            skipped.append((str(p), str(exc) or type(exc).__name__))
    if not out:
        raise ImageError(f"{path}: none of the {len(candidates)} image files could be read")
    return ImageSet(np.stack(out), str(path), skipped)


def _resize_array(images: np.ndarray) -> np.ndarray:
    from PIL import Image

    return np.stack([np.asarray(square_resize(Image.fromarray(im))) for im in images])


def npz_header(path: Path, key: str) -> tuple[tuple, np.dtype]:
    """(shape, dtype) of array `key` in an .npz from its .npy header alone (nothing allocated)."""
    with zipfile.ZipFile(path) as zf:
        with zf.open(f"{key}.npy") as fh:
            version = np.lib.format.read_magic(fh)
            read = {(1, 0): np.lib.format.read_array_header_1_0,
                    (2, 0): np.lib.format.read_array_header_2_0}.get(version)  # fmt: skip
            if read is None:
                raise ValueError(f"unsupported .npy version {version}")
            shape, _, dtype = read(fh)
    return tuple(shape), np.dtype(dtype)


def _check_header(path: Path, shape: tuple, dtype: np.dtype) -> None:
    if dtype.hasobject or dtype.kind not in "uifb":
        raise ImageError(f"{path}: 'images' has dtype {dtype}, expected uint8 (or floats)")
    if dtype.kind == "b":
        raise ImageError(f"{path}: 'images' is boolean; expected uint8 pixels")
    if len(shape) == 3 and shape[-1] in (1, 3, 4):
        raise ImageError(f"{path}: 'images' {shape} looks like one image; expected a stack "
                         f"(N, 64, 64, 3)")  # fmt: skip
    if len(shape) not in (3, 4) or (len(shape) == 4 and shape[-1] not in (1, 3, 4)):
        raise ImageError(f"{path}: 'images' should be (N, H, W, 3); got shape {shape}")
    if 0 in shape:
        raise ImageError(f"{path}: 'images' {shape} holds no pixels")
    nbytes = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    if nbytes > MAX_NPZ_BYTES:
        raise ImageError(f"{path}: 'images' {shape} claims {nbytes / 2**30:,.0f} GiB; "
                         f"the limit is {MAX_NPZ_BYTES >> 30} GiB")  # fmt: skip


def _labels(path: Path, data, n: int):
    """The npz's optional `style`, `styles`, `seed` (checked), or (None, (), None)."""
    if "style" not in data.files or "styles" not in data.files:
        labels, styles = None, ()
    else:
        labels, styles = np.asarray(data["style"]), tuple(str(x) for x in data["styles"])
        if labels.shape != (n,) or labels.dtype.kind not in "iu" or not styles:
            raise ImageError(f"{path}: 'style' should be (N,) integers beside 'styles'")
        if labels.min() < 0 or labels.max() >= len(styles):
            raise ImageError(f"{path}: 'style' holds ids outside 'styles' (0..{len(styles) - 1})")
        labels = labels.astype(np.int64)
    ids = None
    if "seed" in data.files:
        ids = np.asarray(data["seed"])
        if ids.shape != (n,) or ids.dtype.kind not in "iu":
            raise ImageError(f"{path}: 'seed' should be (N,) integers")
        ids = ids.astype(np.int64)
    return labels, styles, ids


def _load_npz(path: Path) -> ImageSet:
    try:
        with np.load(path, allow_pickle=False) as data:
            if "images" not in data.files:
                keys = ", ".join(data.files) or "none"
                raise ImageError(f"{path}: no 'images' array in the npz (it holds: {keys})")
            _check_header(path, *npz_header(path, "images"))
            images = data["images"]
            labels, styles, ids = _labels(path, data, len(images))
    except ImageError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise ImageError(f"{path}: not a readable .npz ({exc})") from None
    if images.ndim == 3:
        images = images[..., None]
    if images.shape[-1] == 1:  # grayscale
        images = np.repeat(images, 3, axis=-1)
    images = images[..., :3]
    if images.dtype != np.uint8:
        f = images.astype(np.float32)
        if not np.isfinite(f).all():
            raise ImageError(f"{path}: 'images' holds NaN or infinite values")
        if f.min() < 0 or f.max() > 255:
            raise ImageError(f"{path}: 'images' values should lie in 0..1 or 0..255 "
                             f"(found {f.min():g}..{f.max():g})")  # fmt: skip
        f = f * 255.0 if f.max() <= 1.0 else f
        images = np.clip(np.rint(f), 0, 255).astype(np.uint8)
    if images.shape[1:3] != (SIZE, SIZE):
        images = _resize_array(images)
    return ImageSet(np.ascontiguousarray(images), str(path), [], labels, styles, ids)


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
