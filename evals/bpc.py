"""`ghostpen eval bpc`: bits per character of a model on the tail of a text.

The tail is `text[int(n * (1 - tail_fraction)):]` of the text as the editor reads it
(`ghostpen.textio`: any BOM, UTF-8, cp1252/latin-1; newlines normalised); for a model trained
on the head, it is held-out text. It is cut into `--streams` contiguous
pieces that run side by side as one batch through the numpy stepper; each piece first reads the
`--warmup` characters that precede it in the file (text *before* the piece, so the estimate stays
fair) and is then scored character by character with its state carried along.

With `--adapt` the score is that of the engine's mixture: the model's probability of each
character mixed with the document cache (`ghostpen.suggest.adapt`) over the text before it, in
the same window the editor would pass (`ghostpen.suggest.engine.window_start`: 16,384 to 20,479
characters, the start aligned to 4096).

    ghostpen eval bpc --text corpus.txt [--model DIR] [--tail-fraction 0.1] [--adapt] --json
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

from ghostpen import argtypes
from ghostpen.report import print_result


def read_eval_text(path: str) -> str | None:
    """The text an eval scores or types (`ghostpen.textio.read_text`, the editor's reader), or
    None after printing why it cannot be read."""
    from ghostpen.textio import TextReadError, read_text

    try:
        return read_text(path)
    except TextReadError as exc:
        print(f"error: cannot read {path}: {exc.reason}", file=sys.stderr)
        return None


def tail_start(n: int, fraction: float) -> int:
    """First index of the tail: the last `fraction` of n characters."""
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"the tail fraction must be in (0, 1], not {fraction}")
    return int(n * (1.0 - fraction))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", required=True, help="text file to score")
    parser.add_argument("--model", default=None, help="checkpoint directory (default: bundled)")
    parser.add_argument(
        "--tail-fraction",
        type=argtypes.tail_fraction,
        default=0.1,
        help="score the last fraction of the text (default 0.1)",
    )
    parser.add_argument(
        "--adapt",
        dest="adapt",
        action="store_true",
        default=False,
        help="score the model mixed with the document cache",
    )
    parser.add_argument(
        "--no-adapt", dest="adapt", action="store_false", help="score the model alone (default)"
    )
    parser.add_argument(
        "--streams",
        type=argtypes.positive_int,
        default=64,
        help="contiguous pieces of the tail run as one batch (default 64)",
    )
    parser.add_argument(
        "--warmup",
        type=argtypes.non_negative_int,
        default=200,
        help="characters before each piece read first (default 200)",
    )
    parser.add_argument(
        "--limit-chars",
        type=argtypes.positive_int,
        default=None,
        help="score only the first N characters of the tail",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def model_logprobs(
    model, vocab, text: str, start: int, end: int, streams: int, warmup: int
) -> np.ndarray:
    """Natural-log probability the model gives each character of text[start:end]: (end-start,)."""
    from ghostpen.model.fast import log_softmax

    n = end - start
    streams = max(1, min(streams, n))
    length = -(-n // streams)  # characters per stream (the last one may be shorter)
    warm = min(warmup, start - 1)  # the same warm-up for every stream: text before it
    ids = vocab.ids(text)
    # stream s scores text[a:b]: it feeds text[a-1-warm : b-1], the first `warm` steps only
    # building state, and step warm+t predicts text[a+t]
    block = np.zeros((warm + length, streams), dtype=np.int64)  # (steps, streams)
    targets = np.zeros((length, streams), dtype=np.int64)  # (length, streams)
    valid = np.zeros((length, streams), dtype=bool)
    for s in range(streams):
        a = start + s * length
        b = min(a + length, end)
        if a >= b:
            continue
        fed = ids[a - 1 - warm : b - 1]  # (warm + b - a,)
        block[: len(fed), s] = fed
        targets[: b - a, s] = ids[a:b]
        valid[: b - a, s] = True
    out = np.zeros((length, streams), dtype=np.float64)
    state = model.begin_state(streams)
    for t in range(warm):
        _, state = model.step(block[t], state)
    for t in range(length):
        logits, state = model.step(block[warm + t], state)  # (streams, V)
        lp = log_softmax(logits.astype(np.float64))
        out[t] = lp[np.arange(streams), targets[t]]
    return out.T[valid.T]  # stream by stream = text order


def adapted_logprobs(text: str, start: int, end: int, model_lp: np.ndarray, vocab) -> np.ndarray:
    """Mix the model's per-character log-probabilities with the document cache."""
    from ghostpen.suggest.adapt import DocumentCache
    from ghostpen.suggest.engine import window_start

    cache = DocumentCache()
    win = window_start(start)
    cache.append(text[win:start])
    out = np.empty(end - start)
    order = cache.max_order
    for i in range(start, end):
        ch = text[i]
        alpha, sparse = cache.mixture(text[max(0, i - order) : i])
        p = alpha * math.exp(model_lp[i - start]) + sparse.get(ch, 0.0)
        out[i - start] = math.log(max(p, 1e-300))
        cache.append(ch)
        moved = window_start(i + 1)  # the editor's window moves on by ALIGN characters
        if moved > win:
            cache.drop_front(moved - win)
            win = moved
    return out


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.checkpoint import CheckpointError, default_model_path, read_checkpoint
    from ghostpen.model.fast import FastModel

    text = read_eval_text(args.text)
    if text is None:
        return 2
    start = max(1, tail_start(len(text), args.tail_fraction))  # text[0] has no context
    end = len(text) if args.limit_chars is None else min(len(text), start + args.limit_chars)
    if end <= start:
        print(f"{args.text}: nothing to score", file=sys.stderr)
        return 2
    path = Path(args.model) if args.model else default_model_path()
    t0 = time.perf_counter()
    try:
        ckpt = read_checkpoint(path)
        model = FastModel.from_checkpoint(path)
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    lp = model_logprobs(model, ckpt.vocab, text, start, end, args.streams, args.warmup)
    if args.adapt:
        lp = adapted_logprobs(text, start, end, lp, ckpt.vocab)
    bpc = float(-lp.sum() / (end - start) / math.log(2))
    result = {
        "bpc": round(bpc, 4),
        "chars": end - start,
        "model": ckpt.name,
        "adapt": args.adapt,
        "warmup": min(args.warmup, start - 1),
        "streams": args.streams,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    print_result(result, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "bpc"], argv)


if __name__ == "__main__":
    sys.exit(main())
