"""`ghostpen eval speed`: decode-step, suggestion and training speed on this machine.

- step_ms_p50: one character through the numpy stepper plus the next-character distribution
  (batch 1, BLAS on one thread as in the engine);
- suggest_ms_p50 / p95 / max: a full `SuggestionEngine.suggest` after typing one character at
  the end of a `--doc-chars` document (default 5,000), over `--keystrokes` keystrokes (default
  300); the document is `--text` if given, else text sampled from the model itself;
  first_suggest_ms is the call that reads the document (cold cache); suggest_cpu_ms_p50 /
  p95: the same calls' CPU time in this thread (on a shared, loaded machine the wall time
  also counts the time the thread waited for a core);
- train_chars_per_s: `ghostpen train`'s own training step (`training.step.TrainStep`: Adam,
  clip 1.0, hybridized) of a fresh model with the default ModelConfig on random ids, seq
  `--train-seq` x batch `--train-batch` (100 x 64) on `--train-threads` MXNet threads (default:
  the cores this process may use), the first step not timed, stopping after `--train-steps`
  steps or 15 s. Only where MXNet is installed (training needs it; decoding never does):
  elsewhere train_chars_per_s is null and train_skipped says why.

    ghostpen eval speed [--model DIR] [--text FILE] [--habits-from FILE…] --json

`--habits-from` fills a typing-habits store from those files and times the suggestions with it.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from ghostpen.argtypes import non_negative_int, positive_int
from ghostpen.evals import choices_arg, habits_arg
from ghostpen.report import print_result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="checkpoint directory (default: bundled)")
    parser.add_argument("--text", default=None, help="document to type (default: sampled)")
    parser.add_argument(
        "--doc-chars",
        type=positive_int,
        default=5000,
        help="document length before the timed keystrokes (default 5000)",
    )
    parser.add_argument(
        "--keystrokes", type=positive_int, default=300, help="timed suggestions (default 300)"
    )
    parser.add_argument(
        "--train-steps",
        type=non_negative_int,
        default=5,
        help="timed training steps; 0 skips the measurement (default 5)",
    )
    parser.add_argument("--train-batch", type=positive_int, default=64)
    parser.add_argument("--train-seq", type=positive_int, default=100)
    parser.add_argument(
        "--train-threads",
        type=non_negative_int,
        default=0,
        help="MXNet threads for the training measurement (default 0: the cores available)",
    )
    habits_arg.add_argument(parser)
    choices_arg.add_argument(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _ms(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(values) * 1000.0, q)), 3)


def time_steps(model, n: int = 300) -> list[float]:
    from ghostpen.model.fast import log_softmax

    state = model.begin_state(1)
    ids = np.array([1])
    times = []
    for _ in range(n):
        t = time.perf_counter()
        logits, state = model.step(ids, state)
        np.exp(log_softmax(logits))
        times.append(time.perf_counter() - t)
    return times


def time_suggestions(
    engine, doc: str, keystrokes: int, cpu: list[float] | None = None
) -> tuple[float, list[float], int]:
    """(first call seconds, per-keystroke seconds, suggestions shown); `cpu` gets each call's
    CPU seconds in this thread (on a loaded machine the wall time also counts waiting)."""
    from ghostpen.suggest.engine import window_start

    engine.reset()
    base = len(doc) - keystrokes
    t = time.perf_counter()
    engine.suggest(doc[window_start(base) : base])
    first = time.perf_counter() - t
    times, shown = [], 0
    for i in range(base + 1, len(doc) + 1):
        before = doc[window_start(i) : i]
        c, t = time.thread_time(), time.perf_counter()
        s = engine.suggest(before)
        times.append(time.perf_counter() - t)
        if cpu is not None:
            cpu.append(time.thread_time() - c)
        shown += s is not None
    return first, times, shown


def train_speed(vocab_size: int, steps: int, batch: int, seq: int, budget: float = 15.0):
    """Characters per second of `TrainStep` (the training loop's step) on the default model."""
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()
    from mxnet import gluon

    from ghostpen.model.archs import build_model
    from ghostpen.model.config import ModelConfig
    from ghostpen.training.config import TrainConfig
    from ghostpen.training.step import TrainStep, compile_net

    config = ModelConfig(vocab_size=vocab_size)
    net = build_model(config)
    net.initialize(mx.init.Xavier())
    compile_net(net)
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 1e-3}, kvstore=None)
    step = TrainStep(net, trainer, clip=TrainConfig().clip)
    rng = np.random.default_rng(0)
    x = rng.integers(0, vocab_size, (seq, batch))  # (seq, batch)
    y = rng.integers(0, vocab_size, (seq, batch))  # (seq, batch)
    state = net.begin_state(batch)
    done, elapsed = 0, 0.0
    for i in range(steps + 1):
        t = time.perf_counter()
        loss, state = step(x, y, state)
        loss.wait_to_read()
        if i:  # the first step allocates and is not timed
            elapsed += time.perf_counter() - t
            done += 1
            if elapsed > budget:
                break
    return config, (done * seq * batch / elapsed if done else 0.0)


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.checkpoint import CheckpointError
    from ghostpen.model.generate import generate
    from ghostpen.suggest.engine import SuggestionEngine
    from ghostpen.suggest.types import EngineSettings
    from ghostpen.textio import TextReadError, read_text
    from ghostpen.training.step import default_threads, set_threads

    if args.keystrokes < 1 or args.doc_chars < 1:
        print("error: --keystrokes and --doc-chars must be positive", file=sys.stderr)
        return 2
    threads = default_threads(args.train_threads)
    set_threads(threads)  # before MXNet is imported (for the training speed, at the end)
    try:
        engine = SuggestionEngine.from_checkpoint(args.model, EngineSettings(choices=args.choices))
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    model, vocab = engine.model, engine.vocab
    loaded = habits_arg.load(args.habits_from)
    if loaded is False:
        return 2
    snapshot, habits = loaded
    if snapshot is not None:
        engine.set_habits(snapshot)
    need = args.doc_chars + args.keystrokes
    with engine._threads.limit():
        step_times = time_steps(model)
        if args.text:
            try:
                doc = read_text(args.text)[-need:]
            except TextReadError as exc:
                print(f"error: cannot read {args.text}: {exc.reason}", file=sys.stderr)
                return 2
        else:
            doc = generate(model, vocab, "", need, temperature=0.7, seed=0)
    if len(doc) < 2:  # one character to read and one to type, at least
        what = "is empty" if not doc else "holds one character"
        print(f"error: {args.text} {what}; give a text to type", file=sys.stderr)
        return 2
    cpu: list[float] = []
    first, times, shown = time_suggestions(engine, doc, min(args.keystrokes, len(doc) - 1), cpu)
    result = {
        "model": engine.name,
        "arch": f"{model.config.arch} {model.config.num_layers}x{model.config.num_hidden}",
        "step_ms_p50": _ms(step_times, 50),
        "suggest_ms_p50": _ms(times, 50),
        "suggest_ms_p95": _ms(times, 95),
        "suggest_ms_max": _ms(times, 100),
        "suggest_cpu_ms_p50": _ms(cpu, 50),
        "suggest_cpu_ms_p95": _ms(cpu, 95),
        "first_suggest_ms": round(first * 1000, 1),
        "shown_fraction": round(shown / len(times), 3),
        "doc_chars": len(doc) - len(times),
        "keystrokes": len(times),
        "habits_entries": habits,
        "choices": args.choices,
    }
    from ghostpen.mxcompat import missing_reason, mxnet_installed

    if args.train_steps > 0 and not mxnet_installed():  # decoding measured; training cannot be
        result["train_chars_per_s"] = None
        result["train_skipped"] = missing_reason()
    elif args.train_steps > 0:
        config, speed = train_speed(len(vocab), args.train_steps, args.train_batch, args.train_seq)
        result["train_chars_per_s"] = round(speed)
        result["train_arch"] = f"{config.arch} {config.num_layers}x{config.num_hidden}"
        result["train_shape"] = [args.train_seq, args.train_batch]
        result["train_threads"] = threads
    print_result(result, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "speed"], argv)


if __name__ == "__main__":
    sys.exit(main())
