"""WHATWG insertion modes for tables, select and template, added to `htmlmodes.TreeBuilder`.

In table, in caption, in column group, in table body, in row, in cell, in select, in select in
table and in template, as their effect on the stack of open elements: implied `tbody`/`tr`/
`colgroup` elements, cells and rows closed by their siblings, and everything else handed to the
"in body" rules (where a browser would foster-parent it, which moves nodes but opens the same).
"""

from __future__ import annotations

from ghostpen.suggest.html.modes import (
    _END,
    _START,
    _TEXT,
    CELLS,
    FOSTER_TEXT,
    ROW_CTX,
    TABLE_CTX,
    TABLE_SECTIONS,
    TBODY_CTX,
    Attrs,
    TreeBuilder,
)
from ghostpen.suggest.html.tokens import inert, ws_only
from ghostpen.suggest.html.tree import (
    IN_BODY,
    IN_CAPTION,
    IN_CELL,
    IN_COLGROUP,
    IN_ROW,
    IN_SELECT,
    IN_SELECT_IN_TABLE,
    IN_TABLE,
    IN_TBODY,
    IN_TEMPLATE,
    TABLE_SCOPE,
    TEXT,
    _attr,
    _keys,
)

_B = TreeBuilder
_TABLE_IGNORED_END = _keys("body caption col colgroup html tbody td tfoot th thead tr")
_CAPTION_ENDERS = _keys("caption col colgroup tbody td tfoot th thead tr")
_SELECT_ENDERS = _keys("caption table tbody tfoot thead tr td th")


def _table_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "caption":
        self.clear_to(TABLE_CTX)
        self.afe.append(None)
        self.insert(name, spelled)
        self.mode = IN_CAPTION
    elif name == "colgroup":
        self.clear_to(TABLE_CTX)
        self.insert(name, spelled)
        self.mode = IN_COLGROUP
    elif name == "col":
        self.clear_to(TABLE_CTX)
        self.implied("colgroup")
        self.mode = IN_COLGROUP
        return False
    elif name in TABLE_SECTIONS:
        self.clear_to(TABLE_CTX)
        self.insert(name, spelled)
        self.mode = IN_TBODY
    elif name in ("td", "th", "tr"):
        self.clear_to(TABLE_CTX)
        self.implied("tbody")
        self.mode = IN_TBODY
        return False
    elif name == "table":
        if not self.in_scope("table", TABLE_SCOPE):
            return True
        self.pop_until("table")
        self.reset_mode()
        return False
    elif name in ("style", "script", "template"):
        return self._head_start(name, spelled, sc, attrs)
    elif name == "input" and (_attr(attrs, "type") or "").lower() == "hidden":
        return self._void(name, spelled, attrs)
    elif name == "form":
        if not self.has("template") and self.form is None:
            self.form = self.insert(name, spelled)
            self.pop()
    else:
        return self._body_start(name, spelled, sc, attrs)
    return True


def _table_end(self: TreeBuilder, name: str) -> bool:
    if name == "table":
        if self.in_scope("table", TABLE_SCOPE):
            self.pop_until("table")
            self.reset_mode()
        return True
    if name in _TABLE_IGNORED_END:
        return True
    if name == "template":
        return self._template_end()
    return self._body_end(name)


def _table_text(self: TreeBuilder, s: str, i: int, j: int) -> bool:
    cur = self.cur
    if cur is not None and cur.key in FOSTER_TEXT and inert(s, i, j):
        return True
    return self._body_text(s, i, j)  # foster-parented text: the "in body" rules


def _close_caption(self: TreeBuilder) -> bool:
    """Close the caption; False when there is none in table scope (the token is ignored)."""
    if not self.in_scope("caption", TABLE_SCOPE):
        return False
    self.gen_implied()
    self.pop_until("caption")
    self.clear_afe_to_marker()
    self.mode = IN_TABLE
    return True


def _caption_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in _CAPTION_ENDERS:
        return not _close_caption(self)
    return self._body_start(name, spelled, sc, attrs)


def _caption_end(self: TreeBuilder, name: str) -> bool:
    if name == "caption":
        _close_caption(self)
        return True
    if name == "table":
        return not _close_caption(self)
    if name in _TABLE_IGNORED_END:
        return True
    return self._body_end(name)


def _colgroup_anything(self: TreeBuilder) -> bool:
    if not self.cur_is("colgroup"):
        return True
    self.pop()
    self.mode = IN_TABLE
    return False


def _colgroup_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "html":
        return True
    if name == "col":
        return self._void(name, spelled, attrs)
    if name == "template":
        return self._head_start(name, spelled, sc, attrs)
    return _colgroup_anything(self)


def _colgroup_end(self: TreeBuilder, name: str) -> bool:
    if name == "colgroup":
        if self.cur_is("colgroup"):
            self.pop()
            self.mode = IN_TABLE
        return True
    if name == "col":
        return True
    if name == "template":
        return self._template_end()
    return _colgroup_anything(self)


def _colgroup_text(self: TreeBuilder, s: str, i: int, j: int) -> bool:
    return ws_only(s, i, j) or _colgroup_anything(self)


def _close_section(self: TreeBuilder) -> bool:
    if not self.any_in_scope(TABLE_SECTIONS, TABLE_SCOPE):
        return True
    self.clear_to(TBODY_CTX)
    self.pop()
    self.mode = IN_TABLE
    return False


def _tbody_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "tr":
        self.clear_to(TBODY_CTX)
        self.insert(name, spelled)
        self.mode = IN_ROW
        return True
    if name in CELLS:
        self.clear_to(TBODY_CTX)
        self.implied("tr")
        self.mode = IN_ROW
        return False
    if name in ("caption", "col", "colgroup", "tbody", "tfoot", "thead"):
        return _close_section(self)
    return _table_start(self, name, spelled, sc, attrs)


def _tbody_end(self: TreeBuilder, name: str) -> bool:
    if name in TABLE_SECTIONS:
        if self.in_scope(name, TABLE_SCOPE):
            self.clear_to(TBODY_CTX)
            self.pop()
            self.mode = IN_TABLE
        return True
    if name == "table":
        return _close_section(self)
    if name in ("body", "caption", "col", "colgroup", "html", "td", "th", "tr"):
        return True
    return _table_end(self, name)


def _close_row(self: TreeBuilder) -> bool:
    """Close the row; False when there is no tr in table scope (the token is ignored)."""
    if not self.in_scope("tr", TABLE_SCOPE):
        return False
    self.clear_to(ROW_CTX)
    self.pop()
    self.mode = IN_TBODY
    return True


def _row_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in CELLS:
        self.clear_to(ROW_CTX)
        self.insert(name, spelled)
        self.mode = IN_CELL
        self.afe.append(None)
        return True
    if name in ("caption", "col", "colgroup", "tbody", "tfoot", "thead", "tr"):
        return not _close_row(self)
    return _table_start(self, name, spelled, sc, attrs)


def _row_end(self: TreeBuilder, name: str) -> bool:
    if name == "tr":
        _close_row(self)
        return True
    if name == "table":
        return not _close_row(self)
    if name in TABLE_SECTIONS:
        if not self.in_scope(name, TABLE_SCOPE):
            return True
        return not _close_row(self)
    if name in ("body", "caption", "col", "colgroup", "html", "td", "th"):
        return True
    return _table_end(self, name)


def _close_cell(self: TreeBuilder) -> None:
    self.gen_implied()
    self.pop_until(CELLS)
    self.clear_afe_to_marker()
    self.mode = IN_ROW


def _cell_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in _CAPTION_ENDERS:
        if not self.any_in_scope(CELLS, TABLE_SCOPE):
            return True
        _close_cell(self)
        return False
    return self._body_start(name, spelled, sc, attrs)


def _cell_end(self: TreeBuilder, name: str) -> bool:
    if name in CELLS:
        if self.in_scope(name, TABLE_SCOPE):
            self.gen_implied()
            self.pop_until(name)
            self.clear_afe_to_marker()
            self.mode = IN_ROW
        return True
    if name in ("body", "caption", "col", "colgroup", "html"):
        return True
    if name in ("table", "tbody", "tfoot", "thead", "tr"):
        if not self.in_scope(name, TABLE_SCOPE):
            return True
        _close_cell(self)
        return False
    return self._body_end(name)


def _select_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in ("option", "optgroup", "hr"):
        if self.cur_is("option"):
            self.pop()
        if name != "option" and self.cur_is("optgroup"):
            self.pop()
        if name == "hr":
            return self._void(name, spelled, attrs)
        self.insert(name, spelled)
    elif name in ("select", "input", "keygen", "textarea"):
        if self.in_select_scope("select"):
            self.pop_until("select")
            self.reset_mode()
            return name == "select"
    elif name in ("script", "template"):
        return self._head_start(name, spelled, sc, attrs)
    return True


def _select_end(self: TreeBuilder, name: str) -> bool:
    if name == "optgroup":
        stack = self.stack
        if self.cur_is("option") and len(stack) > 1 and stack[-2].key == "optgroup":
            self.pop()
        if self.cur_is("optgroup"):
            self.pop()
    elif name == "option":
        if self.cur_is("option"):
            self.pop()
    elif name == "select":
        if self.in_select_scope("select"):
            self.pop_until("select")
            self.reset_mode()
    elif name == "template":
        return self._template_end()
    return True


def _select_table_start(self: TreeBuilder, name: str, spelled: str, sc: bool, a: Attrs) -> bool:
    if name in _SELECT_ENDERS:
        self.pop_until("select")
        self.reset_mode()
        return False
    return _select_start(self, name, spelled, sc, a)


def _select_table_end(self: TreeBuilder, name: str) -> bool:
    if name in _SELECT_ENDERS:
        if not self.in_scope(name, TABLE_SCOPE):
            return True
        self.pop_until("select")
        self.reset_mode()
        return False
    return _select_end(self, name)


_TEMPLATE_SWITCH = {
    "caption": IN_TABLE,
    "colgroup": IN_TABLE,
    "tbody": IN_TABLE,
    "tfoot": IN_TABLE,
    "thead": IN_TABLE,
    "col": IN_COLGROUP,
    "tr": IN_TBODY,
    "td": IN_ROW,
    "th": IN_ROW,
}


def _template_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in ("base", "basefont", "bgsound", "link", "meta", "noframes", "script", "style",
                "template", "title"):  # fmt: skip
        return self._head_start(name, spelled, sc, attrs)
    mode = _TEMPLATE_SWITCH.get(name, IN_BODY)
    if self.tmpl:
        self.tmpl[-1] = mode
    else:
        self.tmpl.append(mode)
    self.mode = mode
    return False


def _template_end(self: TreeBuilder, name: str) -> bool:
    return self._template_end() if name == "template" else True


def _ignore_start(self: TreeBuilder, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    return True


_START.update(
    {
        IN_TABLE: _table_start,
        IN_CAPTION: _caption_start,
        IN_COLGROUP: _colgroup_start,
        IN_TBODY: _tbody_start,
        IN_ROW: _row_start,
        IN_CELL: _cell_start,
        IN_SELECT: _select_start,
        IN_SELECT_IN_TABLE: _select_table_start,
        IN_TEMPLATE: _template_start,
        TEXT: _ignore_start,
    }
)
_END.update(
    {
        IN_TABLE: _table_end,
        IN_CAPTION: _caption_end,
        IN_COLGROUP: _colgroup_end,
        IN_TBODY: _tbody_end,
        IN_ROW: _row_end,
        IN_CELL: _cell_end,
        IN_SELECT: _select_end,
        IN_SELECT_IN_TABLE: _select_table_end,
        IN_TEMPLATE: _template_end,
        TEXT: lambda self, name: True,
    }
)
_TEXT.update(
    {
        IN_TABLE: _table_text,
        IN_CAPTION: _B._body_text,
        IN_COLGROUP: _colgroup_text,
        IN_TBODY: _table_text,
        IN_ROW: _table_text,
        IN_CELL: _B._body_text,
        IN_SELECT: _B._ignore_text,
        IN_SELECT_IN_TABLE: _B._ignore_text,
        IN_TEMPLATE: _B._body_text,
        TEXT: _B._ignore_text,
    }
)
