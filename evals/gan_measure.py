"""The numbers of `ghostpen eval gan` (see evals/gan.py): per style and overall, on held-out."""

from __future__ import annotations

import numpy as np

from ghostpen.evals.gan import (
    NEAR_COPY,
    _generate,
    _time_ms,
    blur,
    fid,
    mean_pairwise,
    nearest_index,
    pca_features,
)


def _group(gen, held, train, features, real_nn, rng) -> dict:
    """The numbers for one style (or all) on matched-size sets; near copies against `train`."""
    n = min(len(gen), len(held))
    sample = train[rng.choice(len(train), n, replace=False)]
    fh = features(held[:n])
    dist, _ = nearest_index(gen[:n], train)
    ratio = dist / max(real_nn, 1e-9)
    out = {
        "images": int(n),
        "fd": round(fid(features(gen[:n]), fh), 2),
        "fd_real": round(fid(features(sample), fh), 2),
        "fd_blurred": round(fid(features(blur(sample)), fh), 2),
        "diversity": round(mean_pairwise(gen[:n]) / mean_pairwise(held[:n]), 3),
        "near_copies": int((ratio < NEAR_COPY).sum()),
        "nearest_train_median": round(float(np.median(ratio)), 3),
    }
    return out


def measure(model, data, holdout_every: int = 10, n: int = 400, k: int = 32, seed: int = 0):
    """The eval's JSON object for AvatarModel `model` on ImageSet `data`."""
    rng = np.random.default_rng(seed)
    train_set, held_set = data.split(holdout_every)
    if len(held_set) < 2 or len(train_set) < 2:
        split = f"id % {holdout_every} == {holdout_every - 1}"
        raise ValueError(f"the held-out split ({split}) leaves {len(held_set)} of {len(data)} "
                         "images; use --holdout-every")  # fmt: skip
    train, held = train_set.images, held_set.images
    fit = train[rng.choice(len(train), min(3000, len(train)), replace=False)]
    features = pca_features(fit, min(k, len(fit) - 1))
    probe = held[: min(500, len(held))]
    real_nn = float(np.median(nearest_index(probe, train)[0]))
    styles = model.styles if data.labels is not None else ()
    result = {"model": str(model.path), "images": data.source,
              "held_out": int(len(held)), "trained_on": int(len(train)),
              "feature_space": f"top {min(k, len(fit) - 1)} PCA components of {len(fit)} "
                               "training images", "styles": {}}  # fmt: skip
    gens = []
    for sid, style in enumerate(styles):
        if style not in data.styles:
            continue
        real_id = data.styles.index(style)
        held_s = held[held_set.labels == real_id][:n]
        train_s = train[train_set.labels == real_id]
        gen = _generate(model, style, len(held_s), seed + sid * 1000)
        gens.append(gen)
        labels = np.array([model.styles.index(data.styles[i]) if data.styles[i] in model.styles
                           else -1 for i in train_set.labels])  # fmt: skip
        result["styles"][style] = _group(gen, held_s, train_s if len(train_s) else train,
                                         features, real_nn, rng)  # fmt: skip
        result["styles"][style]["fidelity"] = _fidelity(gen, train, labels, sid)
    m = min(n * max(len(styles), 3), len(held))
    gen_all = np.concatenate(gens)[:m] if gens else _generate(model, "any", m, seed)
    held_all = held[rng.permutation(len(held))[:m]] if gens else held[:m]
    result["all"] = _group(gen_all, held_all, train, features, real_nn, rng)
    fids = [v["fidelity"] for v in result["styles"].values()]
    if fids:
        result["all"]["fidelity"] = round(float(np.mean(fids)), 3)
    z = model.latents(0, 8)
    ids = model.style_ids("any", 8)
    result["generate_ms_8"] = round(_time_ms(lambda: model.generate_latent(z, ids)), 2)
    return result


def _fidelity(gen, train, labels, style_id) -> float:
    _, idx = nearest_index(gen, train)
    return round(float((labels[idx] == style_id).mean()), 3)
