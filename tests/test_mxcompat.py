"""ghostpen.mxcompat: every `import mxnet` goes through it; its shims and its one-line message."""

from __future__ import annotations

import ast
import sys

import numpy as np
import pytest

from ghostpen import mxcompat

from .test_layering import modules


def _is_mxnet_import(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name == "mxnet" or a.name.startswith("mxnet.") for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return bool(node.module) and node.level == 0 and node.module.split(".")[0] == "mxnet"
    return False


def _calls_require(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and getattr(n.func, "id", None) == "require_mxnet"
        for n in ast.walk(node)
    )


def test_every_import_of_mxnet_comes_after_require_mxnet():
    """In every function of the package, the first mxnet import follows a require_mxnet()
    call; no module imports mxnet at import time."""
    bad = []
    for module, file in modules().items():
        tree = ast.parse(file.read_text(encoding="utf-8"))
        bad += [f"{module}:{n.lineno} (module level)" for n in tree.body if _is_mxnet_import(n)]
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            required = False
            for stmt in _statements(func):
                if _calls_require(stmt) and not _is_mxnet_import(stmt):
                    required = True
                elif _is_mxnet_import(stmt) and not required:
                    bad.append(f"{module}:{stmt.lineno} ({func.name})")
    assert not bad, f"import mxnet without ghostpen.mxcompat.require_mxnet() first: {bad}"


def _statements(func):
    """The statements of `func` in source order, nested blocks included, not nested defs."""
    out = []

    def visit(body):
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            out.append(stmt)
            for field in ("body", "orelse", "finalbody", "handlers"):
                visit(getattr(stmt, field, []) or [])

    visit(func.body)
    return out


def test_the_numpy_bool_alias_is_set_where_numpy_lacks_it(monkeypatch):
    monkeypatch.setitem(vars(np), "bool", bool)  # so that the undo restores what was there
    monkeypatch.delitem(vars(np), "bool")  # as in numpy 1.24-1.26
    mxcompat.apply()
    assert vars(np)["bool"] is bool


def test_missing_mxnet_is_one_line_saying_why_and_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "mxnet", None)  # unimportable
    assert not mxcompat.mxnet_installed() and not mxcompat.have_mxnet()
    with pytest.raises(mxcompat.MXNetMissing) as info:
        mxcompat.require_mxnet()
    message = str(info.value)
    assert "\n" not in message and "training" in message and "3.10-3.12" in message
    monkeypatch.setattr(mxcompat.sys, "version_info", (3, 13, 0, "final", 0))
    assert "does not install on Python 3.13" in mxcompat.missing_reason()


def test_training_commands_say_so_without_mxnet(monkeypatch, capsys, tmp_path):
    from ghostpen.cli import main

    monkeypatch.setitem(sys.modules, "mxnet", None)
    for words in (
        ["train", "--corpus", str(tmp_path), "--out", str(tmp_path / "m")],
        ["train-gan", "--images", str(tmp_path), "--out", str(tmp_path / "g")],
        ["launch", "-n", "1", "--", "train", "--corpus", str(tmp_path / "none")],
    ):
        assert main(words) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"ghostpen {words[0]}: MXNet") and "\n" not in err
    assert not (tmp_path / "m").exists() and not (tmp_path / "g").exists()
