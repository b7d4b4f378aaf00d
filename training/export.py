"""Export a training checkpoint for shipping: best weights only, optionally as float16.

    python -m ghostpen.training.export runs/default assets/models/default --half

Drops the resume state (latest weights, optimizer moments), keeps the word model and every
other field of meta.json (those this ghostpen does not know too); float16
halves the size (weights are cast back to float32 when loaded; the logits change by ~1e-3, bpc
by < 0.001).

The destination is claimed like a training's --out (`training.outdir.claim_output`): a new or
empty folder, or a ghostpen checkpoint, which is replaced (its files go only once the new
meta.json is written); a folder of other files is refused, never emptied.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def export_checkpoint(src: str | Path, dst: str | Path, half: bool = False, name: str = "") -> None:
    from ghostpen.model.checkpoint import FORMAT, load_model, save_checkpoint
    from ghostpen.model.meta import TrainingStats, read_section
    from ghostpen.model.wordlm import WordLM
    from ghostpen.training.outdir import claim_output

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", help="training checkpoint directory")
    parser.add_argument(
        "dst", help="new checkpoint directory (a ghostpen checkpoint there is replaced)"
    )
    parser.add_argument("--half", action="store_true", help="store weights as float16")
    parser.add_argument("--name", default="", help="model name shown in the editor")
    args = parser.parse_args(argv)
    from ghostpen.model.checkpoint import CheckpointError
    from ghostpen.training.outdir import OutputError

    try:
        export_checkpoint(args.src, args.dst, args.half, args.name)
    except (CheckpointError, OutputError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"export: cannot write {args.dst} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
