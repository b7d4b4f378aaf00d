"""The packages' import rules: no module-level cycle anywhere, and imports go one way.

    ghostpen (core) <- model <- training, suggest <- editor;  evals may import anything,
    nothing imports evals.

The graph is read from the source (ast). A lazy import inside a function counts for the
layering rules; an import under `if TYPE_CHECKING:` (annotations only, never run) counts for
them too but not for cycles.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import find_cycle

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {  # repository folder -> package (pyproject's package-dir)
    "ghostpen": "ghostpen",
    "model": "ghostpen.model",
    "training": "ghostpen.training",
    "suggest": "ghostpen.suggest",
    "evals": "ghostpen.evals",
    "editor": "ghostpen.editor",
}
# package -> packages it must never import (at any level)
FORBIDDEN = {
    "ghostpen.model": (
        "ghostpen.training",
        "ghostpen.suggest",
        "ghostpen.editor",
        "ghostpen.evals",
    ),
    "ghostpen.training": ("ghostpen.suggest", "ghostpen.editor", "ghostpen.evals"),
    "ghostpen.suggest": ("ghostpen.training", "ghostpen.editor", "ghostpen.evals"),
    "ghostpen.editor": ("ghostpen.evals",),
}


def modules() -> dict[str, Path]:
    found = {}
    for folder, package in FOLDERS.items():
        for file in sorted((REPO / folder).rglob("*.py")):
            parts = list(file.relative_to(REPO / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = file
    return found


def _type_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"


def imports(source: str, module: str, types: bool = True) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every ghostpen import in `source`; `types`:
    also those under `if TYPE_CHECKING:`."""
    found: list[tuple[str, bool]] = []
    package = module if module.count(".") < 1 else module.rsplit(".", 1)[0]

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((a.name, top) for a in child.names if a.name.startswith("ghostpen"))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative imports
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1])
                    base = f"{base}.{child.module}" if child.module else base
                if base.startswith("ghostpen"):
                    found.extend((f"{base}.{a.name}", top) for a in child.names)
                    found.append((base, top))
            if not types and _type_only(child):
                continue
            is_def = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, top and not is_def)

    visit(ast.parse(source), True)
    return found


def graph(top_only: bool, types: bool = True) -> dict[str, set[str]]:
    mods = modules()
    out: dict[str, set[str]] = {}
    for name, file in mods.items():
        targets = imports(file.read_text(encoding="utf-8"), name, types)
        out[name] = {t for t, top in targets if (top or not top_only) and t in mods and t != name}
    return out


def test_no_module_level_import_cycle():
    g = graph(top_only=True, types=False)
    assert len(g) > 60 and "ghostpen.model.checkpoint" in g["ghostpen.training.loop"]
    assert find_cycle(g) is None, " -> ".join(find_cycle(g))


def test_imports_go_one_way():
    wrong = []
    for module, targets in graph(top_only=False).items():
        for package, banned in FORBIDDEN.items():
            if module == package or module.startswith(package + "."):
                wrong += [f"{module} imports {t}" for t in targets if t.startswith(banned)]
    assert not wrong, wrong


def test_the_checkers_see_what_they_check():
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    src = "import ghostpen.x\nfrom ghostpen.y import z\ndef f():\n    from ghostpen.w import v\n"
    got = imports(src, "ghostpen.q")
    assert ("ghostpen.x", True) in got and ("ghostpen.y.z", True) in got
    assert ("ghostpen.w.v", False) in got


# Cleaned of function-level imports of ghostpen's own modules (issue 20 item 4): the import
# graph of these is the real one. Lazy imports stay only for MXNet (`ghostpen.mxcompat`, the one
# door to it) and Qt. The files below are not cleaned yet (other branches were editing them this
# round): they are the known exceptions to clean next round, with `suggest`, `editor`, `evals`.
CLEANED = ("ghostpen", "ghostpen.model", "ghostpen.training")
NOT_YET_CLEANED = (  # module-name prefixes: the avatar generator's and GAN trainer's files
    "ghostpen.model.archs.dcgan",
    "ghostpen.model.avatars",
    "ghostpen.model.gan",
    "ghostpen.training.gan",
    "ghostpen.training.images",
)
LAZY_ALLOWED = ("ghostpen.mxcompat",)


def _cleaned(module: str) -> bool:
    in_package = any(module == p or module.startswith(p + ".") for p in CLEANED)
    deeper = module.startswith(("ghostpen.suggest", "ghostpen.editor", "ghostpen.evals"))
    return in_package and not deeper and not module.startswith(NOT_YET_CLEANED)


def test_no_import_cycle_at_any_level_in_the_cleaned_packages():
    """Function-level imports count too: a cycle through them is a cycle."""
    g = graph(top_only=False, types=False)
    sub = {m: {t for t in ts if _cleaned(t)} for m, ts in g.items() if _cleaned(m)}
    assert len(sub) > 50 and "ghostpen.model.runtime" in sub["ghostpen.model.checkpoint"]
    assert find_cycle(sub) is None, " -> ".join(find_cycle(sub))


def test_the_cleaned_packages_import_their_own_modules_at_the_top():
    lazy = []
    for name, file in modules().items():
        if _cleaned(name):
            found = imports(file.read_text(encoding="utf-8"), name, types=False)
            lazy += [f"{name} imports {t} in a function" for t, top in found
                     if not top and not t.startswith(LAZY_ALLOWED)]  # fmt: skip
    assert not lazy, lazy
