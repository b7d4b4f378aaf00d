"""WHATWG "in head" and "in body" insertion-mode rules, as their effect on the open elements.

Plain functions over a `tree.TreeCore`, one per (mode, token kind), which `builder` puts in its
dispatch tables; the other modes call them too ("process the token using the rules for the in
body insertion mode"). Each returns True when the token is consumed, False to reprocess it.
These are the rules most documents spend their time in: implied `</p>` before blocks, list
items and definition terms closing their siblings, headings, formatting elements with the
adoption agency (in `tree`), void elements, raw text and RCDATA elements (`script`, `style`,
`textarea`, `title`, ...), `select`, ruby, `math`/`svg`.
"""

from __future__ import annotations

from ghostpen.suggest.html.elements import (
    BLOCK_END,
    CLOSES_P,
    DD_DT,
    FOREIGN_ROOTS,
    FORMATTING,
    FORMATTING_PLAIN,
    HEAD_END_AS_ANYTHING,
    HEAD_IGNORED_START,
    HEAD_TAGS,
    HEADINGS,
    IGNORED_IN_BODY,
    LIST_ITEM_SCOPE,
    LIST_ITEM_WALK_PASSES,
    MARKER_ELEMENTS,
    OPTIONS,
    PRE_LISTING,
    RAW_TEXT_IN_HEAD,
    RAW_TEXT_KEEPS_FRAMESET_OK,
    RAWTEXT,
    RCDATA,
    RUBY,
    RUBY_TEXT,
    SPECIAL,
    VOID,
    VOID_IN_HEAD,
    VOID_KEEPS_FRAMESET_OK,
)
from ghostpen.suggest.html.tokens import PLAINTEXT, RAW, SCRIPT, inert, ws_only
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
    MATH,
    SVG,
    Attrs,
    TreeCore,
    attr,
)

TABLE_MODES = (IN_TABLE, IN_CAPTION, IN_TBODY, IN_ROW, IN_CELL)


def body_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    """Characters "in body": reconstruct the formatting elements, maybe clear frameset-ok."""
    if t.afe and s.count("\0", i, j) < j - i:
        t.reconstruct()
    if t.fok and not inert(s, i, j):
        t.fok = False
    return True


def template_end(t: TreeCore) -> bool:
    """A `</template>` "in head" (every mode that takes one hands it here)."""
    if t.has("template"):
        t.gen_implied(thorough=True)
        t.pop_until("template")
        t.clear_afe_to_marker()
        if t.tmpl:
            t.tmpl.pop()
        t.reset_mode()
    return True


def head_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    """A start tag "in head" (also the in-head rules other modes hand `HEAD_TAGS` to)."""
    if name in VOID_IN_HEAD:
        return t.insert_void(name, spelled, attrs)
    if name in RAW_TEXT_IN_HEAD:
        return t.insert_raw(RAW, name, spelled, attrs)
    if name == "script":
        return t.insert_raw(SCRIPT, name, spelled, attrs)
    if name == "template":
        t.insert(name, spelled)
        t.afe.append(None)
        t.fok = False
        t.mode = IN_TEMPLATE
        t.tmpl.append(IN_TEMPLATE)
        return True
    if name in HEAD_IGNORED_START:
        return True
    return head_anything(t)


def head_anything(t: TreeCore) -> bool:
    """ "Anything else" in head: pop the head element, reprocess in "after head"."""
    if t.stack:
        t.pop()  # the head element
    t.mode = AFTER_HEAD
    return False


def head_end(t: TreeCore, name: str) -> bool:
    """An end tag "in head"."""
    if name == "head":
        t.pop()
        t.mode = AFTER_HEAD
        return True
    if name == "template":
        return template_end(t)
    if name in HEAD_END_AS_ANYTHING:
        return head_anything(t)
    return True


def head_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    """Characters "in head": whitespace stays, anything else ends the head."""
    return ws_only(s, i, j) or head_anything(t)


def body_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    """A start tag "in body" (the common ones; `body_start_rare` has the rest)."""
    if name in CLOSES_P:
        t.close_p()
        t.insert(name, spelled)
    elif name in FORMATTING_PLAIN:
        t.reconstruct()
        t.push_afe(t.insert(name, spelled, attrs))
    elif name in HEAD_TAGS:
        return head_start(t, name, spelled, sc, attrs)
    elif name in VOID:
        return body_void(t, name, spelled, attrs)
    elif name == "li" or name == "dd" or name == "dt":
        t.fok = False
        for e in reversed(t.stack):
            if e.key == name or (name != "li" and e.key in DD_DT):
                t.gen_implied(e.key)
                t.pop_until(e.key)
                break
            if e.key in SPECIAL and e.key not in LIST_ITEM_WALK_PASSES:
                break
        t.close_p()
        t.insert(name, spelled)
    elif name in HEADINGS:
        t.close_p()
        if t.cur is not None and t.cur.key in HEADINGS:
            t.pop()
        t.insert(name, spelled)
    elif name == "a":
        for x in reversed(t.afe):
            if x is None:
                break
            if x.key == "a":
                if not t.adoption_agency("a"):
                    t.any_other_end("a")
                if x in t.afe:
                    t.afe.remove(x)
                t.remove(x)
                break
        t.reconstruct()
        t.push_afe(t.insert(name, spelled, attrs))
    elif name in PRE_LISTING:
        t.close_p()
        t.insert(name, spelled)
        t.fok = False
    elif name == "form":
        if t.form is not None and not t.has("template"):
            return True
        t.close_p()
        e = t.insert(name, spelled)
        if not t.has("template"):
            t.form = e
    elif name == "table":
        if not t.quirks:
            t.close_p()
        t.insert(name, spelled)
        t.fok = False
        t.mode = IN_TABLE
    elif name in RAWTEXT or name in RCDATA:  # textarea xmp iframe noembed noscript
        if name == "xmp":
            t.close_p()
            t.reconstruct()
        if name not in RAW_TEXT_KEEPS_FRAMESET_OK:
            t.fok = False
        t.insert_raw(RAW, name, spelled, attrs)
    elif name == "select":
        t.reconstruct()
        t.insert(name, spelled)
        t.fok = False
        t.mode = IN_SELECT_IN_TABLE if t.mode in TABLE_MODES else IN_SELECT
    elif name in OPTIONS:
        if t.cur_is("option"):
            t.pop()
        t.reconstruct()
        t.insert(name, spelled)
    elif name in RUBY:
        if t.in_scope("ruby"):
            t.gen_implied("rtc" if name in RUBY_TEXT else "")
        t.insert(name, spelled)
    elif name in FOREIGN_ROOTS:
        t.reconstruct()
        t.insert_foreign(name, spelled, MATH if name == "math" else SVG, attrs)
        if sc:
            t.pop()
    elif name in IGNORED_IN_BODY or name == "html":
        return True
    else:
        return body_start_rare(t, name, spelled, sc, attrs)
    return True


def body_void(t: TreeCore, name: str, spelled: str, attrs: Attrs) -> bool:
    """A void element's start tag "in body": inserted and popped at once (col, frame ignored)."""
    if name in IGNORED_IN_BODY:
        return True
    if name == "hr":
        t.close_p()
    elif name not in VOID_KEEPS_FRAMESET_OK:
        t.reconstruct()
    t.insert_void(name, spelled, attrs)
    if name in VOID_KEEPS_FRAMESET_OK:
        return True
    if name != "input" or (attr(attrs, "type") or "").lower() != "hidden":
        t.fok = False
    return True


def body_start_rare(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    """The start tags "in body" that `body_start` does not test for first."""
    if name == "body":
        if len(t.stack) > 1 and t.stack[1].key == "body" and not t.has("template"):
            t.fok = False
    elif name == "frameset":
        if len(t.stack) > 1 and t.stack[1].key == "body" and t.fok:
            t.cut(1)
            t.insert(name, spelled)
            t.mode = IN_FRAMESET
    elif name == "plaintext":
        t.close_p()
        t.insert(name, spelled)
        t.raw = (PLAINTEXT, name)
    elif name == "button":
        if t.in_scope("button"):
            t.gen_implied()
            t.pop_until("button")
        t.reconstruct()
        t.insert(name, spelled)
        t.fok = False
    elif name == "nobr":
        t.reconstruct()
        if t.in_scope("nobr"):
            if not t.adoption_agency("nobr"):
                t.any_other_end("nobr")
            t.reconstruct()
        t.push_afe(t.insert(name, spelled, attrs))
    elif name in MARKER_ELEMENTS:
        t.reconstruct()
        t.insert(name, spelled)
        t.afe.append(None)
        t.fok = False
    elif name == "image":
        return body_start(t, "img", spelled, sc, attrs)
    else:
        t.reconstruct()
        t.insert(name, spelled)
    return True


def body_end(t: TreeCore, name: str) -> bool:
    """An end tag "in body"."""
    if name in BLOCK_END:
        if t.in_scope(name):
            t.gen_implied()
            t.pop_until(name)
    elif name == "p":
        t.close_p()
    elif name in FORMATTING:
        if not t.adoption_agency(name):
            t.any_other_end(name)
    elif name == "li":
        if t.in_scope("li", LIST_ITEM_SCOPE):
            t.gen_implied("li")
            t.pop_until("li")
    elif name in DD_DT:
        if t.in_scope(name):
            t.gen_implied(name)
            t.pop_until(name)
    elif name in HEADINGS:
        if t.any_in_scope(HEADINGS):
            t.gen_implied()
            t.pop_until(HEADINGS)
    elif name == "body" or name == "html":
        if t.in_scope("body"):
            t.body_closed = True
            t.mode = AFTER_BODY
            return name == "body"
    elif name == "form":
        return form_end(t)
    elif name in MARKER_ELEMENTS:
        if t.in_scope(name):
            t.gen_implied()
            t.pop_until(name)
            t.clear_afe_to_marker()
    elif name == "template":
        return template_end(t)
    elif name == "br":
        t.reconstruct()
        t.fok = False
    else:
        t.any_other_end(name)
    return True


def form_end(t: TreeCore) -> bool:
    """A `</form>` "in body"."""
    if not t.has("template"):
        node, t.form = t.form, None
        if node is None or not t.elem_in_scope(node):
            return True
        t.gen_implied()
        t.remove(node)
    elif t.in_scope("form"):
        t.gen_implied()
        t.pop_until("form")
    return True
