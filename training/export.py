"""Export a training checkpoint for shipping: best weights only, optionally as float16.

    ghostpen export runs/default assets/models/default --half    (training/export_cli.py)
    python -m ghostpen.training.export runs/default assets/models/default --half   (the same)

Drops the resume state (latest weights, optimizer moments), keeps the word model and every
other field of meta.json (those this ghostpen does not know too); float16
halves the size (weights are cast back to float32 when loaded; `ghostpen eval bpc` shows what
it costs).

The destination is claimed like a training's --out (`training.outdir.claim_output`): a new or
empty folder, or a ghostpen checkpoint, which is replaced (its files go only once the new
meta.json is written); a folder of other files is refused, never emptied.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ghostpen.cli import run_as
from ghostpen.model.checkpoint import FORMAT, load_model, save_checkpoint
from ghostpen.model.meta import TrainingStats, read_section
from ghostpen.model.wordlm import WordLM
from ghostpen.training.outdir import claim_output


def export_checkpoint(src: str | Path, dst: str | Path, half: bool = False, name: str = "") -> None:
    net, ckpt = load_model(src)
    if half:
        net.cast("float16")
    dst = Path(dst)
    stats = read_section(TrainingStats, ckpt.training, "training")  # unknown keys kept
    stats.name = name or stats.name or dst.name
    stats.stored_dtype = "float16" if half else "float32"
    word = WordLM.load(ckpt.path / ckpt.files["wordlm"]) if "wordlm" in ckpt.files else None
    with claim_output(dst, force=True, kind=FORMAT):
        save_checkpoint(dst, ckpt.config, ckpt.vocab, params=net, training=stats,
                        word_model=word, extra=ckpt.extra)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """`python -m ghostpen.training.export SRC DST …`: the same as `ghostpen export`."""
    return run_as(["export"], argv)


if __name__ == "__main__":
    sys.exit(main())
