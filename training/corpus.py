"""Reading a training corpus: files and folders, any common text encoding, binary files skipped.

Each file is decoded by `ghostpen.textio.decode_bytes`, as the editor opens it: BOM (UTF-8,
UTF-16/32) -> strict UTF-8 -> cp1252 -> latin-1 (never fails), newlines normalised to "\\n".
Binary files (NUL bytes, or over 30% control characters in the first 8 KiB) are skipped with a
warning; a corpus with no text at all is rejected with a clear error. Sizes are checked before
anything is read (at most `MAX_CORPUS_BYTES`); a FIFO or device given as a path is named as one.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ghostpen.smallfile import SmallFileError, describe_size, read_small
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
    file_sha256: list[str] = field(default_factory=list)  # sha256 of each used file's bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


MAX_CORPUS_BYTES = 512 * 1024 * 1024  # the most text one training reads (sizes checked first)


def _not_a_file(p: Path) -> str:
    """Why `p`, which exists, is neither a text file nor a folder ("a FIFO", …)."""
    try:
        mode = p.stat().st_mode
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):  # fmt: skip
        if test(mode):
            return f"{name}, not a text file or folder"
    return "not a text file or folder"


def corpus_files(
    paths: Iterable[str | os.PathLike],
    extensions: tuple[str, ...] | None = DEFAULT_EXTENSIONS,
    limit: int | None = None,
) -> list[Path]:
    """The files `paths` name: files as they are, folders searched recursively (hidden parts
    and other extensions left out). CorpusError for a path that is missing, a FIFO or device.
    With `limit`, the search stops once more than `limit` files are found (a preview's bound)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if limit is not None and len(files) > limit:
            break
        if p.is_dir():
            found = []
            for f in p.rglob("*"):
                if limit is not None and len(files) + len(found) > limit:
                    break
                if (
                    (not extensions or f.suffix.lower() in extensions)
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                    and f.is_file()
                ):
                    found.append(f)
            found.sort()
            if not found:
                log.warning("%s: no files with extensions %s", p, ", ".join(extensions or ()))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        elif os.path.exists(p):
            raise CorpusError(f"{p}: {_not_a_file(p)}")
        else:
            raise CorpusError(f"{p}: no such file or folder")
    return files


def file_size(f: Path) -> int:
    """The size of `f` in bytes (0 when it cannot be read: the read then says why)."""
    try:
        return f.stat().st_size
    except OSError:
        return 0


def too_large(total: int, max_bytes: int = MAX_CORPUS_BYTES, largest: Path | None = None) -> str:
    """The message for a corpus of `total` bytes over the cap."""
    big = f" ({largest} alone is {describe_size(file_size(largest))})" if largest else ""
    return (f"the corpus is {describe_size(total)}{big}; at most {max_bytes // 2**20} MB is "
            "read: pass fewer files or split it")  # fmt: skip


def _read(f: Path, budget: int, total: int, max_bytes: int) -> bytes:
    """The bytes of `f` when they fit the remaining `budget` (sizes checked before reading);
    CorpusError when they do not, OSError (SmallFileError for a FIFO swapped in) otherwise."""
    size = file_size(f)
    if size > budget:
        raise CorpusError(too_large(total + size, max_bytes, f))
    try:
        return read_small(f, budget)
    except SmallFileError as exc:
        if exc.errno == errno.EFBIG:  # it grew while read
            raise CorpusError(too_large(total + budget + 1, max_bytes, f)) from None
        raise


def load_corpus(
    paths: Iterable[str | os.PathLike],
    extensions: tuple[str, ...] | None = DEFAULT_EXTENSIONS,
    max_bytes: int = MAX_CORPUS_BYTES,
) -> Corpus:
    """Read every text file under `paths` (folders recursively, filtered by extension). Each
    file's size is checked against what is left of `max_bytes` before it is read, so a 40 GB
    file is a message, never a 40 GB read."""
    corpus = Corpus(text="")
    parts: list[str] = []
    total = 0
    for f in corpus_files(paths, extensions):
        try:
            data = _read(f, max_bytes - total, total, max_bytes)
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
        if text.strip():
            parts.append(text)
            corpus.files.append(f)
            corpus.file_sha256.append(hashlib.sha256(data).hexdigest())
        else:
            corpus.skipped.append((f, "empty"))
    if not parts:
        why = "; ".join(f"{f}: {reason}" for f, reason in corpus.skipped[:5]) or "no files found"
        raise CorpusError(f"the corpus has no text to train on ({why})")
    corpus.text = "\n\n".join(parts)
    return corpus


def held_in(text: str, test_fraction: float = 0.0) -> str:
    """`text` without its last `test_fraction`: the test tail that `eval bpc`/`eval ksr
    --tail-fraction` score (the same cut, `int(n * (1 - fraction))`), never read in training."""
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError("test_fraction must be in [0, 1)")
    return text[: int(len(text) * (1.0 - test_fraction))] if test_fraction else text


def split(text: str, valid_fraction: float = 0.1, test_fraction: float = 0.0) -> tuple[str, str]:
    """The first 90% for training, the last 10% for validation (nietzsche: last 60,090 chars).

    With `test_fraction` the last part of `text` is dropped first (`held_in`), so validation is
    the slice just before the test tail and the test tail is seen by neither."""
    if not 0.0 < valid_fraction < 1.0:
        raise ValueError("valid_fraction must be in (0, 1)")
    text = held_in(text, test_fraction)
    cut = int(len(text) * (1.0 - valid_fraction))
    return text[:cut], text[cut:]


VALID_STREAMS = 16  # validation streams (at most; the training loop's VALID_BATCH)


def min_chars(batch_size: int, seq_len: int, valid_fraction: float) -> int:
    """The smallest corpus `split` + batching can train on: every training stream holds one
    full chunk (`seq_len` + 1 characters) and every validation stream two characters."""
    need_train = batch_size * (seq_len + 1)
    need_valid = 2 * min(batch_size, VALID_STREAMS)
    n = max(int(need_train / (1.0 - valid_fraction)), int(need_valid / valid_fraction), 1)
    while True:
        cut = int(n * (1.0 - valid_fraction))
        if cut >= need_train and n - cut >= need_valid:
            return n
        n += 1


def check_size(chars: int, batch_size: int, seq_len: int, valid_fraction: float) -> None:
    """CorpusError saying how small is enough when `chars` characters are too few."""
    need = min_chars(batch_size, seq_len, valid_fraction)
    if chars < need:
        raise CorpusError(
            f"the corpus is too small: {chars:,} characters, and batch size {batch_size}, "
            f"sequence length {seq_len} and validation fraction {valid_fraction:g} need at least "
            f"{need:,}; add text, or lower --batch-size or --seq-len"
        )
