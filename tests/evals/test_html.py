"""`ghostpen eval html`: the report on the repo's own fixture pages and on the shared corpus."""

from __future__ import annotations

import json
import shutil

import pytest

from ghostpen import cli
from ghostpen.evals import html as eval_html

from ..conftest import shared_file

# five inputs in html5lib's tree-construction format, written by us (the real .dat files stay in
# ../shared/data); the expected trees are placeholders: the eval only runs the inputs
MINI_DAT = b"".join(
    b"#data\n" + data + b"\n#errors\n#document\n| <html>\n\n"
    for data in (
        b"<p>One<p>Two",
        b"<div> <svg><![CDATA[x",
        b"<!-- unterminated <div",
        b"<table><tr><td><svg><desc><td></desc><circle>",
        b"<a><b><p></a>x</b>\xff\xfe",  # invalid UTF-8 at the end
    )
)


@pytest.fixture
def html_folder(fixtures_dir, tmp_path):
    """The repo's two fixture pages plus MINI_DAT in an html5lib-tree-construction folder."""
    folder = tmp_path / "html"
    shutil.copytree(fixtures_dir / "html", folder)
    (folder / "html5lib-tree-construction").mkdir()
    (folder / "html5lib-tree-construction" / "mini.dat").write_bytes(MINI_DAT)
    return folder


def test_cli_json_on_fixture_folder(html_folder, capsys):
    folder = html_folder
    assert cli.main(["eval", "html", "--dir", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == 2
    assert report["cases"] == report["end_tag_cases"] + report["start_tag_cases"] > 100
    assert report["end_tag_cases"] > 50 and report["start_tag_cases"] > 50
    assert report["accuracy"] == 1.0, report["failures"]
    assert report["failures"] == []
    assert report["dat_inputs"] == 5
    assert report["dat_calls"] > 0 and report["dat_exceptions"] == 0


def test_cases_come_from_real_tags_only():
    text = (
        "<div><!-- </p> --><script>'</b>'</script><a title='</i>'>x</a>"
        "<br><p/>y</p><span>z</span></div>"
    )
    cases = eval_html._collect(text)
    ends = [expected for _, kind, expected in cases if kind == "end"]
    starts = [expected for _, kind, expected in cases if kind == "start"]
    assert ends == ["script", "a", "p", "span", "div"]
    assert starts == ["div", "script", "a", None, "span"]  # <br>: nothing; <p/> not counted


def test_failures_are_reported(tmp_path):
    (tmp_path / "bad.html").write_text("<ul><li>one<li>two</ul>", encoding="utf-8")
    report = eval_html.evaluate(tmp_path)
    assert report["cases"] == 2 and report["accuracy"] == 0.5  # <ul> right, </ul> wrong
    (failure,) = report["failures"]
    assert (
        failure["expected"] == "ul>" and failure["got"] == "li>" and failure["file"] == "bad.html"
    )
    assert report["dat_inputs"] == 0


def test_human_summary_and_bad_folder(html_folder, tmp_path, capsys):
    assert eval_html.main(["--dir", str(html_folder)]) == 0
    out = capsys.readouterr().out
    assert "100.00% right" in out and "0 exceptions" in out
    assert eval_html.main(["--dir", str(tmp_path / "missing")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_real_corpus_sample():
    folder = shared_file("html-corpus")
    report = eval_html.evaluate(folder, limit=120)
    assert report["files"] == 120 and report["cases"] > 3000
    assert report["accuracy"] >= 0.99, report["failures"]
    assert report["dat_inputs"] == 120 and report["dat_exceptions"] == 0, report["dat_errors"]
