"""Counting a word n-gram model: token ids, n-gram counts and modified Kneser-Ney estimates.

`build(sentences, order, min_count, prune)` turns token lists (`model/wordtok.py`) into the
arrays `WordLM` (model/wordlm.py) queries and saves. Interpolated modified Kneser-Ney (Chen &
Goodman 1998, as KenLM's lmplz):

- the highest order uses raw counts; a lower order uses continuation counts (how many distinct
  words precede the n-gram), except n-grams that start with `<s>`, which keep raw counts;
- each order has three discounts D1, D2, D3+ from the count-of-counts n1..n4 of its (adjusted)
  counts: Y = n1 / (n1 + 2 n2), Dk = k - (k + 1) Y n(k+1) / nk (0.5, 1, 1.5 where undefined);
- p(w | h) = max(c(hw) - D(c(hw)), 0) / c(h) + backoff(h) p(w | h'), backoff(h) =
  (D1 N1(h) + D2 N2(h) + D3 N3+(h)) / c(h); the unigram level backs off to the uniform
  distribution over the vocabulary (every id but `<s>`), so `<unk>` has a probability.
- `prune`: n-grams of order >= 3 seen once are dropped; their discounted mass joins the
  backoff weight of their context, so every distribution still sums to 1. By default (None)
  a corpus of more than `PRUNE_ABOVE` tokens is pruned: on nietzsche.txt (110k tokens) it
  would cost 0.001 of keystroke savings, on 2.6M tokens of english-pd it makes the file
  several times smaller.

Vocabulary: ids 0, 1, 2 are `<unk>`, `<s>`, `</s>`, then every token seen `min_count` times or
more, sorted (so the words with a given prefix are one id range). An n-gram's context (up to 3
ids) is packed into one int64, `BITS` bits per id.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np

BITS = 21
MAX_VOCAB = 1 << BITS  # ids fit in BITS bits
MAX_ORDER = 4
DEFAULT_DISCOUNTS = (0.5, 1.0, 1.5)
PRUNE_ABOVE = 1_000_000  # tokens: larger corpora are pruned unless told otherwise
UNK_ID, BOS_ID, EOS_ID = 0, 1, 2


def pack(ids: np.ndarray) -> np.ndarray:
    """Pack the rows of an (n, k) id array (k <= 3) into int64 keys, first id highest."""
    key = np.zeros(ids.shape[0], dtype=np.int64)
    for j in range(ids.shape[1]):
        key = (key << BITS) | ids[:, j].astype(np.int64)
    return key


def encode(sentences: Iterable[list[str]], min_count: int = 1) -> tuple[list[str], np.ndarray]:
    """(vocabulary, id sequence): every sentence as `<s> tokens… </s>`, rare tokens `<unk>`."""
    index: dict[str, int] = {}
    seq = array("q")
    for sentence in sentences:
        seq.append(-1)
        seq.extend([index.setdefault(t, len(index)) for t in sentence])
        seq.append(-2)
    raw = np.frombuffer(seq, dtype=np.int64) if len(seq) else np.zeros(0, np.int64)
    words = list(index)
    counts = np.bincount(raw[raw >= 0], minlength=len(words))
    kept = sorted((w for w, c in zip(words, counts, strict=True) if c >= min_count))
    if len(kept) + 3 > MAX_VOCAB:
        raise ValueError(f"too many distinct words ({len(kept):,}); raise min_count")
    rank = {w: 3 + i for i, w in enumerate(kept)}
    remap = np.array([rank.get(w, UNK_ID) for w in words] + [EOS_ID, BOS_ID], dtype=np.int64)
    return ["<unk>", "<s>", "</s>", *kept], remap[raw]  # -1 -> BOS_ID, -2 -> EOS_ID


def _ngrams(seq: np.ndarray, sent: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(context keys, words) of every n-gram inside one sentence (not predicting `<s>`)."""
    m = len(seq) - n + 1
    if m <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ok = sent[:m] == sent[n - 1 :]
    if n == 1:
        ok &= seq != BOS_ID
    starts = np.nonzero(ok)[0]
    cols = np.stack([seq[starts + j] for j in range(n)], axis=1)
    return pack(cols[:, :-1]), cols[:, -1].astype(np.int64)


def _unique(ctx: np.ndarray, word: np.ndarray):
    """Distinct (context, word) pairs sorted by context then word, and how often each occurs."""
    if len(ctx) == 0:
        return ctx, word, np.zeros(0, np.int64)
    if int(ctx.max()) < 1 << (63 - BITS):  # at most 2 context ids: one int64 key per n-gram
        keys, counts = np.unique((ctx << BITS) | word, return_counts=True)
        return keys >> BITS, keys & (MAX_VOCAB - 1), counts
    order = np.lexsort((word, ctx))
    ctx, word = ctx[order], word[order]
    new = np.ones(len(ctx), dtype=bool)
    new[1:] = (ctx[1:] != ctx[:-1]) | (word[1:] != word[:-1])
    first = np.nonzero(new)[0]
    counts = np.diff(np.append(first, len(ctx)))
    return ctx[first], word[first], counts


def discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """Modified Kneser-Ney D1, D2, D3+ from the count-of-counts of `counts`."""
    n = [int(np.count_nonzero(counts == k)) for k in (1, 2, 3, 4)]
    found = []
    for k in (1, 2, 3):
        d = DEFAULT_DISCOUNTS[k - 1]
        if n[k - 1] and n[k] and n[0] + n[1]:  # undefined, or k, when a count-of-count is 0
            y = n[0] / (n[0] + 2 * n[1])
            d = k - (k + 1) * y * n[k] / n[k - 1]
            d = d if 0.0 < d < k else DEFAULT_DISCOUNTS[k - 1]
        found.append(d)
    return tuple(found)


def discount_of(counts: np.ndarray, d: tuple[float, float, float]) -> np.ndarray:
    """The discount each count gets (D1, D2 or D3+; 0 for a zero count)."""
    table = np.array([0.0, d[0], d[1], d[2]])
    return table[np.minimum(counts, 3)]


def block_starts(ctx: np.ndarray) -> np.ndarray:
    """Start of each run of equal context keys in sorted `ctx`, and len(ctx) at the end."""
    new = np.ones(len(ctx), dtype=bool)
    new[1:] = ctx[1:] != ctx[:-1]
    return np.append(np.nonzero(new)[0], len(ctx))


def build(sentences: Iterable[list[str]], order: int = 4, min_count: int = 1,
          prune: bool | None = None) -> dict:  # fmt: skip
    """The model's arrays (see the module docstring) and its header fields."""
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be 1 to {MAX_ORDER}, not {order}")
    vocab, seq = encode(sentences, max(1, min_count))
    if prune is None:
        prune = len(seq) > PRUNE_ABOVE
    sent = np.cumsum(seq == BOS_ID)
    grams = [_unique(*_ngrams(seq, sent, n)) for n in range(1, order + 1)]  # raw counts
    arrays: dict[str, np.ndarray] = {}
    header = {"order": order, "vocab": len(vocab), "tokens": int(np.count_nonzero(seq != BOS_ID)),
              "sentences": int(np.count_nonzero(seq == BOS_ID)), "min_count": max(1, min_count),
              "prune": bool(prune), "discounts": [], "ngrams": []}  # fmt: skip
    for n in range(1, order + 1):
        ctx, word, raw = grams[n - 1]
        adjusted = raw
        if n < order:  # continuation counts from the distinct (n+1)-grams
            up_ctx, up_word, _ = grams[n]
            suffix = up_ctx & ((1 << (BITS * (n - 1))) - 1)
            cont_keys, cont = np.unique((suffix << BITS) | up_word, return_counts=True)
            keys = (ctx << BITS) | word
            at = np.minimum(np.searchsorted(cont_keys, keys), max(len(cont_keys) - 1, 0))
            found = cont_keys[at] == keys if len(cont_keys) else np.zeros(len(keys), bool)
            adjusted = np.where(found, cont[at] if len(cont) else 0, raw)
        d = discounts(adjusted)
        header["discounts"].append([round(x, 6) for x in d])
        if n == 1:
            counts = np.zeros(len(vocab), dtype=np.int64)
            counts[word] = adjusted
            arrays["count1"] = counts.astype(np.uint32)
            header["ngrams"].append(int(len(word)))
            continue
        starts = block_starts(ctx)
        heads = starts[:-1]
        total = np.add.reduceat(adjusted, heads) if len(heads) else np.zeros(0, np.int64)
        mass = np.add.reduceat(discount_of(adjusted, d), heads) if len(heads) else total * 0.0
        keep = np.ones(len(word), dtype=bool)
        if prune and n >= 3:
            keep = raw >= 2
            lost = np.where(keep, 0.0, np.maximum(adjusted - discount_of(adjusted, d), 0.0))
            mass = mass + (np.add.reduceat(lost, heads) if len(heads) else 0.0)
        backoff = mass / np.maximum(total, 1)
        live = np.add.reduceat(keep.astype(np.int64), heads) > 0 if len(heads) else keep[:0]
        ctx, word, adjusted = ctx[keep], word[keep], adjusted[keep]
        arrays[f"ctx{n}"] = ctx[block_starts(ctx)[:-1]]
        arrays[f"start{n}"] = block_starts(ctx).astype(np.uint32)
        arrays[f"total{n}"] = total[live].astype(np.uint32)
        arrays[f"backoff{n}"] = backoff[live].astype(np.float32)
        arrays[f"word{n}"] = word.astype(np.uint32)
        arrays[f"count{n}"] = adjusted.astype(np.uint32)
        header["ngrams"].append(int(len(word)))
    arrays["vocab"] = np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8)
    return {"header": header, "arrays": arrays}
