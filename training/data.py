"""Turning a text into training batches for truncated BPTT.

The id stream is cut into `batch` equal columns; chunk i is rows [i*seq, (i+1)*seq):

    ids: a b c d e f g h i j k l m n o p q r s t u v w x     (24 ids, batch 3, seq 4)
    columns (8, 3):  a i q      chunk 0 = rows 0..3 -> inputs (4, 3), targets = rows 1..4
                     b j r      chunk 1 = rows 4..7 (targets stop at the last row)
                     ...
                     h p x

Each column is a continuous stretch of text, so the recurrent state carries over from one
chunk to the next (detached, so gradients stop at the chunk boundary).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def batchify(ids: np.ndarray, batch: int) -> np.ndarray:
    """(len,) ids -> (len // batch, batch), dropping the remainder."""
    rows = len(ids) // batch
    if rows < 2:
        raise ValueError(
            f"text too short for batch size {batch}: {len(ids)} characters give {rows} rows"
        )
    return ids[: rows * batch].reshape(batch, rows).T.copy()  # (rows, batch)


def chunks(
    data: np.ndarray, seq_len: int, start: int = 0
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield (index, inputs (seq, batch), targets (seq, batch)) from chunk `start` on."""
    n = num_chunks(data, seq_len)
    for i in range(start, n):
        lo = i * seq_len
        hi = min(lo + seq_len, len(data) - 1)
        yield i, data[lo:hi], data[lo + 1 : hi + 1]


def num_chunks(data: np.ndarray, seq_len: int) -> int:
    return (len(data) - 2) // seq_len + 1
