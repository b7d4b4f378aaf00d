"""What a checkpoint records of its corpus, and holding `train --resume` to it.

`record(corpus)` is stored as meta.json's `training.corpus`: every file (absolute paths, all of
them), each file's sha256, the characters and the sha256 of the joined text. On `--resume`:

- without `--corpus`, `recorded_corpus` reads the recorded files again; a file that is gone or
  changed is named and the resume refused (no silent switch to another text);
- with `--corpus`, `check_same` refuses a text whose sha256 differs from the recorded one,
  naming both, unless `--new-corpus` says to continue on different text.
"""

from __future__ import annotations

from pathlib import Path

from ghostpen.training.corpus import Corpus, CorpusError, load_corpus

SHOWN = 3  # file names quoted in a message


def record(corpus: Corpus) -> dict:
    """The corpus as meta.json's `training.corpus` records it."""
    return {
        "files": [str(Path(f).resolve()) for f in corpus.files],
        "file_sha256": list(corpus.file_sha256),
        "file_count": len(corpus.files),
        "chars": len(corpus.text),
        "sha256": corpus.sha256,
    }


def _names(files: list[str]) -> str:
    shown = ", ".join(files[:SHOWN])
    return shown + (f" and {len(files) - SHOWN} more" if len(files) > SHOWN else "")


def _describe(rec: dict) -> str:
    files = list(rec.get("files") or [])
    count = int(rec.get("file_count") or len(files))
    names = _names(files) if len(files) == count else f"{count} files"
    sha = str(rec.get("sha256", ""))[:12] or "unknown"
    return f"{names} (sha256 {sha}…, {int(rec.get('chars') or 0):,} characters)"


def recorded_corpus(rec: dict, out: Path) -> Corpus:
    """The corpus checkpoint `out` was trained on, read again and checked against `rec`."""
    files = [str(f) for f in rec.get("files") or []]
    if not files or not rec.get("sha256"):
        raise CorpusError(
            f"{out} does not record the corpus it was trained on; pass --corpus with that text"
        )
    if int(rec.get("file_count") or len(files)) != len(files):
        raise CorpusError(
            f"{out} records only {len(files)} of its {rec['file_count']} corpus files; "
            f"pass --corpus with the text it was trained on"
        )
    gone = [f for f in files if not Path(f).is_file()]
    if gone:
        raise CorpusError(
            f"the corpus {out} was trained on is gone: {_names(gone)} no longer exist; pass "
            f"--corpus (and --new-corpus to continue on different text)"
        )
    corpus = load_corpus(files, extensions=None)
    hashes = list(rec.get("file_sha256") or [])
    loaded = dict(zip(map(str, corpus.files), corpus.file_sha256, strict=True))
    changed = [f for f, sha in zip(files, hashes, strict=False) if loaded.get(f) != sha]
    if not changed and corpus.sha256 != rec["sha256"]:
        changed = [f for f in files if f not in loaded] or files
    if changed:
        raise CorpusError(
            f"the corpus {out} was trained on has changed: {_names(changed)}; pass --corpus "
            f"with the current text and --new-corpus to continue on it"
        )
    return corpus


def check_same(rec: dict, corpus: Corpus, out: Path, new_corpus: bool) -> None:
    """CorpusError when `corpus` is not the recorded text (unless `new_corpus`)."""
    old = rec.get("sha256")
    if new_corpus or not old or old == corpus.sha256:
        return
    raise CorpusError(
        f"--corpus {_describe(record(corpus))} is not the text {out} was trained on "
        f"({_describe(rec)}); pass --new-corpus to continue on different text, or leave out "
        f"--corpus to reuse the checkpoint's"
    )
