"""training/ reads as small named steps: no function over ~60 lines (issue 20 item 2).

The GAN trainer (`gan*.py`, `images.py`) is the known exception, for the next round."""

from __future__ import annotations

import ast
from pathlib import Path

TRAINING = Path(__file__).resolve().parents[2] / "training"
LONGEST = 62  # lines, decorators and docstring included
NOT_YET = ("gan", "images")  # file-name prefixes: the GAN trainer's files


def test_no_function_in_training_is_longer_than_about_60_lines():
    files = [f for f in sorted(TRAINING.glob("*.py")) if not f.name.startswith(NOT_YET)]
    assert len(files) > 15
    long = []
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONGEST:
                    long.append(f"{file.name}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, long
