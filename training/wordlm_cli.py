"""`ghostpen wordlm`: build the word n-gram model of an existing checkpoint, without retraining.

    ghostpen wordlm build --model DIR --corpus PATH… [--tail-fraction 0.1] [--order 4]
    ghostpen wordlm info --model DIR

`build` reads the corpus as `ghostpen train` does (files and folders, `--ext`), leaves out its
last `--tail-fraction` (default 0.1: the validation/test tail `ghostpen train` holds out, so
the word model never sees the text the checkpoint is measured on; 0 uses everything), counts
the word model (`model/wordlm.py`) and adds it to the checkpoint (`attach_word_model`: a new
file, meta.json replaced atomically, the previous word model removed). `info` prints what
meta.json records about it, as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys

from ghostpen.argtypes import fraction, positive_int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="wordlm_action", metavar="ACTION", required=True)
    build = sub.add_parser("build", help="count a corpus into the checkpoint's word model")
    build.add_argument("--model", required=True, help="checkpoint directory (or model name)")
    build.add_argument(
        "--corpus",
        nargs="+",
        required=True,
        metavar="PATH",
        help="text files or folders (recursive)",
    )
    build.add_argument("--ext", default=None, help="extensions to read in folders (md,txt)")
    build.add_argument(
        "--tail-fraction",
        type=fraction,
        default=0.1,
        help="leave out the last fraction of the corpus (default 0.1)",
    )
    build.add_argument("--order", type=int, choices=(1, 2, 3, 4), default=4)
    build.add_argument(
        "--min-count",
        type=positive_int,
        default=1,
        help="rarer tokens become <unk> (default 1: keep every word)",
    )
    build.add_argument(
        "--prune",
        choices=("auto", "yes", "no"),
        default="auto",
        help="drop n-grams of order >= 3 seen once (auto: large corpora)",
    )
    info = sub.add_parser("info", help="what the checkpoint's meta.json says of its word model")
    info.add_argument("--model", required=True, help="checkpoint directory (or model name)")


def build_text(corpus_text: str, tail_fraction: float) -> str:
    """The part of the corpus the word model is counted on: all but the last fraction."""
    return corpus_text[: int(len(corpus_text) * (1.0 - tail_fraction))]


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.checkpoint import CheckpointError, attach_word_model, read_checkpoint

    try:
        ckpt = read_checkpoint(args.model)
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.wordlm_action == "info":
        print(json.dumps(ckpt.word_model or None))
        return 0
    from ghostpen.model.wordlm import WordLM
    from ghostpen.training.corpus import DEFAULT_EXTENSIONS, CorpusError, load_corpus

    exts = DEFAULT_EXTENSIONS
    if args.ext:
        exts = tuple("." + e.strip().lstrip(".").lower() for e in args.ext.split(",") if e.strip())
    try:
        corpus = load_corpus(args.corpus, exts)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = build_text(corpus.text, args.tail_fraction)
    prune = {"auto": None, "yes": True, "no": False}[args.prune]
    lm = WordLM.train([text], order=args.order, min_count=args.min_count, prune=prune)
    try:
        name = attach_word_model(ckpt.path, lm)
    except OSError as exc:
        print(f"error: cannot write into {ckpt.path} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = (ckpt.path / name).stat().st_size
    print(json.dumps({"file": str(ckpt.path / name), "bytes": size, "chars": len(text),
                      **lm.meta_entry(name)}))  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["wordlm"], argv)


if __name__ == "__main__":
    sys.exit(main())
