"""`ghostpen eval ksr`: keystroke savings of a simulated typist using the engine's suggestions.

The typist types the tail of a text (`text[int(n * (1 - tail_fraction)):]`, as `eval bpc`
scores it) at the end of a document holding everything before it; at each position the engine
is asked for a suggestion with the editor's window (`before` from `engine.window_start`, 16,384
to 20,479 characters, start aligned to 4096; `after` = ""). Then:

- the whole suggestion matches the upcoming text: Tab, 1 keystroke;
- else one or more leading words of it match (`words.next_word_len`, as Ctrl+Right in the
  editor): one Ctrl+Right per matching word;
- else the typist types one character.

ksr = 1 - keystrokes / characters. The engine uses the default `EngineSettings` unless
overridden (the flags exist to tune those defaults).

    ghostpen eval ksr --text corpus.txt [--model DIR] [--tail-fraction 0.1] [--no-adapt]
                      [--limit-chars N] [--habits-from FILE…] --json

`--habits-from` fills a typing-habits store (`suggest/habits.py`, as the editor's Typing
history does on save) from those files first, and the engine suggests from it.
"""

from __future__ import annotations

import argparse
import sys
import time

from ghostpen import argtypes
from ghostpen.report import print_result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", required=True, help="text file to type")
    parser.add_argument("--model", default=None, help="checkpoint directory (default: bundled)")
    parser.add_argument(
        "--tail-fraction",
        type=argtypes.tail_fraction,
        default=0.1,
        help="type the last fraction of the text (default 0.1)",
    )
    parser.add_argument(
        "--limit-chars",
        type=argtypes.positive_int,
        default=None,
        help="type only the first N characters of the tail",
    )
    parser.add_argument(
        "--adapt",
        dest="adapt",
        action="store_true",
        default=True,
        help="adapt to the document (default, as in the editor)",
    )
    parser.add_argument(
        "--no-adapt", dest="adapt", action="store_false", help="the neural model alone"
    )
    parser.add_argument(
        "--min-confidence",
        type=argtypes.fraction,
        default=None,
        help="override the default minimum confidence",
    )
    parser.add_argument(
        "--stop-at",
        choices=("word", "line", "none"),
        default=None,
        help="override the default stop rule",
    )
    parser.add_argument(
        "--max-chars",
        type=argtypes.positive_int,
        default=None,
        help="override the default longest suggestion",
    )
    parser.add_argument(
        "--beam", type=argtypes.positive_int, default=None, help="override the beam width"
    )
    parser.add_argument(
        "--habits-from",
        nargs="+",
        default=None,
        metavar="FILE",
        help="fill the typing-habits store from these files first (default: no habits)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def matched_words(suggestion: str, upcoming: str) -> tuple[int, int]:
    """(characters, words) of the leading whole words of `suggestion` that `upcoming` starts
    with, words as Ctrl+Right accepts them."""
    from ghostpen.suggest.words import next_word_len

    j = words = 0
    while j < len(suggestion):
        k = next_word_len(suggestion[j:])
        if not k or suggestion[j : j + k] != upcoming[j : j + k]:
            break
        j += k
        words += 1
    return j, words


def simulate(engine, text: str, start: int, end: int) -> dict:
    """Type text[start:end] after text[:start]; count keystrokes and acceptances."""
    from ghostpen.suggest.engine import window_start

    keys = accepted = accepted_chars = calls = shown = exact = 0
    confidence = 0.0
    i = start
    t0 = time.perf_counter()
    while i < end:
        s = engine.suggest(text[window_start(i) : i], "")
        calls += 1
        if s is not None:
            shown += 1
            confidence += s.confidence
            upcoming = text[i:end]
            if upcoming.startswith(s.text):
                n, cost = len(s.text), 1  # Tab
                exact += 1
            else:
                n, cost = matched_words(s.text, upcoming)  # Ctrl+Right per word
            if n:
                keys += cost
                accepted += 1
                accepted_chars += n
                i += n
                continue
        keys += 1
        i += 1
    seconds = time.perf_counter() - t0
    chars = end - start
    return {
        "ksr": round(1.0 - keys / chars, 4),
        "keystrokes": keys,
        "chars": chars,
        "accepted": accepted,
        "shown": shown,
        "precision": round(accepted / shown, 3) if shown else 0.0,  # shown ones accepted
        # calibration: the mean confidence shown vs how often the whole text was right
        "mean_confidence": round(confidence / shown, 3) if shown else 0.0,
        "exact_rate": round(exact / shown, 3) if shown else 0.0,
        "mean_accept_len": round(accepted_chars / accepted, 3) if accepted else 0.0,
        "suggest_ms_mean": round(1000 * seconds / max(calls, 1), 3),
        "seconds": round(seconds, 2),
    }


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ghostpen.evals.bpc import tail_start
    from ghostpen.model.checkpoint import CheckpointError
    from ghostpen.suggest.engine import SuggestionEngine
    from ghostpen.suggest.types import EngineSettings
    from ghostpen.textio import TextReadError, read_text

    try:
        text = read_text(args.text)
    except TextReadError as exc:
        print(f"error: cannot read {args.text}: {exc.reason}", file=sys.stderr)
        return 2
    start = tail_start(len(text), args.tail_fraction)
    end = len(text) if args.limit_chars is None else min(len(text), start + args.limit_chars)
    if end <= start:
        print(f"{args.text}: nothing to type", file=sys.stderr)
        return 2
    settings = EngineSettings(adapt=args.adapt)
    overrides = {
        "min_confidence": args.min_confidence,
        "stop_at": args.stop_at,
        "max_chars": args.max_chars,
    }
    try:
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        engine = SuggestionEngine.from_checkpoint(args.model, settings)
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.beam is not None:
        engine.beam = args.beam
    habits = 0
    if args.habits_from:
        from ghostpen.suggest.habits import store_from_files

        try:
            store = store_from_files(args.habits_from)
        except TextReadError as exc:
            print(f"error: cannot read {exc.path}: {exc.reason}", file=sys.stderr)
            return 2
        engine.set_habits(store.snapshot())
        habits = len(store)
    result = simulate(engine, text, start, end)
    result.update(
        model=engine.name,
        adapt=settings.adapt,
        min_confidence=settings.min_confidence,
        stop_at=settings.stop_at,
        max_chars=settings.max_chars,
        beam=engine.beam,
        habits_entries=habits,
    )
    print_result(result, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "ksr"], argv)


if __name__ == "__main__":
    sys.exit(main())
