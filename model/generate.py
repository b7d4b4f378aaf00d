"""Text generation: greedy (temperature 0, as in the tutorial) or temperature / top-k sampling.

The prime text is fed first to warm up the state; then one character at a time is chosen
from the model's next-character distribution and fed back. Uses the numpy stepper, so it is
fast and runs in any thread.
"""

from __future__ import annotations

import numpy as np

from ghostpen.model.fast import FastModel, log_softmax
from ghostpen.model.vocab import Vocab


def next_char_distribution(logits: np.ndarray, temperature: float, top_k: int = 0) -> np.ndarray:
    """Probabilities (V,) from logits (V,) at `temperature`, restricted to the top k if k > 0."""
    logits = logits.astype(np.float64) / max(temperature, 1e-6)
    if top_k and top_k < logits.shape[-1]:
        cutoff = np.partition(logits, -top_k)[-top_k]
        logits = np.where(logits >= cutoff, logits, -np.inf)
    return np.exp(log_softmax(logits))


def generate(
    model: FastModel,
    vocab: Vocab,
    prime: str,
    length: int,
    temperature: float = 0.0,
    top_k: int = 0,
    seed: int | None = None,
) -> str:
    """Continue `prime` by `length` characters (greedy when temperature is 0)."""
    if length < 0:
        raise ValueError("length must be >= 0")
    if temperature < 0:
        raise ValueError("temperature must be >= 0")
    rng = np.random.default_rng(seed)
    state = model.begin_state(1)
    ids = vocab.ids(prime) if prime else np.array([vocab.id("\n")])
    logits, state = model.feed(ids, state)
    out = []
    for _ in range(length):
        row = logits[0].copy()
        row[vocab.unk_id] = -np.inf  # never produce the unknown marker
        if temperature == 0:
            nxt = int(np.argmax(row))
        else:
            nxt = int(rng.choice(len(row), p=next_char_distribution(row, temperature, top_k)))
        out.append(vocab.chars[nxt])
        logits, state = model.step(np.array([nxt]), state)
    return "".join(out)
