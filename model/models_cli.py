"""`ghostpen models`: list the bundled and user models (name, architecture, size, training date,
held-out bpc beside the base model's on the same text); `--json` prints one JSON object per
model (`ghostpen.model.modelinfo.ModelInfo`). Any of the names works as
`--model NAME` (and `ghostpen train --from NAME`); see `ghostpen.model.library`."""

from __future__ import annotations

import argparse
import json
import sys

from ghostpen.cli import run_as
from ghostpen.model.library import list_models, user_models_dir

NOTE = (
    "VAL BPC: bits per character (lower is better) on the held-out part of the model's own\n"
    "training text (HELD-OUT); BASE BPC: its base model on that same text. Numbers measured on\n"
    "different texts do not compare: score models on one text with\n"
    "`ghostpen eval bpc --model NAME --text FILE`."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per model")


def run(args: argparse.Namespace) -> int:
    models = list_models()
    if args.json:
        for info in models:
            print(json.dumps(info.to_json()))
        return 0
    rows = [("NAME", "KIND", "ARCH", "SIZE", "TRAINED", "VAL BPC", "BASE", "BASE BPC", "HELD-OUT")]
    for m in models:
        if m.error:
            rows.append((m.name, m.kind, "unreadable", m.error[:70], "", "", "", "", ""))
            continue
        bpc, base_bpc = (("" if v is None else f"{v:.2f}") for v in (m.val_bpc, m.base_bpc))
        rows.append((m.name, m.kind, m.arch, m.size, m.date, bpc, m.base, base_bpc, m.corpus_name))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    for m in models:
        if m.warning:
            print(f"{m.name}: {m.warning}", file=sys.stderr)
    print(NOTE, file=sys.stderr)
    print(f"(user models folder: {user_models_dir()})", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_as(["models"], argv)


if __name__ == "__main__":
    sys.exit(main())
