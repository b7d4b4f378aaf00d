"""WHATWG "in head" and "in body" insertion-mode rules, as their effect on the open elements.

`BodyRules` holds the rules most documents spend their time in: implied `</p>` before blocks,
list items and definition terms closing their siblings, headings, formatting elements with the
adoption agency (in `htmltree`), void elements, raw text and RCDATA elements (`script`,
`style`, `textarea`, `title`, ...), `select`, ruby, `math`/`svg`. `htmlmodes.TreeBuilder`
adds the other modes and the dispatcher on top.
"""

from __future__ import annotations

from ghostpen.suggest.html.tokens import PLAINTEXT, RAW, SCRIPT, inert
from ghostpen.suggest.html.tree import (
    AFTER_BODY,
    AFTER_HEAD,
    IN_CAPTION,
    IN_CELL,
    IN_FRAMESET,
    IN_ROW,
    IN_SELECT,
    IN_SELECT_IN_TABLE,
    IN_TABLE,
    IN_TBODY,
    IN_TEMPLATE,
    LIST_SCOPE,
    MATH,
    SPECIAL,
    SVG,
    TEXT,
    TreeCore,
    _attr,
    _keys,
)

Attrs = "list[tuple[str, str]] | None"
HEAD_TAGS = _keys("base basefont bgsound link meta noframes script style template title")
CLOSES_P = _keys(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer header hgroup main menu nav ol p search section summary ul"
)
BLOCK_END = _keys(
    "address article aside blockquote button center details dialog dir div dl fieldset "
    "figcaption figure footer header hgroup listing main menu nav ol pre search section summary ul"
)
HEADINGS = _keys("h1 h2 h3 h4 h5 h6")
FORMATTING_START = _keys("b big code em font i s small strike strong tt u")
FORMATTING_END = FORMATTING_START | {"a", "nobr"}
IGNORED_IN_BODY = _keys("caption col colgroup frame head tbody td tfoot th thead tr")
TABLE_MODES = (IN_TABLE, IN_CAPTION, IN_TBODY, IN_ROW, IN_CELL)


class BodyRules(TreeCore):
    """The "in head" and "in body" rules, and the helpers the other modes share."""

    def _raw(self, kind: int, name: str, spelled: str, attrs: Attrs) -> bool:
        self.insert(name, spelled, attrs)
        self.raw = (kind, name)
        self.orig_mode = self.mode
        self.mode = TEXT
        return True

    def _void(self, name: str, spelled: str, attrs: Attrs) -> bool:
        self.insert(name, spelled, attrs)
        self.pop()
        return True

    def raw_end(self) -> None:
        """The end tag that closes the raw text element (the TEXT insertion mode)."""
        if self.stack:
            self.pop()
        self.raw = None
        self.mode = self.orig_mode

    def _body_text(self, s: str, i: int, j: int) -> bool:
        if self.afe and s.count("\0", i, j) < j - i:
            self.reconstruct()
        if self.fok and not inert(s, i, j):
            self.fok = False
        return True

    def _template_end(self) -> bool:
        if self.has("template"):
            self.gen_implied(thorough=True)
            self.pop_until("template")
            self.clear_afe_to_marker()
            if self.tmpl:
                self.tmpl.pop()
            self.reset_mode()
        return True

    def _head_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name in ("base", "basefont", "bgsound", "link", "meta"):
            return self._void(name, spelled, attrs)
        if name == "title":
            return self._raw(RAW, name, spelled, attrs)
        if name in ("noscript", "noframes", "style"):
            return self._raw(RAW, name, spelled, attrs)
        if name == "script":
            return self._raw(SCRIPT, name, spelled, attrs)
        if name == "template":
            self.insert(name, spelled)
            self.afe.append(None)
            self.fok = False
            self.mode = IN_TEMPLATE
            self.tmpl.append(IN_TEMPLATE)
            return True
        if name in ("head", "html"):
            return True
        return self._head_anything()

    def _head_anything(self) -> bool:
        if self.stack:
            self.pop()  # the head element
        self.mode = AFTER_HEAD
        return False

    def _body_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name in CLOSES_P:
            self.close_p()
            self.insert(name, spelled)
        elif name in FORMATTING_START:
            self.reconstruct()
            self.push_afe(self.insert(name, spelled, attrs))
        elif name in ("area", "br", "embed", "img", "keygen", "wbr"):
            self.reconstruct()
            self._void(name, spelled, attrs)
            self.fok = False
        elif name in HEAD_TAGS:
            return self._head_start(name, spelled, sc, attrs)
        elif name == "li" or name == "dd" or name == "dt":
            self.fok = False
            stop = ("li",) if name == "li" else ("dd", "dt")
            for e in reversed(self.stack):
                if e.key in stop:
                    self.gen_implied(e.key)
                    self.pop_until(e.key)
                    break
                if e.key in SPECIAL and e.key not in ("address", "div", "p"):
                    break
            self.close_p()
            self.insert(name, spelled)
        elif name in HEADINGS:
            self.close_p()
            if self.cur is not None and self.cur.key in HEADINGS:
                self.pop()
            self.insert(name, spelled)
        elif name == "a":
            for x in reversed(self.afe):
                if x is None:
                    break
                if x.key == "a":
                    if not self.adoption_agency("a"):
                        self.any_other_end("a")
                    if x in self.afe:
                        self.afe.remove(x)
                    self.remove(x)
                    break
            self.reconstruct()
            self.push_afe(self.insert(name, spelled, attrs))
        elif name in ("pre", "listing"):
            self.close_p()
            self.insert(name, spelled)
            self.fok = False
        elif name == "form":
            if self.form is not None and not self.has("template"):
                return True
            self.close_p()
            e = self.insert(name, spelled)
            if not self.has("template"):
                self.form = e
        elif name == "table":
            if not self.quirks:
                self.close_p()
            self.insert(name, spelled)
            self.fok = False
            self.mode = IN_TABLE
        elif name in ("input", "param", "source", "track", "hr"):
            if name == "hr":
                self.close_p()
            elif name == "input":
                self.reconstruct()
            self._void(name, spelled, attrs)
            hidden = name == "input" and (_attr(attrs, "type") or "").lower() == "hidden"
            if name != "param" and name != "source" and name != "track" and not hidden:
                self.fok = False
        elif name in ("textarea", "xmp", "iframe", "noembed", "noscript"):
            if name == "xmp":
                self.close_p()
                self.reconstruct()
            if name != "noembed" and name != "noscript":
                self.fok = False
            self._raw(RAW, name, spelled, attrs)
        elif name == "select":
            self.reconstruct()
            self.insert(name, spelled)
            self.fok = False
            self.mode = IN_SELECT_IN_TABLE if self.mode in TABLE_MODES else IN_SELECT
        elif name in ("optgroup", "option"):
            if self.cur_is("option"):
                self.pop()
            self.reconstruct()
            self.insert(name, spelled)
        elif name in ("rb", "rtc", "rp", "rt"):
            if self.in_scope("ruby"):
                self.gen_implied("rtc" if name in ("rp", "rt") else "")
            self.insert(name, spelled)
        elif name in ("math", "svg"):
            self.reconstruct()
            self.insert_foreign(name, spelled, MATH if name == "math" else SVG, attrs)
            if sc:
                self.pop()
        elif name in IGNORED_IN_BODY or name == "html":
            return True
        else:
            return self._body_start_rare(name, spelled, sc, attrs)
        return True

    def _body_start_rare(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name == "body":
            if len(self.stack) > 1 and self.stack[1].key == "body" and not self.has("template"):
                self.fok = False
        elif name == "frameset":
            if len(self.stack) > 1 and self.stack[1].key == "body" and self.fok:
                self.cut(1)
                self.insert(name, spelled)
                self.mode = IN_FRAMESET
        elif name == "plaintext":
            self.close_p()
            self.insert(name, spelled)
            self.raw = (PLAINTEXT, name)
        elif name == "button":
            if self.in_scope("button"):
                self.gen_implied()
                self.pop_until("button")
            self.reconstruct()
            self.insert(name, spelled)
            self.fok = False
        elif name == "nobr":
            self.reconstruct()
            if self.in_scope("nobr"):
                if not self.adoption_agency("nobr"):
                    self.any_other_end("nobr")
                self.reconstruct()
            self.push_afe(self.insert(name, spelled, attrs))
        elif name in ("applet", "marquee", "object"):
            self.reconstruct()
            self.insert(name, spelled)
            self.afe.append(None)
            self.fok = False
        elif name == "image":
            return self._body_start("img", spelled, sc, attrs)
        else:
            self.reconstruct()
            self.insert(name, spelled)
        return True

    def _body_end(self, name: str) -> bool:
        if name in BLOCK_END:
            if self.in_scope(name):
                self.gen_implied()
                self.pop_until(name)
        elif name == "p":
            self.close_p()
        elif name in FORMATTING_END:
            if not self.adoption_agency(name):
                self.any_other_end(name)
        elif name == "li":
            if self.in_scope("li", LIST_SCOPE):
                self.gen_implied("li")
                self.pop_until("li")
        elif name in ("dd", "dt"):
            if self.in_scope(name):
                self.gen_implied(name)
                self.pop_until(name)
        elif name in HEADINGS:
            if self.any_in_scope(HEADINGS):
                self.gen_implied()
                self.pop_until(HEADINGS)
        elif name == "body" or name == "html":
            if self.in_scope("body"):
                self.body_closed = True
                self.mode = AFTER_BODY
                return name == "body"
        elif name == "form":
            return self._form_end()
        elif name in ("applet", "marquee", "object"):
            if self.in_scope(name):
                self.gen_implied()
                self.pop_until(name)
                self.clear_afe_to_marker()
        elif name == "template":
            return self._template_end()
        elif name == "br":
            self.reconstruct()
            self.fok = False
        else:
            self.any_other_end(name)
        return True

    def _form_end(self) -> bool:
        if not self.has("template"):
            node, self.form = self.form, None
            if node is None or not self.elem_in_scope(node):
                return True
            self.gen_implied()
            self.remove(node)
        elif self.in_scope("form"):
            self.gen_implied()
            self.pop_until("form")
        return True
