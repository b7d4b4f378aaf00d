"""`ghostpen wordlm`: build the word n-gram model of an existing checkpoint, without retraining.

    ghostpen wordlm build --model DIR --corpus PATH… [--tail-fraction 0.1] [--order 4] [--out NAME]
    ghostpen wordlm info --model DIR

`build` reads the corpus as `ghostpen train` does (files and folders, `--ext`), leaves out its
last `--tail-fraction` (default 0.1: the validation/test tail `ghostpen train` holds out, so
the word model never sees the text the checkpoint is measured on; 0 uses everything), counts
the word model (`model/wordlm.py`) and adds it to the checkpoint (`attach_word_model`: a new
file, meta.json replaced atomically, the previous word model removed). `info` prints what
meta.json records about it, as JSON.

`build` holds the model folder's lock (`model/folderlock.py`) from reading meta.json to
replacing it, so it is refused while a training writes that folder ("in use by another ghostpen
process (pid N …)") instead of writing back a stale file list. Bundled models are never
written: `--model default` is refused unless `--out NAME` asks for a copy (a name in the user
models folder, or a path, claimed like a training's --out), which gets the new word model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ghostpen.argtypes import fraction, positive_int
from ghostpen.cli import run_as
from ghostpen.model.checkpoint import META, CheckpointError, attach_word_model, read_checkpoint
from ghostpen.model.folderlock import FolderBusy, hold_folder
from ghostpen.model.library import is_bundled, output_path
from ghostpen.model.metaschema import checkpoint_format
from ghostpen.model.wordlm import WordLM
from ghostpen.oserrors import describe_os_error
from ghostpen.training.corpus import DEFAULT_EXTENSIONS, CorpusError, load_corpus
from ghostpen.training.outdir import OutputError, claim_output


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
    build.add_argument(
        "--out",
        default=None,
        metavar="NAME",
        help="write a copy of the model with the new word model (a name in your models folder "
        "or a path); needed for bundled models, which are never changed",
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
    try:
        ckpt = read_checkpoint(args.model)
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.wordlm_action == "info":
        print(json.dumps(ckpt.word_model or None))
        return 0
    if args.out is None and is_bundled(ckpt.path):
        print(f"error: {ckpt.path.name} is a bundled model and is never changed; pass "
              "--out NAME to write a copy with the new word model into your models folder",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.out is not None:
        return _build_into_copy(args, ckpt.path)
    try:
        with hold_folder(ckpt.path):  # no training writes it meanwhile (model/folderlock.py)
            return _build(args, ckpt.path)
    except FolderBusy as exc:
        print(f"error: {exc}; wait for it to finish", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot write into {ckpt.path} ({describe_os_error(exc)}); pass --out NAME "
              "to write a copy", file=sys.stderr)  # fmt: skip
        return 1


def _build(args: argparse.Namespace, path: Path) -> int:
    """Count the corpus and attach the word model to the checkpoint at `path` (locked)."""
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
        name = attach_word_model(path, lm)
    except OSError as exc:
        print(f"error: cannot write into {path} ({describe_os_error(exc)})", file=sys.stderr)
        return 1
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = (path / name).stat().st_size
    print(json.dumps({"file": str(path / name), "bytes": size, "chars": len(text),
                      **lm.meta_entry(name)}))  # fmt: skip
    return 0


def _build_into_copy(args: argparse.Namespace, source: Path) -> int:
    """--out NAME: copy the checkpoint into a new folder (claimed like a training's --out),
    then build its word model there; the source is only read. A failure removes the copy."""
    dst = output_path(args.out)
    if checkpoint_format(dst) is not None:
        print(f"error: {dst} already holds a model; choose a new name for the copy",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        claim = claim_output(dst)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with claim:
        copied = []
        try:
            copied = _copy_checkpoint(source, dst)
            rc = _build(args, dst)
        except OSError as exc:
            print(f"error: cannot copy {source} into {dst} ({describe_os_error(exc)})",
                  file=sys.stderr)  # fmt: skip
            rc = 1
        if rc != 0:
            for file in reversed(copied):
                file.unlink(missing_ok=True)
        return rc


def _copy_checkpoint(source: Path, dst: Path) -> list[Path]:
    """Copy meta.json (last) and the files it names; returns the files written, in order."""
    import shutil

    written = []
    for name in [*read_checkpoint(source).files.values(), META]:
        written.append(dst / name)
        shutil.copyfile(source / name, dst / name)
    return written


def main(argv: list[str] | None = None) -> int:
    return run_as(["wordlm"], argv)


if __name__ == "__main__":
    sys.exit(main())
