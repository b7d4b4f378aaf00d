"""Fit the document cache's mixing weights (`adapt.DEFAULT_WEIGHTS`) on held-out text.

For every character of the tail of a text, the model's probability
(`ghostpen.evals.bpc.model_logprobs`) and the cache's PPM prediction with its features are
collected, the cache reading the text before the character in the editor's window. The five
logistic weights of

    lam = sigmoid(w . (1, K, log n_K, det, det * log n_K))

are then fitted by gradient descent on the log-loss of (1 - lam*(1-escape)) p_model + lam p_ppm
over the first half and reported on both halves, against the model alone (at the weights in
use this is exactly `DocumentCache.mixture`, the engine's and `eval bpc --adapt`'s mixture).

    python -m ghostpen.evals.fit_adapt --text nietzsche.txt --model DIR [--limit-chars N]
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from ghostpen import argtypes


def collect(text: str, start: int, end: int, model_lp: np.ndarray, cache_kwargs: dict):
    """Per character: p_model, the PPM mass on it, the escape mass, the features (or zeros)."""
    from ghostpen.suggest.adapt import DocumentCache
    from ghostpen.suggest.engine import window_start

    cache = DocumentCache(**cache_kwargs)
    win = window_start(start)
    cache.append(text[win:start])
    n = end - start
    p_model = np.exp(model_lp)
    mass = np.zeros(n)
    escape = np.ones(n)
    feats = np.zeros((n, 5))
    seen = np.zeros(n, dtype=bool)
    order = cache.max_order
    for i in range(start, end):
        ch = text[i]
        found = cache.ppm(text[max(0, i - order) : i])
        r = i - start
        if found is not None:
            sparse, esc, x = found
            mass[r], escape[r], feats[r], seen[r] = sparse.get(ch, 0.0), esc, x, True
        cache.append(ch)
        moved = window_start(i + 1)  # the editor's window moves on by ALIGN characters
        if moved > win:
            cache.drop_front(moved - win)
            win = moved
    return p_model, mass, escape, feats, seen


def loss_and_grad(w, p_model, mass, escape, feats, seen):
    """Mean negative log-likelihood (nats) of the mixture and its gradient in w."""
    z = feats @ w
    lam = np.where(seen, 1.0 / (1.0 + np.exp(-z)), 0.0)
    p = (1.0 - lam * (1.0 - escape)) * p_model + lam * mass
    p = np.maximum(p, 1e-300)
    dp_dlam = mass - (1.0 - escape) * p_model
    g = -(dp_dlam / p * lam * (1.0 - lam))[:, None] * feats
    return float(-np.log(p).mean()), g.mean(axis=0)


W0 = (-3.0, 0.1, 0.0, 0.5, 0.5)  # where the fit starts


def fit(data, steps: int = 1500, lr: float = 0.05, w0=None) -> np.ndarray:
    """The weights (5,) after `steps` Adam steps on the mean log-loss of `data` from `w0`."""
    w = np.array(w0 if w0 is not None else W0, dtype=np.float64)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):  # Adam
        _, g = loss_and_grad(w, *data)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def main(argv: list[str] | None = None) -> int:
    from ghostpen.evals.bpc import model_logprobs, read_eval_text, tail_start
    from ghostpen.model.checkpoint import CheckpointError, default_model_path, read_checkpoint
    from ghostpen.model.fast import FastModel

    parser = argparse.ArgumentParser(
        prog="python -m ghostpen.evals.fit_adapt",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--text", required=True)
    parser.add_argument("--model", default=None)
    parser.add_argument("--tail-fraction", type=argtypes.tail_fraction, default=0.1)
    parser.add_argument("--limit-chars", type=argtypes.positive_int, default=None)
    parser.add_argument("--min-order", type=argtypes.positive_int, default=2)
    parser.add_argument("--max-order", type=argtypes.positive_int, default=8)
    args = parser.parse_args(argv)
    text = read_eval_text(args.text)
    if text is None:
        return 2
    start = max(1, tail_start(len(text), args.tail_fraction))
    end = len(text) if args.limit_chars is None else min(len(text), start + args.limit_chars)
    if end - start < 2:
        print(f"error: {args.text}: too little text to fit on", file=sys.stderr)
        return 2
    path = args.model or default_model_path()
    try:
        vocab = read_checkpoint(path).vocab
        model = FastModel.from_checkpoint(path)
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    lp = model_logprobs(model, vocab, text, start, end, 64, 200)
    data = collect(text, start, end, lp, {"min_order": args.min_order, "max_order": args.max_order})
    half = (end - start) // 2
    train = tuple(a[:half] for a in data)
    test = tuple(a[half:] for a in data)
    w = fit(train)
    off = np.array([-100.0, 0, 0, 0, 0])
    bits = 1.0 / math.log(2)
    report = {
        "weights": [round(float(x), 3) for x in w],
        "train_bpc": [
            round(loss_and_grad(off, *train)[0] * bits, 4),
            round(loss_and_grad(w, *train)[0] * bits, 4),
        ],
        "test_bpc": [
            round(loss_and_grad(off, *test)[0] * bits, 4),
            round(loss_and_grad(w, *test)[0] * bits, 4),
        ],
        "chars": end - start,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
