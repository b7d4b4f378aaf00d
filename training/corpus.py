"""Reading a training corpus: files and folders, any common text encoding, binary files skipped.

Each file is decoded by `ghostpen.textio.decode_bytes`, as the editor opens it: BOM (UTF-8,
UTF-16/32) -> strict UTF-8 -> cp1252 -> latin-1 (never fails), newlines normalised to "\\n".
Binary files (NUL bytes, or over 30% control characters in the first 8 KiB) are skipped with a
warning; a corpus with no text at all is rejected with a clear error.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ghostpen.textio import BinaryFileError, decode_bytes

log = logging.getLogger(__name__)

DEFAULT_EXTENSIONS = (".txt", ".md", ".rst", ".html", ".htm", ".xml", ".py", ".tex", ".csv")


class CorpusError(ValueError):
    """A corpus that cannot be used for training (the message says why and what to do)."""


@dataclass
class Corpus:
    text: str  # all documents, newlines normalised, joined by a blank line
    files: list[Path] = field(default_factory=list)  # files used, in order
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (file, reason)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _expand(paths: Iterable[str | os.PathLike], extensions: tuple[str, ...] | None) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and (not extensions or f.suffix.lower() in extensions)
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not found:
                log.warning("%s: no files with extensions %s", p, ", ".join(extensions or ()))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise CorpusError(f"{p}: no such file or folder")
    return files


def load_corpus(
    paths: Iterable[str | os.PathLike],
    extensions: tuple[str, ...] | None = DEFAULT_EXTENSIONS,
    max_bytes: int = 512 * 1024 * 1024,
) -> Corpus:
    """Read every text file under `paths` (folders recursively, filtered by extension)."""
    corpus = Corpus(text="")
    parts: list[str] = []
    total = 0
    for f in _expand(paths, extensions):
        try:
            data = f.read_bytes()
        except OSError as exc:
            corpus.skipped.append((f, f"unreadable: {exc.strerror or exc}"))
            continue
        try:
            text = decode_bytes(data, name=f).text
        except BinaryFileError:
            corpus.skipped.append((f, "binary"))
            log.warning("%s: skipped (looks binary)", f)
            continue
        total += len(data)
        if total > max_bytes:
            raise CorpusError(
                f"corpus is larger than {max_bytes // 2**20} MB; pass fewer files or split it"
            )
        if text.strip():
            parts.append(text)
            corpus.files.append(f)
        else:
            corpus.skipped.append((f, "empty"))
    if not parts:
        why = "; ".join(f"{f}: {reason}" for f, reason in corpus.skipped[:5]) or "no files found"
        raise CorpusError(f"the corpus has no text to train on ({why})")
    corpus.text = "\n\n".join(parts)
    return corpus


def split(text: str, valid_fraction: float = 0.1) -> tuple[str, str]:
    """The first 90% for training, the last 10% for validation (nietzsche: last 60,090 chars)."""
    if not 0.0 < valid_fraction < 1.0:
        raise ValueError("valid_fraction must be in (0, 1)")
    cut = int(len(text) * (1.0 - valid_fraction))
    return text[:cut], text[cut:]
