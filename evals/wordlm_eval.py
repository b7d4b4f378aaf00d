"""`ghostpen eval wordlm`: the word n-gram model on the tail of a text — perplexity, next-word
accuracy, size, memory and query speed.

The model is the checkpoint's (`--model`, when it has one) or is trained here on `--corpus`
files, or by default on the text before the tail (`--tail-fraction`). On the tail's tokens
(`model/wordtok.py`, each sentence scored from `<s>` to `</s>`, punctuation included):

- `perplexity`: exp of the mean negative log-probability over every token, `</s>` included
  (the convention of KenLM's `query`); `word_perplexity` over the word tokens only;
- `oov_rate`: tokens outside the vocabulary (scored as `<unk>`);
- `top1_accuracy`: how often the most probable next word (`top_continuations`, prefix '')
  is the next word, over the word tokens;
- `file_bytes` (compressed .npz), `array_bytes` (numpy arrays held), `load_rss_bytes` (the
  resident memory a fresh Python process gains loading the file: arrays, vocabulary strings);
- `top_ms_median` / `top_ms_p95`: `top_continuations` at every 7th character of the tail, with
  the typed prefix and context `split_context` gives there (k = 5).

    ghostpen eval wordlm --text nietzsche.txt [--model DIR | --corpus PATH…] [--order 4]
                         [--prune auto|yes|no] [--adapt] --json
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ghostpen import argtypes
from ghostpen.report import print_result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", required=True, help="text whose tail is scored")
    parser.add_argument("--model", default=None, help="checkpoint with a word model")
    parser.add_argument("--corpus", nargs="+", metavar="PATH", help="train on these instead")
    parser.add_argument(
        "--tail-fraction",
        type=argtypes.tail_fraction,
        default=0.1,
        help="score the last fraction of the text (default 0.1)",
    )
    parser.add_argument("--order", type=int, choices=(1, 2, 3, 4), default=4)
    parser.add_argument(
        "--prune",
        choices=("auto", "yes", "no"),
        default="auto",
        help="drop n-grams of order >= 3 seen once (auto: large corpora)",
    )
    parser.add_argument(
        "--adapt",
        action="store_true",
        help="score with the document layer (fed with the tail as it goes)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


_RSS = """import sys
from ghostpen.model.wordlm import WordLM
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096
before = rss()
lm = WordLM.load(sys.argv[1])
print(rss() - before)
"""


def load_rss(folder: str) -> int | None:
    """Resident memory a fresh Python process gains loading the model (Linux; else None)."""
    import subprocess

    if not Path("/proc/self/statm").exists():
        return None
    done = subprocess.run([sys.executable, "-c", _RSS, folder], capture_output=True, text=True)
    return int(done.stdout) if done.returncode == 0 and done.stdout.strip() else None


def score(lm, text: str, doc=None) -> dict:
    """Perplexities, OOV rate and top-1 next-word accuracy of `lm` on `text`."""
    from ghostpen.model.wordtok import BOS, EOS, is_word, sentences

    total = words_lp = 0.0
    n = n_words = oov = top1 = 0
    for sentence in sentences(text):
        history = [BOS]
        for token in [*sentence, EOS]:
            lp = lm.logprob(token, history, doc=doc)
            total -= lp
            n += 1
            oov += lm.token_id(token) == 0
            if is_word(token):
                words_lp -= lp
                n_words += 1
                best = lm.top_continuations(history, "", 1, doc=doc)
                top1 += bool(best) and best[0][0] == token
            history.append(token)
        if doc is not None:
            doc.add_sentence(sentence)
    return {
        "perplexity": round(math.exp(total / max(n, 1)), 2),
        "word_perplexity": round(math.exp(words_lp / max(n_words, 1)), 2),
        "tokens": n,
        "words": n_words,
        "oov_rate": round(oov / max(n, 1), 4),
        "top1_accuracy": round(top1 / max(n_words, 1), 4),
    }


def query_speed(lm, text: str, start: int) -> dict:
    from ghostpen.model.wordtok import split_context

    times = []
    for i in range(start, len(text), 7):
        context, prefix = split_context(text[max(0, i - 300) : i])
        t0 = time.perf_counter()
        lm.top_continuations(context, prefix, 5)
        times.append(time.perf_counter() - t0)
    ms = 1000 * np.array(times or [0.0])
    return {"top_ms_median": round(float(np.median(ms)), 4),
            "top_ms_p95": round(float(np.percentile(ms, 95)), 4)}  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from ghostpen.evals.bpc import read_eval_text, tail_start
    from ghostpen.model.checkpoint import CheckpointError
    from ghostpen.model.worddoc import DocumentWordCounts
    from ghostpen.model.wordlm import WordLM, WordLMError, load_word_model

    text = read_eval_text(args.text)
    if text is None:
        return 2
    start = tail_start(len(text), args.tail_fraction)
    result: dict = {}
    t0 = time.perf_counter()
    if args.model is not None:
        try:
            lm = load_word_model(args.model)
        except (CheckpointError, WordLMError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if lm is None:
            print(
                f"error: {args.model} holds no word model (ghostpen wordlm build)", file=sys.stderr
            )
            return 2
        result["trained_on"] = f"checkpoint {args.model}"
    else:
        if args.corpus:
            from ghostpen.training.corpus import CorpusError, load_corpus

            try:
                texts = [load_corpus(args.corpus).text]
            except CorpusError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
        else:
            texts = [text[:start]]
        prune = {"auto": None, "yes": True, "no": False}[args.prune]
        lm = WordLM.train(texts, order=args.order, prune=prune)
        result["trained_on"] = f"{sum(map(len, texts)):,} characters"
        result["train_s"] = round(time.perf_counter() - t0, 2)
    with tempfile.TemporaryDirectory() as tmp:
        path = lm.save(tmp)
        result.update(load_rss_bytes=load_rss(tmp), file_bytes=Path(path).stat().st_size)
        lm = WordLM.load(tmp)
    result.update(array_bytes=lm.nbytes(), header={k: lm.header[k] for k in
                  ("order", "vocab", "tokens", "ngrams", "prune", "discounts")})  # fmt: skip
    result.update(score(lm, text[start:], DocumentWordCounts() if args.adapt else None))
    result.update(query_speed(lm, text, start), adapt=args.adapt)
    print_result(result, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "wordlm"], argv)


if __name__ == "__main__":
    sys.exit(main())
