"""The shape of `ghostpen.suggest.html`: an acyclic import graph, and one home for element sets.

Static checks read the package's sources with `ast`; each checker is also run on a small
counter-example, so that a checker that could never fail would show up here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from ghostpen.suggest.html import body, elements, parse, tree
from ghostpen.suggest.html.parse import HtmlParser

from ...conftest import find_cycle

PACKAGE = "ghostpen.suggest.html"
SRC = Path(elements.__file__).parent
MODULES = sorted(p.stem for p in SRC.glob("*.py") if p.stem != "__init__")
PARSER_MODULES = ["body", "builder", "modes", "parse", "tables", "tokens", "tree"]


def module_imports(source: str) -> set[str]:
    """The package's modules that `source` imports at module level (not inside functions)."""
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == PACKAGE:
                    found.update(a.name for a in node.names)
                elif node.module.startswith(PACKAGE + "."):
                    found.add(node.module[len(PACKAGE) + 1 :].split(".")[0])
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith(PACKAGE + "."):
                        found.add(a.name[len(PACKAGE) + 1 :].split(".")[0])
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, field, []):
                        visit(child.body if isinstance(child, ast.ExceptHandler) else [child])

    visit(ast.parse(source).body)
    return found


def import_graph() -> dict[str, set[str]]:
    return {m: module_imports((SRC / f"{m}.py").read_text()) for m in MODULES}


def test_the_import_graph_of_the_package_is_acyclic():
    graph = import_graph()
    assert graph["builder"] >= {"body", "modes", "tables", "tree"}  # the checker sees imports
    assert find_cycle(graph) is None, find_cycle(graph)
    assert all(m in MODULES for deps in graph.values() for m in deps)


def test_the_cycle_checker_finds_the_old_modes_tables_cycle():
    old_modes = (
        "from ghostpen.suggest.html.body import BodyRules\n"
        "class TreeBuilder(BodyRules): ...\n"
        "from ghostpen.suggest.html import tables as _htmltables  # noqa: E402, F401\n"
    )
    old_tables = "from ghostpen.suggest.html.modes import _START, TreeBuilder\n"
    graph = {"modes": module_imports(old_modes), "tables": module_imports(old_tables)}
    assert graph == {"modes": {"body", "tables"}, "tables": {"modes"}}
    assert find_cycle(graph) == ["modes", "tables", "modes"]
    guarded = "try:\n    import ghostpen.suggest.html.modes\nexcept ImportError:\n    pass\n"
    assert module_imports(guarded) == {"modes"}
    assert module_imports("def f():\n    from ghostpen.suggest.html import tables\n") == set()


def test_each_module_imports_first_in_a_fresh_interpreter():
    """Import every module as the first of the package, each in turn, in a clean process."""
    script = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    for k in [k for k in sys.modules if k.startswith('ghostpen.suggest.html')]:\n"
        "        del sys.modules[k]\n"
        f"    importlib.import_module('{PACKAGE}.' + name)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# --- element sets ------------------------------------------------------------------------------
def element_constants() -> list[str]:
    return sorted(n for n, v in vars(elements).items() if n.isupper() and isinstance(v, frozenset))


def names_used(module: str) -> set[str]:
    """The names a module imports from `elements` and then reads."""
    source = ast.parse((SRC / f"{module}.py").read_text())
    imported = {
        a.asname or a.name
        for node in source.body
        if isinstance(node, ast.ImportFrom) and node.module == f"{PACKAGE}.elements"
        for a in node.names
    }
    read = {n.id for n in ast.walk(source) if isinstance(n, ast.Name) and type(n.ctx) is ast.Load}
    return imported & read


def test_every_element_set_is_read_by_the_parser():
    used = set().union(*(names_used(m) for m in PARSER_MODULES))
    unused = [n for n in element_constants() if n not in used]
    assert unused == []
    assert len(element_constants()) > 50


_TAG = "[a-z][a-z0-9-]*"


def hard_coded_tag_sets(source: str) -> list[str]:
    """Tuples, lists and sets of two or more tag-name strings, and space-separated tag names."""
    import re

    found = []
    tree_ = ast.parse(source)
    slots = {
        id(node.value)
        for node in ast.walk(tree_)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets)
    }
    for node in ast.walk(tree_):
        if id(node) in slots:
            continue
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            tags = [w for w in words if isinstance(w, str) and re.fullmatch(_TAG, w)]
            if len(tags) >= 2:
                found.append(ast.unparse(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.fullmatch(f"{_TAG}(?: {_TAG})+", node.value):
                found.append(repr(node.value))
    return found


def test_the_parser_modules_hard_code_no_element_sets():
    for module in PARSER_MODULES:
        assert hard_coded_tag_sets((SRC / f"{module}.py").read_text()) == [], module


def test_the_hard_coded_set_checker_finds_literal_sets():
    assert hard_coded_tag_sets('if name in ("td", "th"):\n    pass') == ["('td', 'th')"]
    assert hard_coded_tag_sets('X = frozenset("dd dt li".split())') == ["'dd dt li'"]
    assert hard_coded_tag_sets('x = {"font", "annotation-xml"}') != []
    assert hard_coded_tag_sets('if name == "td" or k in ("", None):\n    pass') == []
    assert hard_coded_tag_sets('class E:\n    __slots__ = ("name", "key")') == []


def test_the_eval_and_the_tests_read_the_parsers_void_set():
    """The eval and test_close import `elements.VOID`, the very object the in-body rules read."""
    evals_dir = Path(elements.__file__).parents[2] / "evals"
    for path in (evals_dir / "html.py", Path(__file__).with_name("test_close.py")):
        imports = {
            (node.module, a.name)
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom)
            for a in node.names
        }
        assert (f"{PACKAGE}.elements", "VOID") in imports, path
    assert "VOID" in names_used("body") and body.VOID is elements.VOID
    assert not hasattr(parse, "VOID") and "VOID" not in vars(sys.modules[f"{PACKAGE}.tokens"])
    assert tree.FORMATTING is elements.FORMATTING and parse.WANT_ATTRS is elements.WANT_ATTRS


def test_derived_sets_match_the_standards_lists():
    e = elements
    assert e.VOID_IN_HEAD == {"base", "basefont", "bgsound", "link", "meta"}
    in_body = {"area", "br", "embed", "img", "keygen", "wbr", "input", "param", "source", "track"}
    assert e.VOID - e.HEAD_TAGS - e.IGNORED_IN_BODY == in_body | {"hr"}
    assert e.VOID & e.IGNORED_IN_BODY == {"col", "frame"}
    raw_in_body = {"textarea", "xmp", "iframe", "noembed", "noscript"}
    assert (e.RAWTEXT | e.RCDATA) - e.HEAD_TAGS == raw_in_body
    assert e.RAW_TEXT_IN_HEAD < e.RAWTEXT | e.RCDATA
    assert e.FORMATTING_PLAIN | {"a", "nobr"} == e.FORMATTING
    assert e.IMPLIED_END < e.IMPLIED_END_THOROUGH and e.SCOPE < e.SPECIAL


@pytest.mark.parametrize("name", sorted(elements.VOID))
def test_the_parser_pops_every_void_element_at_once(name):
    p = HtmlParser()
    p.feed(f"<body><div><{name}>")
    assert [e.key for e in p.stack] == ["html", "body", "div"]
    p = HtmlParser()
    p.feed(f"<head><{name}>")
    assert name not in [e.key for e in p.stack]
