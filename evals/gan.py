"""`ghostpen eval gan`: speed, quality and novelty of an avatar generator, as JSON.

- `generate_ms_8`: median time to draw 8 avatars with the numpy generator (the runtime path);
  `generate_ms_8_gluon`, the hybridized Gluon generator, when MXNet is importable.
- `fid_pca`: Fréchet distance between generated and real images in a fixed feature space that
  needs no download: the top 64 PCA components of real images (fitted on a third disjoint real
  subset, deterministically from the data). Printed beside `fid_pca_floor` (two disjoint real
  halves) and `fid_pca_baseline` (the mean real image plus per-pixel Gaussian noise of the real
  images' spread): a good generator lies between, near the floor.
- `diversity`: mean pairwise RMS distance of generated images over that of real ones (0.5-1.5).
- `nearest_train_distance`: each generated image's distance to its nearest training image,
  relative to the median real-to-real nearest distance (median and minimum; a near-copy < 0.5).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

DEFAULT_IMAGES = "../shared/data/avatars-cc/avatars-cc-64.npz"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="generator checkpoint (default: the shipped one)")
    p.add_argument("--images", default=DEFAULT_IMAGES, help="real images (folder or .npz)")
    p.add_argument("--n", type=int, default=2000, help="images per set for fid_pca (2000)")
    p.add_argument("--components", type=int, default=64, help="PCA components (64)")
    p.add_argument("--seed", type=int, default=0)
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


def nearest(queries: np.ndarray, pool: np.ndarray, exclude_self: bool = False) -> np.ndarray:
    """RMS distance of each query image to its nearest image in `pool` (chunked)."""
    q = _flat(queries)
    qq = (q * q).sum(1)
    best = np.full(len(q), np.inf, np.float32)
    for start in range(0, len(pool), 2000):
        p = _flat(pool[start : start + 2000])
        d2 = qq[:, None] + (p * p).sum(1)[None, :] - 2 * q @ p.T
        if exclude_self:
            d2[d2 < 1e-4 * q.shape[1]] = np.inf  # itself or an exact duplicate (RMS < 0.01)
        best = np.minimum(best, d2.min(1))
    return np.sqrt(np.maximum(best, 0) / q.shape[1])


def _time_ms(fn, runs: int = 30) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))


def _gluon_ms(model) -> float | None:
    try:
        from ghostpen.mxcompat import require_mxnet

        mx = require_mxnet()

        from ghostpen.model.archs import dcgan
        from ghostpen.model.gan_checkpoint import read_gan_checkpoint
    except ImportError:
        return None
    net = dcgan.build_generator(model.config)
    dcgan.set_weights(net, read_gan_checkpoint(model.path).arrays("generator"))
    net.hybridize(static_alloc=True, static_shape=True)
    z = mx.nd.array(model.latents(0, 8).reshape(8, -1, 1, 1))
    return _time_ms(lambda: net(z).asnumpy())


def measure(model, real: np.ndarray, n: int = 2000, k: int = 64, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    n = min(n, len(real) // 3)
    order = rng.permutation(len(real))
    fit_set, half_a, half_b = (real[order[i * n : (i + 1) * n]] for i in range(3))
    features = pca_features(fit_set, min(k, n - 1))
    gen = np.concatenate([model.generate(seed + 10_000 + i, 100) for i in range(-(-n // 100))])[:n]
    fa, fb, fg = features(half_a), features(half_b), features(gen)
    spread = _flat(half_a).std(0)
    noise = _flat(half_a).mean(0) + rng.standard_normal((n, spread.size)).astype("f") * spread
    base = np.clip(np.rint((noise + 1) * 127.5), 0, 255).astype(np.uint8).reshape(gen.shape)
    m = min(500, n)
    real_nn = np.median(nearest(real[order[:m]], real, exclude_self=True))
    gen_nn = nearest(gen[:m], real) / max(real_nn, 1e-9)
    z = model.latents(0, 8)
    return {
        "model": str(model.path),
        "generate_ms_8": round(_time_ms(lambda: model.generate_latent(z)), 2),
        "generate_ms_8_gluon": _gluon_ms(model),
        "fid_pca": round(fid(fg, fb), 2),
        "fid_pca_floor": round(fid(fa, fb), 2),
        "fid_pca_baseline": round(fid(features(base), fb), 2),
        "fid_feature_space": f"top {min(k, n - 1)} PCA components of {n} real images",
        "diversity": round(mean_pairwise(gen[:m]) / mean_pairwise(half_a[:m]), 3),
        "nearest_train_distance": {
            "median": round(float(np.median(gen_nn)), 3),
            "min": round(float(gen_nn.min()), 3),
            "near_copies": int((gen_nn < 0.5).sum()),
            "of": int(m),
        },
        "images_per_set": int(n),
    }


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.avatars import AvatarModel
    from ghostpen.model.gan_checkpoint import GanCheckpointError
    from ghostpen.training.images import ImageError, load_images

    try:
        model = AvatarModel.load(args.model)
        real = load_images(args.images).images
    except (GanCheckpointError, ImageError) as exc:
        print(f"ghostpen eval gan: {exc}", file=sys.stderr)
        return 2
    if len(real) < 30:
        print(f"ghostpen eval gan: {args.images}: need at least 30 real images", file=sys.stderr)
        return 2
    result = measure(model, real, n=args.n, k=args.components, seed=args.seed)
    if result["generate_ms_8_gluon"] is not None:
        result["generate_ms_8_gluon"] = round(result["generate_ms_8_gluon"], 2)
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "gan"], argv)


if __name__ == "__main__":
    sys.exit(main())
