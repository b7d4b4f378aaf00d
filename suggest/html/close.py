"""Closing-tag suggestions for HTML (WHATWG parsing rules) and XML, without Qt.

`suggest_close(before, after)` parses the text before the cursor into the real stack of open
elements and offers the end tag that closes the innermost one: `div>` after `</` (or `v>`
after `</di`), or `</div>` right after the `>` of `<div ...>` with the cursor left between the
tags. HTML follows the WHATWG tokenizer and tree construction (`tokens`, `tree`, `builder`,
`body`, `modes`, `tables`; the element sets in `elements`): void elements, implied end tags
(`<p>a<div>`, `<li>a<li>`, cells, rows), raw text (`script`, `style`, ...), comments and
bogus comments, `/>` honoured only on SVG/MathML elements, case-insensitive names suggested
as the author spelled them. XML mode is case-sensitive, and `/>` closes any element. Nothing
is suggested when the element is already closed after the cursor (the parse continues into
`after`, up to AFTER_LIMIT characters) or when the cursor is inside an unfinished tag.

Choices: `</html>`, `</head>` and `</body>` are offered like any other end tag when the author
wrote those start tags (implied ones are never offered: after `</tr>` in `<table><tr>` the
next offer is `</table>`, skipping the implied `tbody`). A `</body>` or `</html>` the author
wrote counts as closing them.

`TagCloser` is the incremental form: it keeps the parse of the previous text, resumes there
when the new text extends it, and otherwise restarts from the last checkpoint (taken every
`checkpoint_every` characters) before the first changed character, so typing at the end of a
long document parses only the new characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ghostpen.suggest.html.parse import CHECKPOINT_EVERY, XML_PARTIAL_END, HtmlParser, XmlParser
from ghostpen.suggest.html.tokens import (
    PARTIAL_END_TAG,
    PLAINTEXT,
    SCRIPT,
    WS_CHARS,
    ascii_lower,
    script_end,
)
from ghostpen.suggest.html.tree import Elem
from ghostpen.suggest.textdiff import common_prefix_len

AFTER_LIMIT = 65536  # how far into `after` to look for the element's own end tag
MODES = ("html", "xml")

HTML_EXTENSIONS = frozenset("html htm xhtml xht shtml".split())
XML_EXTENSIONS = frozenset(
    "xml svg xsl xslt rss atom xsd wsdl rdf kml gpx plist opml xul xbl xlf xliff mml dtd "
    "xaml csproj vbproj fsproj props targets resx nuspec xib storyboard fodt fods tmx".split()
)
_RAW_PARTIAL = re.compile(r"</([A-Za-z]*)\Z")


@dataclass(frozen=True)
class TagSuggestion:
    """Text to insert at the cursor to close the innermost open element."""

    text: str  # e.g. "div>" after "</", or "</div>" after "<div>"
    cursor_offset: int  # where the cursor ends up inside `text` once accepted
    name: str  # the element name as the author spelled it in its start tag


def is_markup_path(path: str | None) -> str | None:
    """ "html" or "xml" for a file name whose extension says so, else None."""
    if not path:
        return None
    base = str(path).replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base:
        return None
    ext = base.rsplit(".", 1)[-1].lower()
    if ext in HTML_EXTENSIONS:
        return "html"
    return "xml" if ext in XML_EXTENSIONS else None


_SNIFF_SKIP = re.compile(r"(?:\s+|<!--.*?-->)*", re.S)


def sniff_markup(text: str) -> str | None:
    """ "html" for text opening with `<!doctype html` or `<html`, "xml" for `<?xml`, else None.

    A byte-order mark, whitespace and comments before them are skipped.
    """
    head = text[:4096].lstrip("\ufeff")
    head = head[_SNIFF_SKIP.match(head).end() :]
    low = head[:15].lower()
    if low.startswith("<?xml") and (len(low) == 5 or low[5] in WS_CHARS + "?"):
        return "xml"
    if low.startswith("<!doctype") and low[9:].lstrip().startswith("html"):
        return "html"
    if low.startswith("<html") and (len(low) == 5 or low[5] in WS_CHARS + ">"):
        return "html"
    return None


class TagCloser:
    """Incremental closing-tag engine: one per document (mode "html" or "xml")."""

    def __init__(self, mode: str = "html", *, checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if checkpoint_every < 0:
            raise ValueError("checkpoint_every must be >= 0 (0: no checkpoints)")
        self.mode = mode
        self._every = checkpoint_every
        self._text = ""
        self._parser: HtmlParser | XmlParser = HtmlParser() if mode == "html" else XmlParser()
        self._checkpoints: list[tuple[int, tuple]] = [(0, self._parser.snapshot())]
        self.last_resume = 0  # where the last call resumed parsing (for tests and diagnostics)

    def parse(self, before: str) -> HtmlParser | XmlParser:
        """The parser state for `before`, reusing as much of the previous parse as is valid."""
        if not isinstance(before, str):
            raise TypeError(f"before must be a str, not {type(before).__name__}")
        p = self._parser
        valid = p.pos
        if len(before) < valid or not before.startswith(self._text[:valid]):
            keep = common_prefix_len(before, self._text)
            while self._checkpoints[-1][0] > keep:
                self._checkpoints.pop()
            p.restore(self._checkpoints[-1][1])
        self.last_resume = p.pos
        p.feed(before, checkpoints=self._checkpoints if self._every else None, every=self._every)
        self._text = before
        return p

    def suggest(self, before: str, after: str = "") -> TagSuggestion | None:
        """The end tag to offer with the cursor between `before` and `after`, or None."""
        if not isinstance(after, str):
            raise TypeError(f"after must be a str, not {type(after).__name__}")
        p = self.parse(before)
        n = len(before)
        rest = before[p.pos :]
        raw = p.raw
        if raw is not None:  # inside script/style/textarea/...: only its own end tag counts
            if raw[0] == PLAINTEXT or not p.stack:
                return None
            target = p.stack[-1]
            if not rest:
                return self._open_tag(p, n, p.last_elem, after)
            m = _RAW_PARTIAL.search(rest)
            if m is None or not target.name.startswith(ascii_lower(m.group(1))):
                return None
            if raw[0] == SCRIPT and script_end(before, p.pos, p.pos + m.start())[1] == 2:
                return None  # `</script>` would only end a `<!--<script>` escape
            return self._end_tag(p, m.group(1), target, before[p.pos : p.pos + m.start()], after)
        if not rest:
            return self._open_tag(p, n, p.last_elem, after)
        partial_re = PARTIAL_END_TAG if self.mode == "html" else XML_PARTIAL_END
        if partial_re.fullmatch(rest) is None:
            return None
        target = p.innermost()
        if target is None:
            return None
        return self._end_tag(p, rest[2:], target, "", after)

    def _open_tag(
        self, p: HtmlParser | XmlParser, n: int, target: Elem | None, after: str
    ) -> TagSuggestion | None:
        """Right after a start tag's `>`: offer `</name>` if that element is still open."""
        if p.last_end != n or target is None or not p.stack or p.stack[-1] is not target:
            return None
        if self._closed_after(p, "", after, target):
            return None
        return TagSuggestion(f"</{target.spelled}>", 0, target.spelled)

    def _end_tag(
        self, p: HtmlParser | XmlParser, partial: str, target: Elem, raw: str, after: str
    ) -> TagSuggestion | None:
        """After `</` + partial: offer the rest of the innermost element's name and `>`.

        `raw` is the raw text between the parser's position and the `</` (inside `<script>`
        and the like; empty elsewhere).
        """
        if self.mode == "html":
            if not target.name.startswith(ascii_lower(partial)):
                return None
        elif not target.name.startswith(partial):
            return None
        if after and after[0] not in WS_CHARS and after[0] != "<":
            return None  # the end tag goes on after the cursor
        if self._closed_after(p, raw, after, target):
            return None
        text = target.spelled[len(partial) :] + ">"
        return TagSuggestion(text, len(text), target.spelled)

    @staticmethod
    def _closed_after(p: HtmlParser | XmlParser, raw: str, after: str, target: Elem) -> bool:
        """Whether the target's own end tag closes it when the parse goes on into `after`.

        The parse goes on from the parser's position, leaving out what is being typed at the
        cursor (a `</` and the start of a name): that is about to become the offered end tag.
        """
        q = p.fork()
        return q.feed(raw + after[:AFTER_LIMIT], watch=target) is True


def suggest_close(before: str, after: str = "", *, mode: str = "html") -> TagSuggestion | None:
    """One-shot closing-tag suggestion; see `TagCloser` for the incremental form."""
    return TagCloser(mode, checkpoint_every=0).suggest(before, after)
