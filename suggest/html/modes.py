"""WHATWG tree-construction rules, per insertion mode, reduced to their effect on the stack.

`TreeBuilder.start/end/text/doctype` take the tokens of `htmlparse.HtmlParser` and apply the
rules of the current insertion mode, or of foreign content (SVG/MathML), as the tree
construction dispatcher says; the "in head"/"in body" rules come from `htmlbody`, the table,
select and template modes from `htmltables`. Handlers return True when the token is consumed
and False to reprocess it (after switching modes), as the spec's "reprocess the token" says.

Deliberate differences from a browser, all about what counts as "open" for suggestions: a
`</body>`/`</html>` the author wrote marks those elements closed (browsers keep them on the
stack), and `<select>` follows the classic "in select" rules of the html5lib era.
"""

from __future__ import annotations

from ghostpen.suggest.html.body import (
    HEAD_TAGS,
    Attrs,
    BodyRules,
)
from ghostpen.suggest.html.tokens import doctype_quirks, inert, ws_only
from ghostpen.suggest.html.tree import (
    AFTER_AFTER_BODY,
    AFTER_AFTER_FRAMESET,
    AFTER_BODY,
    AFTER_FRAMESET,
    AFTER_HEAD,
    BEFORE_HEAD,
    BEFORE_HTML,
    HTML,
    IN_BODY,
    IN_FRAMESET,
    IN_HEAD,
    INITIAL,
    MATH_TEXT_IP,
    _keys,
)

BREAKOUT = _keys(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img "
    "li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var"
)
TABLE_CTX = _keys("table template html")
TBODY_CTX = _keys("tbody tfoot thead template html")
ROW_CTX = _keys("tr template html")
TABLE_SECTIONS = _keys("tbody thead tfoot")
CELLS = _keys("td th")
FOSTER_TEXT = _keys("table tbody template tfoot thead tr")


class TreeBuilder(BodyRules):
    """Applies start tags, end tags, text and doctypes to the stack of open elements."""

    # --- dispatch ---
    def _html_content(self, start: str | None) -> bool:
        """Whether a token goes to the insertion mode (True) or to foreign content rules."""
        cur = self.cur
        if cur is None or cur.ns == HTML:
            return True
        if cur.key in MATH_TEXT_IP and start not in ("mglyph", "malignmark", None):
            return True
        if cur.key == "m:annotation-xml" and start == "svg":
            return True
        return cur.hip and start is not None

    def start(self, name: str, spelled: str, sc: bool = False, attrs: Attrs = None) -> None:
        self.last_elem = None
        while True:
            if self._html_content(name):
                done = _START[self.mode](self, name, spelled, sc, attrs)
            else:
                done = self._foreign_start(name, spelled, sc, attrs)
            if done:
                return

    def end(self, name: str) -> None:
        while True:
            cur = self.cur
            if cur is None or cur.ns == HTML:
                done = _END[self.mode](self, name)
            else:
                done = self._foreign_end(name)
            if done:
                return

    def text(self, s: str, i: int, j: int) -> None:
        """A run of character tokens s[i:j] (no markup inside)."""
        if i >= j:
            return
        cur = self.cur
        if cur is not None and cur.ns != HTML and not (cur.key in MATH_TEXT_IP or cur.hip):
            if self.fok and not inert(s, i, j):
                self.fok = False
            return
        while not _TEXT[self.mode](self, s, i, j):
            pass

    def doctype(self, body: str) -> None:
        if self.mode == INITIAL:
            self.quirks = doctype_quirks(body)
            self.mode = BEFORE_HTML

    # --- foreign content ---
    def _foreign_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name in BREAKOUT or (
            name == "font" and any(k in ("color", "face", "size") for k, _ in attrs or ())
        ):
            while self.stack and not self._html_content("p"):
                self.pop()
            return False
        self.insert_foreign(name, spelled, self.cur.ns, attrs)  # type: ignore[union-attr]
        if sc:
            self.pop()
        return True

    def _foreign_end(self, name: str) -> bool:
        i = len(self.stack) - 1
        while True:
            if i == 0:
                return True
            if self.stack[i].name == name:
                self.cut(i)
                return True
            i -= 1
            if self.stack[i].ns == HTML:
                return _END[self.mode](self, name)

    # --- helpers shared by modes ---

    # --- initial, before html, before head ---
    def _initial_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        self.quirks = True
        self.mode = BEFORE_HTML
        return False

    def _initial_end(self, name: str) -> bool:
        return self._initial_start(name, name, False, None)

    def _initial_text(self, s: str, i: int, j: int) -> bool:
        return ws_only(s, i, j) or self._initial_start("", "", False, None)

    def _before_html_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name == "html":
            self.insert(name, spelled)
        else:
            self.implied("html")
        self.mode = BEFORE_HEAD
        return name == "html"

    def _before_html_end(self, name: str) -> bool:
        if name in ("head", "body", "html", "br"):
            return self._before_html_start("", "", False, None)
        return True

    def _before_html_text(self, s: str, i: int, j: int) -> bool:
        return ws_only(s, i, j) or self._before_html_start("", "", False, None)

    def _before_head_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name == "html":
            return True
        self.head = self.insert(name, spelled) if name == "head" else self.implied("head")
        self.mode = IN_HEAD
        return name == "head"

    def _before_head_end(self, name: str) -> bool:
        if name in ("head", "body", "html", "br"):
            return self._before_head_start("", "", False, None)
        return True

    def _before_head_text(self, s: str, i: int, j: int) -> bool:
        return ws_only(s, i, j) or self._before_head_start("", "", False, None)

    # --- in head, after head ---

    def _head_end(self, name: str) -> bool:
        if name == "head":
            self.pop()
            self.mode = AFTER_HEAD
            return True
        if name == "template":
            return self._template_end()
        if name in ("body", "html", "br"):
            return self._head_anything()
        return True

    def _head_text(self, s: str, i: int, j: int) -> bool:
        return ws_only(s, i, j) or self._head_anything()

    def _after_head_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name == "html":
            return True
        if name == "body":
            self.insert(name, spelled)
            self.fok = False
            self.mode = IN_BODY
            return True
        if name == "frameset":
            self.insert(name, spelled)
            self.mode = IN_FRAMESET
            return True
        if name in HEAD_TAGS:
            head = self.head
            if head is not None:
                self.push(head)
            self._head_start(name, spelled, sc, attrs)
            if head is not None:
                self.remove(head)
            return True
        if name == "head":
            return True
        return self._after_head_anything()

    def _after_head_anything(self) -> bool:
        self.implied("body")
        self.mode = IN_BODY
        return False

    def _after_head_end(self, name: str) -> bool:
        if name == "template":
            return self._template_end()
        if name in ("body", "html", "br"):
            return self._after_head_anything()
        return True

    def _after_head_text(self, s: str, i: int, j: int) -> bool:
        return ws_only(s, i, j) or self._after_head_anything()

    # --- in body ---

    # --- after body, frameset modes ---
    def _after_body_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name == "html":
            return True
        self.mode = IN_BODY
        return False

    def _after_body_end(self, name: str) -> bool:
        if name == "html":
            self.html_closed = True
            self.mode = AFTER_AFTER_BODY if self.mode == AFTER_BODY else AFTER_AFTER_FRAMESET
            return True
        self.mode = IN_BODY
        return False

    def _after_body_text(self, s: str, i: int, j: int) -> bool:
        if ws_only(s, i, j):
            return self._body_text(s, i, j)
        self.mode = IN_BODY
        return False

    def _frameset_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name == "frameset" and self.mode == IN_FRAMESET:
            self.insert(name, spelled)
        elif name == "frame" and self.mode == IN_FRAMESET:
            self._void(name, spelled, attrs)
        elif name == "noframes":
            return self._head_start(name, spelled, sc, attrs)
        return True

    def _frameset_end(self, name: str) -> bool:
        if self.mode == IN_FRAMESET:
            if name == "frameset" and len(self.stack) > 1:
                self.pop()
                if not self.cur_is("frameset"):
                    self.mode = AFTER_FRAMESET
        elif name == "html" and self.mode == AFTER_FRAMESET:
            return self._after_body_end(name)
        return True

    def _ignore_text(self, s: str, i: int, j: int) -> bool:
        return True


def _register() -> tuple[dict, dict, dict]:
    """Mode -> handler tables; the table modes are added by `htmltables`."""
    B = TreeBuilder
    start = {
        INITIAL: B._initial_start,
        BEFORE_HTML: B._before_html_start,
        BEFORE_HEAD: B._before_head_start,
        IN_HEAD: B._head_start,
        AFTER_HEAD: B._after_head_start,
        IN_BODY: B._body_start,
        AFTER_BODY: B._after_body_start,
        AFTER_AFTER_BODY: B._after_body_start,
        IN_FRAMESET: B._frameset_start,
        AFTER_FRAMESET: B._frameset_start,
        AFTER_AFTER_FRAMESET: B._frameset_start,
    }
    end = {
        INITIAL: B._initial_end,
        BEFORE_HTML: B._before_html_end,
        BEFORE_HEAD: B._before_head_end,
        IN_HEAD: B._head_end,
        AFTER_HEAD: B._after_head_end,
        IN_BODY: B._body_end,
        AFTER_BODY: B._after_body_end,
        AFTER_AFTER_BODY: lambda self, name: B._after_body_start(self, name, name, False, None),
        IN_FRAMESET: B._frameset_end,
        AFTER_FRAMESET: B._frameset_end,
        AFTER_AFTER_FRAMESET: lambda self, name: True,
    }
    text = {
        INITIAL: B._initial_text,
        BEFORE_HTML: B._before_html_text,
        BEFORE_HEAD: B._before_head_text,
        IN_HEAD: B._head_text,
        AFTER_HEAD: B._after_head_text,
        IN_BODY: B._body_text,
        AFTER_BODY: B._after_body_text,
        AFTER_AFTER_BODY: B._after_body_text,
        IN_FRAMESET: B._ignore_text,
        AFTER_FRAMESET: B._ignore_text,
        AFTER_AFTER_FRAMESET: B._ignore_text,
    }
    return start, end, text


_START, _END, _TEXT = _register()

# the table, select and template modes register themselves into the tables above
from ghostpen.suggest.html import tables as _htmltables  # noqa: E402, F401
