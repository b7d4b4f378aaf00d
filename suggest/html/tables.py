"""WHATWG insertion modes for tables, select and template, as plain functions.

In table, in caption, in column group, in table body, in row, in cell, in select, in select in
table and in template, as their effect on the stack of open elements: implied `tbody`/`tr`/
`colgroup` elements, cells and rows closed by their siblings, and everything else handed to the
"in body" rules (where a browser would foster-parent it, which moves nodes but opens the same).
Functions over a `tree.TreeCore`; `builder` puts them in its dispatch tables.
"""

from __future__ import annotations

from ghostpen.suggest.html.body import body_end, body_start, body_text, head_start, template_end
from ghostpen.suggest.html.elements import (
    CAPTION_ENDERS,
    CELL_CLOSING_END,
    CELL_IGNORED_END,
    CELLS,
    FOSTER_TEXT,
    HEAD_TAGS,
    ROW_CTX,
    ROW_ENDERS,
    ROW_IGNORED_END,
    ROWS_AND_CELLS,
    SELECT_CLOSERS,
    SELECT_ENDERS,
    SELECT_HEAD_START,
    SELECT_OPTIONS,
    TABLE_CTX,
    TABLE_HEAD_START,
    TABLE_IGNORED_END,
    TABLE_SCOPE,
    TABLE_SECTIONS,
    TBODY_CTX,
    TBODY_ENDERS,
    TBODY_IGNORED_END,
)
from ghostpen.suggest.html.tokens import inert, ws_only
from ghostpen.suggest.html.tree import (
    IN_BODY,
    IN_CAPTION,
    IN_CELL,
    IN_COLGROUP,
    IN_ROW,
    IN_TABLE,
    IN_TBODY,
    Attrs,
    TreeCore,
    attr,
)


def table_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "caption":
        t.clear_to(TABLE_CTX)
        t.afe.append(None)
        t.insert(name, spelled)
        t.mode = IN_CAPTION
    elif name == "colgroup":
        t.clear_to(TABLE_CTX)
        t.insert(name, spelled)
        t.mode = IN_COLGROUP
    elif name == "col":
        t.clear_to(TABLE_CTX)
        t.implied("colgroup")
        t.mode = IN_COLGROUP
        return False
    elif name in TABLE_SECTIONS:
        t.clear_to(TABLE_CTX)
        t.insert(name, spelled)
        t.mode = IN_TBODY
    elif name in ROWS_AND_CELLS:
        t.clear_to(TABLE_CTX)
        t.implied("tbody")
        t.mode = IN_TBODY
        return False
    elif name == "table":
        if not t.in_scope("table", TABLE_SCOPE):
            return True
        t.pop_until("table")
        t.reset_mode()
        return False
    elif name in TABLE_HEAD_START:
        return head_start(t, name, spelled, sc, attrs)
    elif name == "input" and (attr(attrs, "type") or "").lower() == "hidden":
        return t.insert_void(name, spelled, attrs)
    elif name == "form":
        if not t.has("template") and t.form is None:
            t.form = t.insert(name, spelled)
            t.pop()
    else:
        return body_start(t, name, spelled, sc, attrs)
    return True


def table_end(t: TreeCore, name: str) -> bool:
    if name == "table":
        if t.in_scope("table", TABLE_SCOPE):
            t.pop_until("table")
            t.reset_mode()
        return True
    if name in TABLE_IGNORED_END:
        return True
    if name == "template":
        return template_end(t)
    return body_end(t, name)


def table_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    cur = t.cur
    if cur is not None and cur.key in FOSTER_TEXT and inert(s, i, j):
        return True
    return body_text(t, s, i, j)  # foster-parented text: the "in body" rules


def _close_caption(t: TreeCore) -> bool:
    """Close the caption; False when there is none in table scope (the token is ignored)."""
    if not t.in_scope("caption", TABLE_SCOPE):
        return False
    t.gen_implied()
    t.pop_until("caption")
    t.clear_afe_to_marker()
    t.mode = IN_TABLE
    return True


def caption_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in CAPTION_ENDERS:
        return not _close_caption(t)
    return body_start(t, name, spelled, sc, attrs)


def caption_end(t: TreeCore, name: str) -> bool:
    if name == "caption":
        _close_caption(t)
        return True
    if name == "table":
        return not _close_caption(t)
    if name in TABLE_IGNORED_END:
        return True
    return body_end(t, name)


def _colgroup_anything(t: TreeCore) -> bool:
    if not t.cur_is("colgroup"):
        return True
    t.pop()
    t.mode = IN_TABLE
    return False


def colgroup_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "html":
        return True
    if name == "col":
        return t.insert_void(name, spelled, attrs)
    if name == "template":
        return head_start(t, name, spelled, sc, attrs)
    return _colgroup_anything(t)


def colgroup_end(t: TreeCore, name: str) -> bool:
    if name == "colgroup":
        if t.cur_is("colgroup"):
            t.pop()
            t.mode = IN_TABLE
        return True
    if name == "col":
        return True
    if name == "template":
        return template_end(t)
    return _colgroup_anything(t)


def colgroup_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    return ws_only(s, i, j) or _colgroup_anything(t)


def _close_section(t: TreeCore) -> bool:
    if not t.any_in_scope(TABLE_SECTIONS, TABLE_SCOPE):
        return True
    t.clear_to(TBODY_CTX)
    t.pop()
    t.mode = IN_TABLE
    return False


def tbody_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "tr":
        t.clear_to(TBODY_CTX)
        t.insert(name, spelled)
        t.mode = IN_ROW
        return True
    if name in CELLS:
        t.clear_to(TBODY_CTX)
        t.implied("tr")
        t.mode = IN_ROW
        return False
    if name in TBODY_ENDERS:
        return _close_section(t)
    return table_start(t, name, spelled, sc, attrs)


def tbody_end(t: TreeCore, name: str) -> bool:
    if name in TABLE_SECTIONS:
        if t.in_scope(name, TABLE_SCOPE):
            t.clear_to(TBODY_CTX)
            t.pop()
            t.mode = IN_TABLE
        return True
    if name == "table":
        return _close_section(t)
    if name in TBODY_IGNORED_END:
        return True
    return table_end(t, name)


def _close_row(t: TreeCore) -> bool:
    """Close the row; False when there is no tr in table scope (the token is ignored)."""
    if not t.in_scope("tr", TABLE_SCOPE):
        return False
    t.clear_to(ROW_CTX)
    t.pop()
    t.mode = IN_TBODY
    return True


def row_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in CELLS:
        t.clear_to(ROW_CTX)
        t.insert(name, spelled)
        t.mode = IN_CELL
        t.afe.append(None)
        return True
    if name in ROW_ENDERS:
        return not _close_row(t)
    return table_start(t, name, spelled, sc, attrs)


def row_end(t: TreeCore, name: str) -> bool:
    if name == "tr":
        _close_row(t)
        return True
    if name == "table":
        return not _close_row(t)
    if name in TABLE_SECTIONS:
        if not t.in_scope(name, TABLE_SCOPE):
            return True
        return not _close_row(t)
    if name in ROW_IGNORED_END:
        return True
    return table_end(t, name)


def _close_cell(t: TreeCore) -> None:
    t.gen_implied()
    t.pop_until(CELLS)
    t.clear_afe_to_marker()
    t.mode = IN_ROW


def cell_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in CAPTION_ENDERS:
        if not t.any_in_scope(CELLS, TABLE_SCOPE):
            return True
        _close_cell(t)
        return False
    return body_start(t, name, spelled, sc, attrs)


def cell_end(t: TreeCore, name: str) -> bool:
    if name in CELLS:
        if t.in_scope(name, TABLE_SCOPE):
            t.gen_implied()
            t.pop_until(name)
            t.clear_afe_to_marker()
            t.mode = IN_ROW
        return True
    if name in CELL_IGNORED_END:
        return True
    if name in CELL_CLOSING_END:
        if not t.in_scope(name, TABLE_SCOPE):
            return True
        _close_cell(t)
        return False
    return body_end(t, name)


def select_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in SELECT_OPTIONS:
        if t.cur_is("option"):
            t.pop()
        if name != "option" and t.cur_is("optgroup"):
            t.pop()
        if name == "hr":
            return t.insert_void(name, spelled, attrs)
        t.insert(name, spelled)
    elif name in SELECT_CLOSERS:
        if t.in_select_scope("select"):
            t.pop_until("select")
            t.reset_mode()
            return name == "select"
    elif name in SELECT_HEAD_START:
        return head_start(t, name, spelled, sc, attrs)
    return True


def select_end(t: TreeCore, name: str) -> bool:
    if name == "optgroup":
        stack = t.stack
        if t.cur_is("option") and len(stack) > 1 and stack[-2].key == "optgroup":
            t.pop()
        if t.cur_is("optgroup"):
            t.pop()
    elif name == "option":
        if t.cur_is("option"):
            t.pop()
    elif name == "select":
        if t.in_select_scope("select"):
            t.pop_until("select")
            t.reset_mode()
    elif name == "template":
        return template_end(t)
    return True


def select_table_start(t: TreeCore, name: str, spelled: str, sc: bool, a: Attrs) -> bool:
    if name in SELECT_ENDERS:
        t.pop_until("select")
        t.reset_mode()
        return False
    return select_start(t, name, spelled, sc, a)


def select_table_end(t: TreeCore, name: str) -> bool:
    if name in SELECT_ENDERS:
        if not t.in_scope(name, TABLE_SCOPE):
            return True
        t.pop_until("select")
        t.reset_mode()
        return False
    return select_end(t, name)


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


def template_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name in HEAD_TAGS:
        return head_start(t, name, spelled, sc, attrs)
    mode = _TEMPLATE_SWITCH.get(name, IN_BODY)
    if t.tmpl:
        t.tmpl[-1] = mode
    else:
        t.tmpl.append(mode)
    t.mode = mode
    return False


def template_mode_end(t: TreeCore, name: str) -> bool:
    return template_end(t) if name == "template" else True
