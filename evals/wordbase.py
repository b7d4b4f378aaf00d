"""A word predictor under ghostpen's typist: the word n-gram model alone (`--word-baseline`).

`WordSuggester(lm)` is driven by `evals.ksr.simulate` like the engine (`.suggest(before,
after)`): its suggestion is the rest of the most probable word given the typed prefix and the
previous 3 tokens (`model/wordtok.split_context`), plus the following space — the KenLM /
Presage rows of issue 11. With `no_repeat` (the default), a word shown at a word position and
then typed past (the typist typed a character instead of taking it) is not offered again at that
position; the memory ends with the word. Nothing is offered after punctuation with no space
(the typist types the space); the typed prefix itself is never offered (the suggestion would
be a lone space), the best longer word is. `doc` (a `DocumentWordCounts`) adds the document
layer, fed with the text before the cursor.

    ghostpen eval ksr --text nietzsche.txt --word-baseline [--word-repeat] [--word-adapt]
                      [--model DIR | --word-corpus PATH…] [--choices N] --json

With `--choices N` it offers the N most probable words (each with its space) as the engine
offers its alternatives. `--word-corpus ../shared/data/corpora/english-pd` trains the word
model on that corpus and the text before the tail: the data the bundled LSTM saw (the fair
baseline of issue 18).

The word model is the checkpoint's (`--model`) when it has one, else one trained on the text
before the typed tail (`--tail-fraction`), never on the tail.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np


class WordSuggester:
    """Suggestions from a `WordLM` alone (see the module docstring)."""

    name = "word n-gram"
    beam = 0

    def __init__(self, lm, no_repeat: bool = True, doc=None, choices: int = 1):
        self.lm, self.no_repeat, self.doc, self.choices = lm, no_repeat, doc, choices
        self._position: tuple | None = None  # (context, text before the word) of the word
        self._banned: set[str] = set()
        self._offered: tuple[str, ...] = ()

    def suggest(self, before: str, after: str = ""):
        from ghostpen.model.wordtok import split_context
        from ghostpen.suggest.types import Suggestion

        context, prefix = split_context(before, self.lm.order - 1)
        if not prefix and before and not before[-1].isspace():
            return None
        position = (context, before[len(before) - len(prefix) - 64 : len(before) - len(prefix)])
        if position != self._position:
            self._position, self._banned, self._offered = position, set(), ()
        elif self.no_repeat:  # shown, and the typist typed on instead
            self._banned.update(w for w in self._offered if w != prefix)
        self._offered = ()
        if self.doc is not None:
            self.doc.set_text(before)
        skip = self._banned | {prefix}
        n = len(skip) + self.choices
        best = self.lm.top_continuations(context, prefix, n, doc=self.doc)
        best = [(w, lp) for w, lp in best if w not in skip][: self.choices]
        if not best:
            return None
        self._offered = tuple(w for w, _ in best)
        shown = [Suggestion(w[len(prefix) :] + " ", self._confidence(lp, context, prefix),
                            "model") for w, lp in best]  # fmt: skip
        return shown[0].with_alternatives(shown[1:])

    def _confidence(self, logprob: float, context, prefix: str) -> float:
        """p(word | context, the word starts with prefix), the static model's."""
        lm = self.lm
        lo, hi = lm.prefix_range(prefix)
        mass = float(lm.probs(np.arange(lo, hi), lm.context_ids(context)).sum())
        return min(1.0, math.exp(logprob) / mass) if mass > 0 else 0.0


def add_ksr_arguments(parser: argparse.ArgumentParser) -> None:
    """The `eval ksr` flags of the word baseline."""
    group = parser.add_argument_group("word baseline")
    group.add_argument(
        "--word-baseline",
        action="store_true",
        help="type with the word n-gram model alone (evals/wordbase.py)",
    )
    group.add_argument(
        "--word-repeat",
        action="store_true",
        help="offer a word again after the typist typed past it",
    )
    group.add_argument(
        "--word-corpus",
        nargs="+",
        metavar="PATH",
        default=None,
        help="also train the word model on these files (e.g. the LSTM's pretraining corpus)",
    )
    group.add_argument(
        "--word-adapt",
        action="store_true",
        help="mix in the document layer (the text before the cursor)",
    )


def word_model_for(model: str | None, head: str, corpus: list[str] | None = None):
    """(WordLM, where it came from): the checkpoint's, or one trained on `head` (and the
    `corpus` files before it: `--word-corpus`, e.g. what the LSTM was pretrained on)."""
    from ghostpen.model.checkpoint import CheckpointError
    from ghostpen.model.wordlm import WordLM, WordLMError, load_word_model

    if model is not None:
        try:
            lm = load_word_model(model)
        except (CheckpointError, WordLMError) as exc:
            raise SystemExit(f"error: {exc}") from None
        if lm is not None:
            return lm, f"checkpoint {model}"
    t0 = time.perf_counter()
    texts = [head]
    if corpus:
        from ghostpen.training.corpus import CorpusError, load_corpus

        try:
            texts.insert(0, load_corpus(corpus, (".txt",)).text)  # not SOURCE.md files
        except CorpusError as exc:
            raise SystemExit(f"error: {exc}") from None
    lm = WordLM.train(texts)
    extra = f" and {len(texts[0]):,} of {' '.join(corpus)}" if corpus else ""
    return lm, f"trained on the {len(head):,} characters before the tail{extra} in " + (
        f"{time.perf_counter() - t0:.1f} s"
    )


def run_ksr(args: argparse.Namespace, text: str, start: int, end: int) -> int:
    """`eval ksr --word-baseline`: the typist with a `WordSuggester`."""
    from ghostpen.evals.ksr import simulate
    from ghostpen.model.worddoc import DocumentWordCounts
    from ghostpen.report import print_result

    lm, source = word_model_for(args.model, text[:start], args.word_corpus)
    doc = DocumentWordCounts() if args.word_adapt else None
    suggester = WordSuggester(lm, no_repeat=not args.word_repeat, doc=doc, choices=args.choices)
    result = simulate(suggester, text, start, end, choices=args.choices)
    result.update(model="word n-gram", word_model=source, order=lm.order,
                  no_repeat=not args.word_repeat, adapt=bool(doc))  # fmt: skip
    print_result(result, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "ksr", "--word-baseline"], argv)


if __name__ == "__main__":
    sys.exit(main())
