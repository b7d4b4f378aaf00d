"""`ghostpen eval ksr`: keystroke savings of a simulated typist using the engine's suggestions.

The typist types the tail of a text (`text[int(n * (1 - tail_fraction)):]`, as `eval bpc`
scores it) at the end of a document holding everything before it; at each position the engine
is asked for a suggestion with the editor's window (`before` from `engine.window_start`, 16,384
to 20,479 characters, start aligned to 4096; `after` = ""). Then:

- the whole suggestion matches the upcoming text: Tab, 1 keystroke;
- else one or more leading words of it match (`words.next_word_len`, as Ctrl+Right in the
  editor): one Ctrl+Right per matching word;
- else the typist types one character.

With `--choices N` (N > 1) the engine offers up to N choices (`EngineSettings.choices`: the
suggestion and its `alternatives`, slots 1..N, as the editor's strip or cycle shows them) and
the typist takes the first choice that is wholly right with one keystroke (Tab for slot 1,
Alt+k for slot k); when none is, a right leading part of slot 1 is taken word by word as above.
`--choices 1` (the default) is the one-ghost typist.

ksr = 1 - keystrokes / characters. The engine uses the default `EngineSettings` unless
overridden (the flags exist to tune those defaults).

The JSON keys (stable; new ones are only added):

- ksr, keystrokes, chars: the savings, the typist's keystrokes, the characters typed;
- accepted: suggestions taken (whole or by words), shown: suggestions shown (one per engine
  call that returned one), precision: accepted / shown (a user sees every wrong ghost);
- choices: N; accepted_by_slot: acceptances per slot (slot 1 counts its Ctrl+Right takes);
  shown_items: choices shown in all, precision_items: accepted / shown_items (precision is
  per shown suggestion, i.e. per strip);
- mean_confidence: the mean confidence shown (the engine's estimate that a suggestion saves
  keystrokes; calibrated, it is close to precision), exact_rate: how often the whole text
  was right; mean_accept_len: characters per acceptance;
- suggest_ms_mean, suggest_ms_p50/p90/p95/p99: the time of one engine call; with
  `--by-position`, by_position = {"word_start": {...}, "mid_word": {...}} holding calls and
  the same percentiles for calls at a word start (the text before ends with whitespace or is
  empty) and inside or right after a word;
- oracle_ksr, oracle_accepted: the ceiling of the decoder's candidates. A second typist types
  the same text, and at each position takes, of every candidate the decoder considered for
  that call (`SuggestionEngine.last_candidates`: the words it found, with and without their
  space, the phrases, the document word), the one that saves the most keystrokes under the
  same rules, as if it knew which are right; it needs no gate, so its engine runs with
  min_confidence 0 (the decoder then searches words below the gate too) and `--oracle-beam`
  first words (default: the engine's beam; more shows what better ranking could gain).
  null with `--no-oracle` (it doubles the time);
- seconds, and the settings used (model, adapt, min_confidence, stop_at, max_chars, beam).

`--sweep-confidence 0.02,0.05,0.1` re-fits the confidence gate: it runs the typist once per
value (no oracle) and prints {"sweep": [{min_confidence, ksr, precision, shown, accepted},
...], "best_min_confidence": the value with the highest ksr whose precision is at least
SWEEP_MIN_PRECISION, "chars": ...}. Take a slice for speed:

    ghostpen eval ksr --text corpus.txt [--model DIR] [--tail-fraction 0.1] [--no-adapt]
                      [--limit-chars N] [--by-position] [--no-oracle]
                      [--habits-from FILE…] --json
    ghostpen eval ksr --text nietzsche.txt --limit-chars 15000 \
                      --sweep-confidence 0,0.01,0.02,0.03,0.05,0.1 --json

`--habits-from` fills a typing-habits store (`suggest/habits.py`, as the editor's Typing
history does on save) from those files first, and the engine (the oracle's and the sweep's
too) suggests from it; `habits_entries` says how many entries it holds (0: none).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from ghostpen import argtypes
from ghostpen.evals import choices_arg, habits_arg, wordbase
from ghostpen.report import print_result

SWEEP_MIN_PRECISION = 0.25  # the gate keeps at least this share of shown suggestions right
PCTS = ("p50", "p90", "p95", "p99")  # latency percentiles reported


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
        choices=("phrase", "word", "line", "none"),
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
        "--by-position",
        action="store_true",
        help="latency percentiles at word starts and inside words",
    )
    parser.add_argument(
        "--no-oracle",
        dest="oracle",
        action="store_false",
        default=True,
        help="skip the oracle typist (halves the time; oracle_ksr is null)",
    )
    parser.add_argument(
        "--oracle-beam",
        type=argtypes.positive_int,
        default=None,
        help="first words the oracle's decoder keeps (default: the engine's beam)",
    )
    parser.add_argument(
        "--sweep-confidence",
        type=argtypes.fraction_list,
        default=None,
        metavar="C1,C2,...",
        help="run once per minimum confidence and report the best one",
    )
    choices_arg.add_argument(
        parser, "choices the typist sees, taking a wholly right one with one key (default 1)"
    )
    parser.add_argument(
        "--alt-confidence",
        type=argtypes.fraction,
        default=None,
        help="override the gate of the alternatives (suggest/engine.py ALT_MIN_CONFIDENCE)",
    )
    habits_arg.add_argument(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    wordbase.add_ksr_arguments(parser)  # --word-baseline: the word n-gram model alone


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


def _percentiles(ms: list[float]) -> dict:
    if not ms:
        return {"calls": 0, "p50": 0.0, "p90": 0.0, "p95": 0.0, "p99": 0.0}
    qs = np.percentile(np.array(ms), [50, 90, 95, 99])
    return {"calls": len(ms), **{k: round(float(v), 3) for k, v in zip(PCTS, qs, strict=True)}}


def _oracle_pick(engine, s, upcoming: str):
    """The candidate of the last call that saves the most keystrokes before `upcoming`."""
    from ghostpen.suggest.savings import saved_keys

    best, best_saved = None, 0  # a candidate that saves nothing is not worth a key
    for text in list(engine.last_candidates) + ([s.text] if s is not None else []):
        saved = saved_keys(text, upcoming)
        if saved > best_saved:
            best, best_saved = text, saved
    return best


def take(s, upcoming: str, choices: int) -> tuple[int, int, int]:
    """(characters taken, keystrokes spent, slot 0-based) when the typist is shown `s` and its
    alternatives (the first `choices`) before `upcoming`; (0, 0, 0) when nothing is right."""
    for k, c in enumerate(s.choices()[:choices]):
        if upcoming.startswith(c.text):
            return len(c.text), 1, k  # Tab, or Alt+k
    n, cost = matched_words(s.text, upcoming)  # Ctrl+Right per word of slot 1
    return n, cost, 0


def simulate(
    engine, text: str, start: int, end: int, *, oracle: bool = False, choices: int = 1
) -> dict:
    """Type text[start:end] after text[:start]; count keystrokes and acceptances.

    oracle: take the best of the engine's candidates at each position (`last_candidates`)
    instead of what it shows; choices: how many of a suggestion's choices the typist sees."""
    from ghostpen.suggest.engine import window_start
    from ghostpen.suggest.types import Suggestion

    keys = accepted = accepted_chars = calls = shown = exact = items = 0
    by_slot = [0] * choices
    confidence = 0.0
    i = start
    times: dict[str, list[float]] = {"word_start": [], "mid_word": []}
    t0 = time.perf_counter()
    while i < end:
        before = text[window_start(i) : i]
        t = time.perf_counter()
        s = engine.suggest(before, "")
        times["word_start" if not before or before[-1].isspace() else "mid_word"].append(
            1000 * (time.perf_counter() - t)
        )
        calls += 1
        if oracle:
            pick = _oracle_pick(engine, s, text[i:end])
            s = None if pick is None else Suggestion(pick, 1.0, "model")
        if s is not None:
            shown += 1
            items += min(choices, len(s.choices()))
            confidence += s.confidence
            n, cost, slot = take(s, text[i:end], choices)
            exact += n == len(s.text) and slot == 0
            if n:
                keys += cost
                accepted += 1
                by_slot[slot] += 1
                accepted_chars += n
                i += n
                continue
        keys += 1
        i += 1
    seconds = time.perf_counter() - t0
    chars = end - start
    every = _percentiles(times["word_start"] + times["mid_word"])
    return {
        "ksr": round(1.0 - keys / chars, 4),
        "keystrokes": keys,
        "chars": chars,
        "accepted": accepted,
        "shown": shown,
        "precision": round(accepted / shown, 3) if shown else 0.0,  # shown ones accepted
        "choices": choices,
        "accepted_by_slot": by_slot,
        "shown_items": items,
        "precision_items": round(accepted / items, 3) if items else 0.0,
        # calibration: the mean confidence shown vs precision; how often all of it was right
        "mean_confidence": round(confidence / shown, 3) if shown else 0.0,
        "exact_rate": round(exact / shown, 3) if shown else 0.0,
        "mean_accept_len": round(accepted_chars / accepted, 3) if accepted else 0.0,
        "suggest_ms_mean": round(1000 * seconds / max(calls, 1), 3),
        **{f"suggest_ms_{k}": every[k] for k in PCTS},
        "seconds": round(seconds, 2),
        "by_position": {k: _percentiles(v) for k, v in times.items()},
    }


def sweep(
    load_engine, text: str, start: int, end: int, values: list[float], choices: int = 1
) -> dict:
    """The typist once per minimum confidence (see the module docstring)."""
    rows = []
    for value in values:
        engine = load_engine(value)
        r = simulate(engine, text, start, end, choices=choices)
        rows.append(
            {
                "min_confidence": value,
                **{k: r[k] for k in ("ksr", "precision", "shown", "accepted")},
            }
        )
    ok = [r for r in rows if r["precision"] >= SWEEP_MIN_PRECISION]
    best = max(ok, key=lambda r: r["ksr"])["min_confidence"] if ok else None
    return {"sweep": rows, "best_min_confidence": best, "chars": end - start}


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ghostpen.evals.bpc import read_eval_text, tail_start
    from ghostpen.model.checkpoint import CheckpointError
    from ghostpen.suggest.engine import SuggestionEngine
    from ghostpen.suggest.types import EngineSettings

    text = read_eval_text(args.text)
    if text is None:
        return 2
    start = tail_start(len(text), args.tail_fraction)
    end = len(text) if args.limit_chars is None else min(len(text), start + args.limit_chars)
    if end <= start:
        print(f"{args.text}: nothing to type", file=sys.stderr)
        return 2
    if args.word_baseline:
        return wordbase.run_ksr(args, text, start, end)
    settings = EngineSettings(adapt=args.adapt, choices=args.choices)
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

    loaded = habits_arg.load(args.habits_from)
    if loaded is False:
        return 2
    snapshot, habits = loaded

    def load(min_confidence=None, beam=None):
        chosen = (
            settings if min_confidence is None else replace(settings, min_confidence=min_confidence)
        )
        engine = SuggestionEngine.from_checkpoint(args.model, chosen)
        beam = beam or args.beam
        if beam is not None:
            engine.beam = beam
        if args.alt_confidence is not None:
            engine.alt_min_confidence = args.alt_confidence
        if snapshot is not None:
            engine.set_habits(snapshot)
        return engine

    try:
        engine = load()
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.sweep_confidence is not None:
        result = sweep(load, text, start, end, args.sweep_confidence, args.choices)
        result.update(model=engine.name, adapt=settings.adapt, stop_at=settings.stop_at)
        print_result(result, args.json)
        return 0
    result = simulate(engine, text, start, end, choices=args.choices)
    if not args.by_position:
        del result["by_position"]
    result["oracle_ksr"] = result["oracle_accepted"] = None
    if args.oracle:
        oracle = load(0.0, args.oracle_beam)  # it needs no gate
        ceiling = simulate(oracle, text, start, end, oracle=True)
        result["oracle_ksr"], result["oracle_accepted"] = ceiling["ksr"], ceiling["accepted"]
    result.update(
        model=engine.name,
        adapt=settings.adapt,
        min_confidence=settings.min_confidence,
        stop_at=settings.stop_at,
        max_chars=settings.max_chars,
        beam=engine.beam,
        alt_min_confidence=engine.alt_min_confidence if args.choices > 1 else None,
        habits_entries=habits,
    )
    print_result(result, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "ksr"], argv)


if __name__ == "__main__":
    sys.exit(main())
