"""`--habits-from FILE…` of `eval ksr` and `eval speed`: a typing-habits store filled from files
(as the editor's Typing history fills it on save) for the engine to suggest from."""

from __future__ import annotations

import argparse
import sys


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--habits-from",
        nargs="+",
        default=None,
        metavar="FILE",
        help="fill a typing-habits store from these files first and suggest from it "
        "(default: no habits)",
    )


def load(paths: list[str] | None):
    """(the store's read-only snapshot or None, its entries); None, 0 without paths. Prints the
    error and returns False for a file that cannot be read."""
    if not paths:
        return None, 0
    from ghostpen.suggest.habits import store_from_files
    from ghostpen.textio import TextReadError

    try:
        store = store_from_files(paths)
    except TextReadError as exc:
        print(f"error: cannot read {exc.path}: {exc.reason}", file=sys.stderr)
        return False
    return store.snapshot(), len(store)
