"""`ghostpen models`: list the bundled and user models (name, architecture, size, base, corpus,
validation bpc, date); `--json` prints one JSON object per model. Any of the names works as
`--model NAME` (and `ghostpen train --from NAME`); see `ghostpen.model.library`."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per model")


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.library import list_models, user_models_dir

    models = list_models()
    if args.json:
        for info in models:
            print(json.dumps(info.to_json()))
        return 0
    rows = [("NAME", "KIND", "ARCH", "SIZE", "BASE", "CORPUS", "VAL BPC", "DATE")]
    for m in models:
        bpc = "" if m.val_bpc is None else f"{m.val_bpc:.3f}"
        if m.error:
            rows.append((m.name, m.kind, "unreadable", m.error[:60], "", "", "", ""))
        else:
            rows.append((m.name, m.kind, m.arch, m.size, m.base, m.corpus, bpc, m.date))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"(user models folder: {user_models_dir()})", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["models"], argv)


if __name__ == "__main__":
    sys.exit(main())
