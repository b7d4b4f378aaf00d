"""`ghostpen eval gan`: speed, quality, novelty and style fidelity of an avatar generator (JSON).

Real images are split as training does (`--holdout-every 10`: image ids with id % 10 == 9, never
trained on by the recipe); every quality number compares generated images with that held-out
split, per style and overall ("all"), beside two references measured the same way:

- `fd`: Fréchet distance in a fixed feature space that needs no download: the top `--components`
  PCA components of up to 3,000 training images. `fd_real` is a same-size sample of *training*
  images against the held-out ones (the floor a perfect generator reaches), `fd_blurred` the
  same training images blurred (4x down, bicubic up): a good generator lies near the floor,
  well below the blurred reference.
- `diversity`: mean pairwise RMS distance of generated images over that of held-out ones.
- `near_copies`: generated images whose nearest training image is closer than half the median
  held-out-to-training nearest distance (`nearest_train_median` is that ratio's median).
- `fidelity` (conditional generators): the share of `--style X` samples whose nearest training
  image (RMS, pixel space) is of style X.
- `generate_ms_8`: median time to draw 8 avatars with the numpy generator (the runtime path).

`--grids DIR` writes DIR/avatars-<style>.png per style: 4 rows of generated avatars (seed 0)
over one row of held-out real ones, to look at side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_IMAGES = "../shared/data/avatars-cc/avatars-cc-64.npz"
NEAR_COPY = 0.5  # a near-copy is closer than this share of the real nearest distance


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="generator checkpoint (default: the shipped one)")
    p.add_argument("--images", default=DEFAULT_IMAGES, help="real images (folder or .npz)")
    p.add_argument("--holdout-every", type=int, default=10,
                   help="held-out ids: id %% N == N-1, as in training (10)")  # fmt: skip
    p.add_argument("--n", type=int, default=400, help="most images per style and set (400)")
    p.add_argument("--components", type=int, default=32, help="PCA components (32)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--grids", metavar="DIR", help="write a grid per style into DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object (the default)")


def fid(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature rows `a` and `b` (numpy only)."""
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s1)
    root1 = (v * np.sqrt(np.maximum(w, 0))) @ v.T
    m = root1 @ s2 @ root1
    tr_sqrt = np.sqrt(np.maximum(np.linalg.eigvalsh((m + m.T) / 2), 0)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt)


def _flat(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float32) / 127.5 - 1.0  # (N, 12288)


def pca_features(fit_on: np.ndarray, k: int):
    """A projection x -> (N, k), fitted on uint8 images `fit_on` (the fixed feature space)."""
    x = _flat(fit_on)
    mean = x.mean(0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    comps = vt[:k].T.copy()  # (12288, k)
    return lambda imgs: (_flat(imgs) - mean) @ comps


def mean_pairwise(images: np.ndarray) -> float:
    from ghostpen.training.gan import diversity

    return diversity(_flat(images))


def nearest_index(queries: np.ndarray, pool: np.ndarray, exclude_self: bool = False):
    """(RMS distance, index) of each query image's nearest image in `pool` (chunked)."""
    q = _flat(queries)
    qq = (q * q).sum(1)
    best = np.full(len(q), np.inf, np.float32)
    where = np.zeros(len(q), np.int64)
    for start in range(0, len(pool), 2000):
        p = _flat(pool[start : start + 2000])
        d2 = qq[:, None] + (p * p).sum(1)[None, :] - 2 * q @ p.T
        if exclude_self:
            d2[d2 < 1e-4 * q.shape[1]] = np.inf  # itself or an exact duplicate (RMS < 0.01)
        i = d2.argmin(1)
        d = d2[np.arange(len(q)), i]
        better = d < best
        best[better], where[better] = d[better], start + i[better]
    return np.sqrt(np.maximum(best, 0) / q.shape[1]), where


def nearest(queries: np.ndarray, pool: np.ndarray, exclude_self: bool = False) -> np.ndarray:
    """RMS distance of each query image to its nearest image in `pool`."""
    return nearest_index(queries, pool, exclude_self)[0]


def blur(images: np.ndarray, factor: int = 4) -> np.ndarray:
    """uint8 (N, H, W, 3) downsampled `factor` x (box) and upsampled back (bicubic)."""
    from PIL import Image

    h, w = images.shape[1:3]
    out = [
        np.asarray(
            Image.fromarray(im)
            .resize((w // factor, h // factor), Image.BOX)
            .resize((w, h), Image.BICUBIC)
        )
        for im in images
    ]
    return np.stack(out)


def _time_ms(fn, runs: int = 30) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))


def _generate(model, style: str, n: int, seed: int) -> np.ndarray:
    return np.concatenate(
        [model.generate(seed + 10_000 + i, 100, style) for i in range(-(-n // 100))]
    )[:n]


def write_grids(model, data, folder: Path, holdout_every: int = 10) -> list[str]:
    """DIR/avatars-<style>.png: 4 rows of 8 generated avatars (seed 0), then 8 held-out real."""
    from ghostpen.model.avatars import grid_image

    _, held = data.split(holdout_every)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for style in model.styles or ("any",):
        gen = model.generate(0, 32, style)
        real = held.images[:0]
        if held.labels is not None and style in held.styles:
            real = held.images[held.labels == held.styles.index(style)][:8]
        img = grid_image(np.concatenate([gen, real]), cols=8, scale=2)  # last row: real
        path = folder / f"avatars-{style}.png"
        img.save(path, format="PNG")
        written.append(str(path))
    return written


def run(args: argparse.Namespace) -> int:
    from ghostpen.evals.gan_measure import measure
    from ghostpen.model.avatars import AvatarModel
    from ghostpen.model.gan_checkpoint import GanCheckpointError
    from ghostpen.training.images import ImageError, load_images

    try:
        model = AvatarModel.load(args.model)
        data = load_images(args.images)
    except (GanCheckpointError, ImageError) as exc:
        print(f"ghostpen eval gan: {exc}", file=sys.stderr)
        return 2
    if len(data) < 30:
        print(f"ghostpen eval gan: {args.images}: need at least 30 real images", file=sys.stderr)
        return 2
    try:
        result = measure(model, data, args.holdout_every, args.n, args.components, args.seed)
    except ValueError as exc:
        print(f"ghostpen eval gan: {exc}", file=sys.stderr)
        return 2
    if args.grids:
        result["grids"] = write_grids(model, data, Path(args.grids), args.holdout_every)
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "gan"], argv)


if __name__ == "__main__":
    sys.exit(main())
