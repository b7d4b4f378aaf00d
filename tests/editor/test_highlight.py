"""Syntax highlighting: lexer choice, per-line state across lines, Qt formats, big documents."""

from __future__ import annotations

from pygments.token import Comment, Keyword, Name, String
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import (
    QColor,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextDocumentLayout

from ghostpen.editor import highlight
from ghostpen.editor.highlight import (
    ROOT_STATE,
    PygmentsHighlighter,
    choose_lexer,
    highlight_line,
    should_highlight,
    token_format,
)


def lex_lines(filename: str, lines: list[str]) -> list[list]:
    """highlight_line over `lines`, carrying the state: [[(text, tokentype)] per line]."""
    lexer = choose_lexer(filename)
    state = ROOT_STATE
    out = []
    for line in lines:
        spans, state = highlight_line(lexer, line, state)
        out.append([(line[s : s + n], t) for s, n, t in spans])
    return out


def types_of(spans, text: str) -> set:
    return {t for s, t in spans if s == text}


def make_doc(text: str) -> QTextDocument:
    """A document laid out like the editor's (Qt reports edits only to laid-out documents)."""
    doc = QTextDocument()
    doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
    doc.setPlainText(text)
    return doc


def formats_of(block) -> list:
    return [(r.start, r.length, QTextCharFormat(r.format)) for r in block.layout().formats()]


def test_lexer_by_file_name():
    assert choose_lexer("notes/page.html").name == "HTML"
    assert choose_lexer("a.htm").name == "HTML"
    assert choose_lexer("drawing.svg").name == "XML"
    assert choose_lexer("/x/y/script.py").name == "Python"
    assert choose_lexer("main.c").name == "C"


def test_lexer_by_content_when_the_name_says_nothing():
    assert choose_lexer("run", "#!/usr/bin/env python3\nimport os\n").name == "Python"
    assert choose_lexer(None, '<?xml version="1.0"?>\n<root><a/></root>\n').name == "XML"
    assert choose_lexer(None, "").name == "Text only"
    assert choose_lexer("notes.unknown-ext", "").name == "Text only"


def test_guess_only_reads_the_head(monkeypatch):
    seen = []

    def fake_guess(text, **options):
        seen.append(len(text))
        raise highlight.ClassNotFound("nothing")

    monkeypatch.setattr(highlight, "guess_lexer", fake_guess)
    assert choose_lexer(None, "x" * 100_000).name == "Text only"
    assert seen == [highlight.GUESS_BYTES]


def test_python_triple_quoted_string_spans_lines():
    lines = lex_lines("a.py", ['x = """start', "def inside", 'end"""', "def f(): pass"])
    assert any(t in String for t in types_of(lines[1], "def inside"))
    assert not any(t in Keyword for _, t in lines[1])
    assert Keyword in types_of(lines[3], "def")


def test_html_comment_script_and_style_span_lines():
    lines = lex_lines(
        "p.html",
        [
            "<p>hi <!-- a",
            "comment <b>",
            "--> <b>x</b>",
            "<script>",
            "const x = 1;",
            "</script><style>",
            "p { color: red }",
            "</style><i>",
        ],
    )
    assert types_of(lines[0], "<!--") == {Comment.Multiline}
    assert types_of(lines[1], "comment <b>") == {Comment.Multiline}
    assert types_of(lines[2], "-->") == {Comment.Multiline}
    assert any(t in Name.Tag for t in types_of(lines[2], "b"))
    assert any(t in Keyword for t in types_of(lines[4], "const"))  # JavaScript inside <script>
    assert any(t in Keyword for t in types_of(lines[6], "color"))  # CSS inside <style>
    assert any(t in Name.Tag for t in types_of(lines[7], "i"))  # back to HTML


def test_c_block_comment_but_not_inside_a_string():
    lines = lex_lines(
        "a.c", ["int x; /* open", "still comment", "*/ int y;", 'char *s = "/*";', "int z;"]
    )
    assert types_of(lines[1], "still comment") == {Comment.Multiline}
    assert Keyword.Type in types_of(lines[2], "int")
    assert Keyword.Type in types_of(lines[4], "int")  # "/*" in a string opened nothing


def test_keyword_gets_a_format_range(qtbot):
    doc = make_doc("import os\ndef f():\n    return 1\n")
    hl = PygmentsHighlighter(doc, choose_lexer("x.py"))
    hl.rehighlight()
    block = doc.findBlockByNumber(1)  # "def f():"
    ranges = formats_of(block)
    keyword = [f for start, length, f in ranges if (start, length) == (0, 3)]
    assert keyword, ranges
    assert keyword[0].foreground().color() == QColor(
        "#" + highlight._style("default").style_for_token(Keyword)["color"]
    )
    assert hl.language() == "Python"


def test_editing_one_line_recolours_the_lines_after_it(qtbot):
    doc = make_doc("a = 1\ndef f():\n    pass\n")
    hl = PygmentsHighlighter(doc, choose_lexer("x.py"))  # keep a reference: it stays alive
    QCoreApplication.processEvents()  # Qt's first full pass is queued; edits wait for it
    assert hl.is_done()

    def is_string(line: int) -> bool:
        fmts = formats_of(doc.findBlockByNumber(line))
        string = token_format("default", String.Double)
        return any(f.foreground() == string.foreground() for _, _, f in fmts)

    assert not is_string(1)
    cursor = QTextCursor(doc)
    cursor.insertText('s = """')  # line 0 now opens a string that never closes
    assert is_string(1) and is_string(2)
    cursor.insertText('"""')  # closed on the same line again
    assert not is_string(1)


def test_dark_style_changes_colours(qtbot):
    doc = make_doc("def f(): pass\n")
    hl = PygmentsHighlighter(doc, choose_lexer("x.py"), dark=False)
    hl.rehighlight()
    light = formats_of(doc.firstBlock())[0][2].foreground().color().name()
    hl.set_dark(True)
    dark = formats_of(doc.firstBlock())[0][2].foreground().color().name()
    assert light != dark


def test_many_lines_are_coloured_progressively(qtbot, monkeypatch):
    monkeypatch.setattr(highlight, "PROGRESSIVE_BLOCKS", 50)
    monkeypatch.setattr(highlight, "SLICE_SECONDS", 0.001)
    doc = make_doc('x = """\nin string\n"""\ndef f(): pass\n' * 200)
    hl = PygmentsHighlighter(doc, choose_lexer("x.py"))
    assert not hl.is_done()
    qtbot.waitUntil(hl.is_done, timeout=20000)
    block, states = doc.firstBlock(), []
    while block.isValid():
        states.append(block.userState())
        block = block.next()
    assert min(states) >= 0
    last_def = doc.findBlockByNumber(doc.blockCount() - 2)
    assert last_def.text() == "def f(): pass" and formats_of(last_def)
    in_string = doc.findBlockByNumber(doc.blockCount() - 4)
    assert in_string.text() == "in string"
    string = token_format("default", String.Double)
    assert all(f.foreground() == string.foreground() for _, _, f in formats_of(in_string))


def test_big_documents_are_not_highlighted():
    assert should_highlight(highlight.MAX_HIGHLIGHT_BYTES)
    assert not should_highlight(highlight.MAX_HIGHLIGHT_BYTES + 1)


def test_a_broken_lexer_never_breaks_typing(qtbot):
    class Broken(type(choose_lexer("x.txt"))):
        name = "Broken"

        def get_tokens_unprocessed(self, text):
            raise RuntimeError("lexer bug")

    doc = make_doc("hello\n")
    hl = PygmentsHighlighter(doc, Broken())
    hl.rehighlight()
    QTextCursor(doc).insertText("more ")
    assert doc.toPlainText().startswith("more hello")
