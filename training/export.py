"""Export a training checkpoint for shipping: best weights only, optionally as float16.

    python -m ghostpen.training.export runs/default assets/models/default --half

Drops the resume state (latest weights, optimizer moments); float16 halves the size (weights
are cast back to float32 when loaded; the logits change by ~1e-3, bpc by < 0.001).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path


def export_checkpoint(src: str | Path, dst: str | Path, half: bool = False, name: str = "") -> None:
    from ghostpen.model.checkpoint import load_model, save_checkpoint

    net, ckpt = load_model(src)
    if half:
        net.cast("float16")
    dst = Path(dst)
    if dst.exists():
        shutil.rmtree(dst)
    training = dict(
        ckpt.training,
        name=name or ckpt.training.get("name") or dst.name,
        stored_dtype="float16" if half else "float32",
    )
    save_checkpoint(dst, ckpt.config, ckpt.vocab, params=net, training=training)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", help="training checkpoint directory")
    parser.add_argument("dst", help="new checkpoint directory (replaced)")
    parser.add_argument("--half", action="store_true", help="store weights as float16")
    parser.add_argument("--name", default="", help="model name shown in the editor")
    args = parser.parse_args(argv)
    from ghostpen.model.checkpoint import CheckpointError

    try:
        export_checkpoint(args.src, args.dst, args.half, args.name)
    except CheckpointError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
