"""Growing a trained model's vocabulary for fine-tuning on text with characters it never saw.

    vocab = grow_vocab(base.vocab, text, min_count=MIN_COUNT)   # base ids first, then new ones
    grow_params(base_net, net, len(base.vocab), new_logit_bias)  # net: built for len(vocab)

The new vocabulary keeps every base character at its id and appends the corpus's new
characters (backticks, braces, curly quotes, accents, ß, other scripts, emoji outside the BMP)
that occur at least `MIN_COUNT` times, most frequent first; rarer ones map to the unknown id 0
rather than bloating the vocabulary with rows that cannot be learnt from one example.

`grow_params` copies every weight of the base network into the bigger one. Only the rows
indexed by the vocabulary differ: the embedding (the architecture's `input_blocks`) gets new
rows equal to the mean of the old ones, the decoder (output) gets zero weight rows and a bias
chosen so a new character starts with roughly its corpus frequency. The old rows are
untouched, so before any training step every hidden state on text of old characters is the
base model's, and so are the logits of old characters (up to the last float bit: BLAS blocks
a taller or wider matrix product differently); the ranking among old characters is the same
(tests/model/test_grow.py).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from ghostpen.model.archs import get
from ghostpen.model.vocab import UNK, Vocab

MIN_COUNT = 3  # a new character needs this many occurrences in the corpus to get its own id


def new_characters(vocab: Vocab, text: str, min_count: int = MIN_COUNT) -> list[tuple[str, int]]:
    """(character, count) for the characters of `text` not in `vocab`, most frequent first,
    those occurring at least `min_count` times."""
    counts = Counter(text)
    return [
        (c, n)
        for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= min_count and c not in vocab and c != UNK
    ]


def grow_vocab(vocab: Vocab, text: str, min_count: int = MIN_COUNT) -> Vocab:
    """`vocab` with the new characters of `text` appended (old ids unchanged)."""
    return Vocab([*vocab.to_json(), *(c for c, _ in new_characters(vocab, text, min_count))])


def new_logit_bias(
    log_partition: float, counts: list[int], total: int, floor: float = -30.0
) -> np.ndarray:
    """Decoder biases for new characters: with a zero weight row, a new character's
    probability is exp(bias) / Z; bias = log(frequency) + mean log Z starts it near its corpus
    frequency. `log_partition`: mean log Z of the base model's logits on the corpus."""
    return np.array(
        [max(floor, math.log(max(n, 1) / max(total, 1)) + log_partition) for n in counts],
        dtype=np.float32,
    )


def mean_log_partition(model, ids: np.ndarray, streams: int = 8, steps: int = 250) -> float:
    """Mean log-sum-exp of a FastModel's logits over up to `streams`×`steps` positions of `ids`."""
    if len(ids) < 2:
        return 0.0
    streams = max(1, min(streams, len(ids) // 2))
    length = min(steps, len(ids) // streams)
    rows = ids[: streams * length].reshape(streams, length).T  # (length, streams)
    state = model.begin_state(streams)
    total, count = 0.0, 0
    for row in rows:
        logits, state = model.step(row, state)  # (streams, V)
        top = logits.max(axis=1, keepdims=True)
        total += float((top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))).sum())
        count += len(row)
    return total / max(count, 1)


def grow_params(base_net, net, old_size: int, new_bias: np.ndarray | None = None) -> None:
    """Copy `base_net`'s weights into `net` (same architecture, vocabulary grown from
    `old_size` to `net.config.vocab_size`); `new_bias`: decoder biases of the new rows."""
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()

    src = base_net._collect_params_with_prefix()
    dst = net._collect_params_with_prefix()
    if set(src) != set(dst):
        raise ValueError("the grown network's parameters do not match the base network's")
    extra = net.config.vocab_size - old_size
    inputs = get(net.config.arch).input_blocks
    for name, target in dst.items():
        old = src[name].data().asnumpy()
        new_shape = target.shape
        if old.shape == new_shape:
            value = old
        elif old.shape[0] == old_size and new_shape[0] == old_size + extra:
            value = _grown(name.split(".")[0] in inputs, old, extra, new_bias)
        else:
            raise ValueError(f"{name}: shape {old.shape} cannot grow to {new_shape}")
        target.set_data(mx.nd.array(value, dtype=value.dtype))


def _grown(is_input: bool, old: np.ndarray, extra: int, new_bias: np.ndarray | None) -> np.ndarray:
    """`old` (old_size, ...) with `extra` rows appended, chosen by the parameter's role."""
    if is_input:  # embedding (V, E): new characters look average
        rows = np.repeat(old.mean(axis=0, keepdims=True), extra, axis=0)  # (extra, E)
    elif old.ndim == 1:  # decoder bias (V,)
        rows = new_bias if new_bias is not None else np.full(extra, old.min() - 5.0)
        rows = np.asarray(rows, dtype=old.dtype).reshape(extra)
    else:  # decoder weight (V, H): zero rows, so old logits are unchanged
        rows = np.zeros((extra, *old.shape[1:]), dtype=old.dtype)
    return np.concatenate([old, rows.astype(old.dtype)], axis=0)
