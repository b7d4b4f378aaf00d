"""The WHATWG tree construction dispatcher: tokens to insertion-mode rules, and foreign content.

`TreeBuilder.start/end/text/doctype` take the tokens of `parse.HtmlParser` and apply the rules
of the current insertion mode, or of foreign content (SVG/MathML), as the tree construction
dispatcher says. The rules are plain functions in `modes` (the document-level modes), `body`
(in head, in body) and `tables` (tables, select, template); the tables mapping each insertion
mode to its start-tag, end-tag and text handler are built here, in one place, and nowhere else.
Handlers return True when the token is consumed and False to reprocess it (after switching
modes), as the spec's "reprocess the token" says.

Deliberate differences from a browser, all about what counts as "open" for suggestions: a
`</body>`/`</html>` the author wrote marks those elements closed (browsers keep them on the
stack), and `<select>` follows the classic "in select" rules of the html5lib era.
"""

from __future__ import annotations

from ghostpen.suggest.html import body, modes, tables
from ghostpen.suggest.html.elements import (
    BREAKOUT,
    FONT_BREAKOUT_ATTRS,
    MATHML_TEXT_INTEGRATION,
    MATHML_TEXT_KEEPS_FOREIGN,
)
from ghostpen.suggest.html.tokens import doctype_quirks, inert
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
    IN_CAPTION,
    IN_CELL,
    IN_COLGROUP,
    IN_FRAMESET,
    IN_HEAD,
    IN_ROW,
    IN_SELECT,
    IN_SELECT_IN_TABLE,
    IN_TABLE,
    IN_TBODY,
    IN_TEMPLATE,
    INITIAL,
    TEXT,
    Attrs,
    TreeCore,
)


class TreeBuilder(TreeCore):
    """Applies start tags, end tags, text and doctypes to the stack of open elements."""

    def _html_content(self, start: str | None) -> bool:
        """Whether a token goes to the insertion mode (True) or to foreign content rules."""
        cur = self.cur
        if cur is None or cur.ns == HTML:
            return True
        if (
            cur.key in MATHML_TEXT_INTEGRATION
            and start is not None
            and start not in MATHML_TEXT_KEEPS_FOREIGN
        ):
            return True
        if cur.key == "m:annotation-xml" and start == "svg":
            return True
        return cur.hip and start is not None

    def start(self, name: str, spelled: str, sc: bool = False, attrs: Attrs = None) -> None:
        self.last_elem = None
        while True:
            if self._html_content(name):
                done = START[self.mode](self, name, spelled, sc, attrs)
            else:
                done = self._foreign_start(name, spelled, sc, attrs)
            if done:
                return

    def end(self, name: str) -> None:
        while True:
            cur = self.cur
            if cur is None or cur.ns == HTML:
                done = END[self.mode](self, name)
            else:
                done = self._foreign_end(name)
            if done:
                return

    def text(self, s: str, i: int, j: int) -> None:
        """A run of character tokens s[i:j] (no markup inside)."""
        if i >= j:
            return
        cur = self.cur
        if (
            cur is not None
            and cur.ns != HTML
            and not (cur.key in MATHML_TEXT_INTEGRATION or cur.hip)
        ):
            if self.fok and not inert(s, i, j):
                self.fok = False
            return
        while not TEXT_RULES[self.mode](self, s, i, j):
            pass

    def doctype(self, inner: str) -> None:
        """A DOCTYPE token; `inner` is what stands between `<!DOCTYPE` and `>`."""
        if self.mode == INITIAL:
            self.quirks = doctype_quirks(inner)
            self.mode = BEFORE_HTML

    # --- foreign content ---
    def _foreign_start(self, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
        if name in BREAKOUT or (
            name == "font" and any(k in FONT_BREAKOUT_ATTRS for k, _ in attrs or ())
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
                return END[self.mode](self, name)


# --- the dispatch tables: insertion mode -> handler ---------------------------------------------
START = {
    INITIAL: modes.initial_start,
    BEFORE_HTML: modes.before_html_start,
    BEFORE_HEAD: modes.before_head_start,
    IN_HEAD: body.head_start,
    AFTER_HEAD: modes.after_head_start,
    IN_BODY: body.body_start,
    TEXT: modes.ignore_start,
    IN_TABLE: tables.table_start,
    IN_CAPTION: tables.caption_start,
    IN_COLGROUP: tables.colgroup_start,
    IN_TBODY: tables.tbody_start,
    IN_ROW: tables.row_start,
    IN_CELL: tables.cell_start,
    IN_SELECT: tables.select_start,
    IN_SELECT_IN_TABLE: tables.select_table_start,
    IN_TEMPLATE: tables.template_start,
    AFTER_BODY: modes.after_body_start,
    IN_FRAMESET: modes.frameset_start,
    AFTER_FRAMESET: modes.frameset_start,
    AFTER_AFTER_BODY: modes.after_body_start,
    AFTER_AFTER_FRAMESET: modes.frameset_start,
}
END = {
    INITIAL: modes.initial_end,
    BEFORE_HTML: modes.before_html_end,
    BEFORE_HEAD: modes.before_head_end,
    IN_HEAD: body.head_end,
    AFTER_HEAD: modes.after_head_end,
    IN_BODY: body.body_end,
    TEXT: modes.ignore_end,
    IN_TABLE: tables.table_end,
    IN_CAPTION: tables.caption_end,
    IN_COLGROUP: tables.colgroup_end,
    IN_TBODY: tables.tbody_end,
    IN_ROW: tables.row_end,
    IN_CELL: tables.cell_end,
    IN_SELECT: tables.select_end,
    IN_SELECT_IN_TABLE: tables.select_table_end,
    IN_TEMPLATE: tables.template_mode_end,
    AFTER_BODY: modes.after_body_end,
    IN_FRAMESET: modes.frameset_end,
    AFTER_FRAMESET: modes.frameset_end,
    AFTER_AFTER_BODY: modes.after_after_body_end,
    AFTER_AFTER_FRAMESET: modes.ignore_end,
}
TEXT_RULES = {
    INITIAL: modes.initial_text,
    BEFORE_HTML: modes.before_html_text,
    BEFORE_HEAD: modes.before_head_text,
    IN_HEAD: body.head_text,
    AFTER_HEAD: modes.after_head_text,
    IN_BODY: body.body_text,
    TEXT: modes.ignore_text,
    IN_TABLE: tables.table_text,
    IN_CAPTION: body.body_text,
    IN_COLGROUP: tables.colgroup_text,
    IN_TBODY: tables.table_text,
    IN_ROW: tables.table_text,
    IN_CELL: body.body_text,
    IN_SELECT: modes.ignore_text,
    IN_SELECT_IN_TABLE: modes.ignore_text,
    IN_TEMPLATE: body.body_text,
    AFTER_BODY: modes.after_body_text,
    IN_FRAMESET: modes.ignore_text,
    AFTER_FRAMESET: modes.ignore_text,
    AFTER_AFTER_BODY: modes.after_body_text,
    AFTER_AFTER_FRAMESET: modes.ignore_text,
}
