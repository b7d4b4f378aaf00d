"""`ghostpen export SRC DST [--half] [--name NAME]`: a training checkpoint made shippable.

The work is `training/export.py`'s `export_checkpoint`; bad input exits 2 with one line
(a missing checkpoint, a destination folder of someone else's files), a failed write 1.
"""

from __future__ import annotations

import argparse
import sys

from ghostpen.cli import run_as
from ghostpen.model.checkpoint import CheckpointError
from ghostpen.training.export import export_checkpoint
from ghostpen.training.outdir import OutputError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("src", help="training checkpoint directory")
    p.add_argument("dst", help="new checkpoint directory (a ghostpen checkpoint there is replaced)")
    p.add_argument("--half", action="store_true", help="store weights as float16")
    p.add_argument("--name", default="", help="model name shown in the editor")


def run(args: argparse.Namespace) -> int:
    try:
        export_checkpoint(args.src, args.dst, args.half, args.name)
    except (CheckpointError, OutputError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"export: cannot write {args.dst} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_as(["export"], argv)


if __name__ == "__main__":
    sys.exit(main())
