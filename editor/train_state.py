"""The training dialog's logic, without Qt: the corpus preview, the child's command line and
environment, and the progress read from its JSON lines (`ghostpen.training.events`).

The dialog (`editor/train_dialog.py`) runs `ghostpen train --progress json …` (the installed
package, from any folder: `command`) as a QProcess; this module decides what it runs and what
the dialog shows, and whether training is possible here at all (`unavailable`).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ghostpen.model.grow import MIN_COUNT
from ghostpen.model.vocab import UNK
from ghostpen.training import events

NICE = 10  # the child's priority drop: the editor's GUI and suggestion threads come first
CHILD_THREADS = 1  # one MXNet/OpenMP thread: two run ~5x slower whenever a core is busy
# `ghostpen` with the working folder (sys.path's "") out of the import path: argv after it
CHILD_ENTRY = (
    "import sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "from ghostpen.cli import main; sys.exit(main(sys.argv[1:]))"
)


@dataclass
class Preview:
    """What the chosen files hold, before training."""

    files: int = 0
    chars: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    new_chars: str = ""  # characters the base model lacks (>= MIN_COUNT occurrences)
    rare_chars: int = 0  # new characters rarer than that (mapped to the unknown id)
    error: str = ""  # why this cannot be trained on ("" when it can)
    size: int = 0  # bytes of the files, when they were too many or too large to read here
    more: bool = False  # the folders hold more than `files` files (the count stopped there)

    def text(self) -> str:
        if self.error:
            return self.error
        if self.size:
            from ghostpen.smallfile import describe_size

            more = "more than " if self.more else ""
            return (f"{more}{self.files - self.more} files, {more}{describe_size(self.size)} "
                    "(counted when training starts)")  # fmt: skip
        lines = [f"{self.files} files, {self.chars:,} characters"]
        binaries = [f for f, why in self.skipped if why == "binary"]
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} ({len(binaries)} binary)")
        if self.new_chars:
            shown = " ".join(self.new_chars[:40]) + (" …" if len(self.new_chars) > 40 else "")
            lines.append(f"new characters: {shown}")
        if self.rare_chars:
            lines.append(f"{self.rare_chars} rarer characters will be read as unknown")
        return "\n".join(lines)


PREVIEW_BYTES = 2**20  # documents larger than this (together) are previewed by size only (~75 ms)
PREVIEW_FILES = 2000  # and so are more files than this: the GUI thread never waits on a big read


def preview(paths: list[str], base_vocab=None) -> Preview:
    """Read the corpus as `ghostpen train` will and describe it; a corpus over PREVIEW_BYTES
    or PREVIEW_FILES is described by its sizes alone (one stat a file, nothing read)."""
    from ghostpen.training.corpus import (
        MAX_CORPUS_BYTES,
        CorpusError,
        corpus_files,
        file_size,
        load_corpus,
        too_large,
    )

    if not paths:
        return Preview(error="Add files or folders to train on.")
    try:
        files = corpus_files(paths, limit=PREVIEW_FILES)
        size = sum(file_size(f) for f in files)
        if size > MAX_CORPUS_BYTES:
            raise CorpusError(too_large(size))
        if len(files) > PREVIEW_FILES:
            return Preview(files=len(files), size=size, more=True)
        if size > PREVIEW_BYTES:
            return Preview(files=len(files), size=size)
        corpus = load_corpus(paths)
    except (CorpusError, OSError) as exc:
        return Preview(error=f"Cannot train on this: {exc}")
    out = Preview(
        files=len(corpus.files),
        chars=len(corpus.text),
        skipped=[(str(f), why) for f, why in corpus.skipped],
    )
    if base_vocab is not None:
        found = unknown_characters(base_vocab, corpus.text)
        out.new_chars = "".join(c for c, n in found if n >= MIN_COUNT)
        out.rare_chars = len(found) - len(out.new_chars)
    return out


def unknown_characters(vocab, text: str) -> list[tuple[str, int]]:
    """`grow.new_characters(vocab, text, 1)`, counted with numpy over the unknown positions
    only (a Counter over every character took 0.36 s for 2 MB in the GUI thread)."""
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    values, counts = np.unique(codes[vocab.ids(text) == vocab.unk_id], return_counts=True)
    found = [
        (chr(v), int(n))
        for v, n in zip(values.tolist(), counts.tolist(), strict=True)
        if chr(v) != UNK
    ]
    return sorted(found, key=lambda kv: (-kv[1], kv[0]))


def command(
    corpus: list[str],
    out: Path,
    *,
    minutes: float,
    base: str | None = None,
    extra: list[str] | tuple[str, ...] = (),
) -> list[str]:
    """The child's argv (program first): a fine-tune of `base`, or from scratch if None.

    It runs the installed `ghostpen` from any working folder: `python -m ghostpen` would find
    a `./ghostpen/` folder (the checkout's, when started there) before the installed package,
    so the child drops the working folder from its path first (`CHILD_ENTRY`); every path
    it is given is absolute."""
    absolute = [str(Path(p).absolute()) for p in corpus]
    argv = [sys.executable, "-c", CHILD_ENTRY, "train", "--progress", "json"]
    argv += ["--corpus", *absolute, "--out", str(Path(out).absolute()), "--minutes", f"{minutes:g}"]
    argv += ["--threads", str(CHILD_THREADS), "--nice", str(NICE)]
    if base is not None:
        argv += ["--from", base]
    return argv + list(extra)


def unavailable() -> str:
    """Why this ghostpen cannot train (MXNet missing, e.g. on Python 3.13), or "" when it
    can: the dialog shows it before Start, in one line. Cheap: MXNet is not imported."""
    from ghostpen.mxcompat import missing_reason, mxnet_installed

    return "" if mxnet_installed() else missing_reason()


def child_environment(env: dict[str, str]) -> dict[str, str]:
    return {**env, "OMP_NUM_THREADS": str(CHILD_THREADS), "PYTHONUNBUFFERED": "1"}


def default_name(now: float | None = None) -> str:
    return time.strftime("my-writing-%Y%m%d-%H%M", time.localtime(now))


class TrainProgress:
    """Reads the child's stdout; what the progress panel shows."""

    def __init__(self, minutes: float) -> None:
        self.minutes = minutes
        self.buffer = ""
        self.start = None  # the StartEvent
        self.step = None  # the last StepEvent
        self.val_bpc: float | None = None
        self.best_bpc: float | None = None
        self.done: dict | None = None
        self.started_at = time.monotonic()

    def feed(self, data: str) -> int:
        """Take a piece of stdout; the number of events it completed."""
        self.buffer += data
        *lines, self.buffer = self.buffer.split("\n")
        count = 0
        for line in lines:
            try:
                raw = json.loads(line)
                event = events.parse(raw)
            except (ValueError, KeyError, TypeError):
                continue  # not an event line (a warning, say)
            count += 1
            if event.event == "start":
                self.start = event
            elif event.event == "step":
                self.step = event
            elif event.event == "valid":
                self.val_bpc, self.best_bpc = event.val_bpc, event.best_val_bpc
            elif event.event == "done":
                self.done = raw
        return count

    def percent(self) -> int:
        if self.done is not None:
            return 100
        if self.step is None:
            return 0
        elapsed = time.monotonic() - self.started_at
        total = elapsed + self.step.eta_s
        return max(0, min(99, int(100 * elapsed / max(total, 1e-9))))

    def status(self) -> str:
        if self.step is None:
            return "Preparing (reading the documents, scoring the base model)…"
        parts = [
            f"ETA {_duration(self.step.eta_s)}",
            f"loss {self.step.loss:.3f}",
            f"{self.step.chars_per_s:,.0f} chars/s",
        ]
        if self.val_bpc is not None:
            parts.insert(2, f"val bpc {self.val_bpc:.3f} (best {self.best_bpc:.3f})")
        return " · ".join(parts)

    def summary(self) -> str:
        """The result line once done."""
        done = self.done or {}
        best, base = done.get("best_val_bpc"), done.get("base_val_bpc")
        if best is None:
            return "Training stopped before a model was saved."
        text = f"New model: {best:.3f} bits per character on your held-out text"
        if base is not None:
            text += f" (the base model {done.get('base_model') or ''}: {base:.3f})"
        return text + f". Stopped by: {done.get('reason')}."


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
