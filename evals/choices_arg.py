"""`--choices N` of `eval ksr`, `eval speed` and `eval latency`: how many choices a suggestion
carries (`EngineSettings.choices`; the editor's Cycle and Strip views use 3)."""

from __future__ import annotations

import argparse

MAX_CHOICES = 3


def add_argument(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    parser.add_argument(
        "--choices",
        type=int,
        choices=tuple(range(1, MAX_CHOICES + 1)),
        default=1,
        help=help_text
        or "choices per suggestion (EngineSettings.choices; the editor's cycle and strip "
        "views use 3; default 1)",
    )
