"""The closing-tag engine: one test per rule of the WHATWG-based closer, XML mode, garbage input
and the incremental cache."""

from __future__ import annotations

import random

import pytest

from ghostpen.suggest.html.close import (
    TagCloser,
    TagSuggestion,
    is_markup_path,
    sniff_markup,
    suggest_close,
)
from ghostpen.suggest.html.elements import VOID


def text_of(before: str, after: str = "", mode: str = "html") -> str | None:
    """The suggested text, or None."""
    s = suggest_close(before, after, mode=mode)
    return None if s is None else s.text


def test_api_shape():
    s = suggest_close("<div>")
    assert s == TagSuggestion("</div>", 0, "div")
    s = suggest_close("<div></")
    assert s == TagSuggestion("div>", 4, "div")
    assert TagCloser().suggest("<div>") == suggest_close("<div>")
    with pytest.raises(ValueError, match="mode"):
        TagCloser("css")
    with pytest.raises(TypeError):
        suggest_close(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(VOID))
def test_void_elements_are_never_closed(name):
    assert text_of(f"<p>x<{name}>") is None
    assert text_of(f"<section><{name} class=a></") == "section>"


def test_optional_end_tags_are_implied():
    assert text_of("<section><p>a<div>b</div></") == "section>"  # <div> closed the p
    assert text_of("<ul><li>a<li>b</li></") == "ul>"  # the second li closed the first
    assert text_of("<div><ul><li>a</ul></") == "div>"  # </ul> pops the implied li
    assert text_of("<table><tr><td>a<td>b</td></") == "tr>"  # a td closes an open td
    assert text_of("<table><tr><td>a<th>b</th></tr><tr><td>c</td></") == "tr>"
    assert text_of("<table><tr><td>a<tr><td>b</td></tr></") == "table>"  # tr closes td and tr
    assert text_of("<dl><dt>a<dd>b<dt>c</dt></") == "dl>"
    assert text_of("<select><option>a<option>b</option></") == "select>"
    assert text_of("<select><optgroup><option>a<optgroup>b</optgroup></") == "select>"
    assert text_of("<table><thead><tr><td>a<tbody><tr><td>b</td></tr></tbody></") == "table>"
    assert text_of("<ruby>a<rt>b<rt>c</rt></") == "ruby>"
    assert text_of("<ruby>a<rb>b<rp>(</rp></") == "ruby>"  # rp closed the rb
    assert text_of("<table><caption>c<tr><td>x</td></tr></") == "table>"
    assert text_of("<table><colgroup><col><tr><td>x</td></tr></") == "table>"
    assert text_of("<html><head><title>t</title><body><p>x</p></") == "body>"


def test_innermost_optional_elements_are_still_offered():
    assert text_of("<p>text</") == "p>"
    assert text_of("<ul><li>item</") == "li>"
    assert text_of("<table><tr><td>x</") == "td>"


@pytest.mark.parametrize(
    "block",
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup main menu nav ol p pre search section ul".split(),
)
def test_blocks_close_an_open_p(block):
    assert text_of(f"<section><p>a<{block}>b</{block}></") == "section>"


def test_hr_and_table_close_an_open_p():
    assert text_of("<section><p>a<hr></") == "section>"
    assert text_of("<!DOCTYPE html><section><p>a<table></table></") == "section>"
    assert text_of("<section><p>a<table></table></") == "p>"  # quirks mode: p stays open


@pytest.mark.parametrize(
    "name", "script style xmp iframe noembed noframes noscript textarea title".split()
)
def test_raw_text_hides_tags(name):
    assert text_of(f"<div><{name}><p>a<b></") == f"{name}>"
    assert text_of(f"<div><{name}><p>a</{name.upper()}></") == "div>"  # case-insensitive end
    assert text_of(f"<div><{name}>") == f"</{name}>"
    assert text_of(f"<div><{name}>x</{name}>") is None  # right after an end tag: nothing


def test_script_escapes():
    assert text_of("<div><script>if (a<b) x = '</div>';</") == "script>"
    assert text_of("<div><script><!--<script></script>x</") == "script>"  # left double escape
    assert text_of("<div><script><!--<script>x</") is None  # </script> would not end it
    assert text_of("<div><script><!-- x --></script></") == "div>"


def test_comments_doctype_cdata_and_bogus_comments_are_skipped():
    assert text_of("<div><!-- <span> --></") == "div>"
    assert text_of("<div><!--><span></") == "span>"  # `<!-->` ends at once
    assert text_of("<div><!---><span></") == "span>"
    assert text_of("<div><!-- a --!><span></") == "span>"
    assert text_of("<div><!-- <span></") is None  # still inside the comment
    assert text_of("<!DOCTYPE html><div></") == "div>"
    assert text_of("<svg><![CDATA[<g>]]></") == "svg>"
    assert text_of("<div><?php echo 1 ?><span></") == "span>"
    assert text_of("<div></ ><span></") == "span>"
    assert text_of("<div><!foo><span></") == "span>"


def test_attribute_values():
    assert text_of('<a title="x>y">') == "</a>"
    assert text_of("<a title='x>y' href=unquoted>") == "</a>"
    assert text_of('<div><a title="x>y"></a></') == "div>"
    assert text_of("<div><a href=x/>") == "</a>"  # the / belongs to the unquoted value


def test_self_closing_only_closes_foreign_elements():
    assert text_of("<div/>") == "</div>"
    assert text_of("<section><div/></") == "div>"
    assert text_of("<svg><circle/>") is None
    assert text_of("<svg><circle/></") == "svg>"
    assert text_of("<math><mi/></") == "math>"
    assert text_of("<svg><g>") == "</g>"


def test_names_keep_the_authors_spelling():
    assert text_of("<DIV>") == "</DIV>"
    assert text_of("<DiV>x</") == "DiV>"
    assert text_of("<Div>x</di") == "v>"
    assert text_of("<div>x</DI") == "v>"
    assert text_of("<svg><linearGradient></") == "linearGradient>"


def test_nothing_when_closed_after_the_cursor_or_tag_unfinished():
    assert text_of("<b>", "</b>") is None
    assert text_of("<b>", "bold</b> text") is None
    assert text_of("<b></", "b>") is None
    assert text_of("<div><b>x</", "\n</b></div>") is None
    assert text_of("<div>", "<div>inner</div>") == "</div>"  # the later pair is another div
    assert text_of("<p>", "text<div>") == "</p>"  # closed only implicitly: still offered
    assert text_of('<div class="a') is None
    assert text_of('<div class="a>b') is None
    assert text_of("<div") is None


def test_partial_end_tag_name():
    assert text_of("<div>x</di") == "v>"
    assert text_of("<div>x</sp") is None
    assert text_of("<div>x</") == "div>"
    assert text_of("<script>x</scr") == "ipt>"
    assert text_of("<script>x</sty") is None


def test_after_start_tag():
    assert suggest_close("<div id=a>") == TagSuggestion("</div>", 0, "div")
    assert text_of("<br>") is None
    assert text_of("<svg><path d='M0'/>") is None
    assert text_of("<p>x</p>") is None
    assert text_of("<html>") == "</html>"  # the author's own html/head/body are offered
    assert text_of("<html><head>") == "</head>"
    assert text_of("<table><tr>") == "</tr>"
    assert text_of("<p>x<image>") is None  # becomes a void <img>


def test_xml_mode():
    assert text_of("<a><b>", mode="xml") == "</b>"
    assert text_of("<a><br>", mode="xml") == "</br>"  # no void elements
    assert text_of("<A><a></a></", mode="xml") == "A>"  # case-sensitive
    assert text_of("<a><B></b></", mode="xml") == "B>"  # </b> matches nothing: ignored
    assert text_of("<a><x/>", mode="xml") is None
    assert text_of("<a><x/></", mode="xml") == "a>"
    assert text_of("<a><![CDATA[<b>]]><?pi <c>?><!-- <d> --></", mode="xml") == "a>"
    assert text_of("<a><script><b></", mode="xml") == "b>"  # no raw text
    assert text_of('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "<x>">]><a></', mode="xml")
    assert text_of("<a x='1>2'>", mode="xml") == "</a>"
    assert text_of("<a><b></", "b>", mode="xml") is None
    assert text_of("<a><b>", "</b>", mode="xml") is None


def test_stray_end_tags_and_misnesting():
    assert text_of("<div></span></") == "div>"
    assert text_of("<div><span></div></") is None  # </div> closed the span too
    assert text_of("<section><p><b>x</p>y</") == "b>"  # the adoption agency reopens <b>
    assert text_of("<b><i></b>x</") == "i>"
    assert text_of("<table><div>x</") == "div>"  # foster-parented, still open


def test_implied_elements_are_not_offered():
    assert text_of("<table><tr><td>x</td></tr></") == "table>"  # skips the implied tbody
    assert text_of("<div>x</div></") is None  # only implied html/body are open
    assert text_of("<html><body><p>x</p></body></") == "html>"  # </body> counts as closing
    assert text_of("<html><body></body></html></") is None


def test_template_and_bom():
    assert text_of("<template><tr><td>x</td></tr></") == "template>"
    assert text_of("\ufeff<!DOCTYPE html><html>") == "</html>"


def test_never_raises_on_garbage():
    rng = random.Random(7)
    pieces = (
        "< > </ <!-- --> <![CDATA[ ]]> <svg> <math> <table> <td> <script> </script> <!--<script> "
        "= / &# <b> </b> <p> <select> <template> <plaintext> é \ufeff".split()
    ) + ["\0", " ", '"', "'"]
    for _ in range(60):
        doc = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        for text in (doc, raw.decode("utf-8", "replace"), raw.decode("utf-8", "surrogateescape")):
            for mode in ("html", "xml"):
                closer = TagCloser(mode, checkpoint_every=5)
                for cut in range(0, len(text) + 1, 3):
                    closer.suggest(text[:cut], text[cut:])
                    suggest_close(text[:cut], text[cut:], mode=mode)


@pytest.mark.parametrize("mode", ["html", "xml"])
def test_unterminated_and_huge_inputs(mode):
    texts = ["<!-- open", "<div title='open", "<![CDATA[", "<?pi", "</div", "<script>x"]
    texts += ["\0" * 1000, "<" * 1_000_000, "<a " * 10_000, "<div>" * 5000]
    for text in texts:
        suggest_close(text, mode=mode)
        suggest_close(text + "</", text, mode=mode)


def test_incremental_matches_one_shot():
    rng = random.Random(3)
    doc = (
        "<!DOCTYPE html><html><head><title>t</title></head><body><div><p>a<b>b<i>c</b>d</p>"
        "<table><tr><td>x<td>y</table><script>if(a<b)'</div>'</script><svg><g/><g></g></svg>"
        "<ul><li>1<li>2</ul><!-- <x> --><select><option>o</select></div></body></html>"
    )
    for mode in ("html", "xml"):
        closer = TagCloser(mode, checkpoint_every=8)
        text = doc
        for _ in range(300):
            if rng.random() < 0.3:
                k = rng.randrange(len(text) + 1)
                text = text[:k] + rng.choice(["<", "</", ">", "<div>", "x", '"', ""]) + text[k:]
            cut = rng.randrange(len(text) + 1)
            b, a = text[:cut], text[cut:]
            assert closer.suggest(b, a) == suggest_close(b, a, mode=mode), (b[-40:], a[:20])


def test_typing_at_the_end_of_a_long_document_parses_only_the_new_text():
    doc = "<!DOCTYPE html><html><body>" + "<div class=x><p>Some <b>text</b></p></div>\n" * 2500
    closer = TagCloser()
    assert len(doc) > 100_000
    closer.suggest(doc)
    assert closer.last_resume == 0
    end = len(doc)
    for ch in "<section>":
        doc += ch
        closer.suggest(doc)
        assert closer.last_resume >= end - 1  # resumed at the end, not at 0
    assert closer.suggest(doc) == TagSuggestion("</section>", 0, "section")
    closer.suggest(doc[:60_000])  # a jump back restarts from a checkpoint, not from 0
    assert 60_000 - 2 * 8192 <= closer.last_resume <= 60_000


def test_markup_detection():
    assert is_markup_path("index.html") == "html"
    assert is_markup_path("/a/b/PAGE.HTM") == "html"
    assert is_markup_path("doc.xhtml") == "html"
    assert is_markup_path("feed.rss") == "xml"
    assert is_markup_path("pic.svg") == "xml"
    assert is_markup_path("data.xml") == "xml"
    assert is_markup_path("notes.txt") is None
    assert is_markup_path(None) is None
    assert is_markup_path("Makefile") is None
    assert sniff_markup("<!DOCTYPE html>\n<html>") == "html"
    assert sniff_markup("\ufeff  <!-- hi -->\n<html lang=en>") == "html"
    assert sniff_markup('<?xml version="1.0"?><root/>') == "xml"
    assert sniff_markup("hello <b>") is None
    assert sniff_markup("<htmlx>") is None
