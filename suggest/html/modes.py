"""WHATWG insertion-mode rules around the body: the document-level modes, as plain functions.

Initial, before html, before head, after head, after body, after after body, in frameset,
after frameset and after after frameset, each as functions over a `tree.TreeCore` that
`builder` puts in its dispatch tables (the "in head"/"in body" rules are in `body`, the table,
select and template modes in `tables`). Each returns True when the token is consumed and False
to reprocess it after switching modes, as the spec's "reprocess the token" says.
"""

from __future__ import annotations

from ghostpen.suggest.html.body import body_text, head_start, template_end
from ghostpen.suggest.html.elements import (
    BEFORE_HEAD_END_AS_ANYTHING,
    HEAD_END_AS_ANYTHING,
    HEAD_TAGS,
)
from ghostpen.suggest.html.tokens import ws_only
from ghostpen.suggest.html.tree import (
    AFTER_AFTER_BODY,
    AFTER_AFTER_FRAMESET,
    AFTER_BODY,
    AFTER_FRAMESET,
    BEFORE_HEAD,
    BEFORE_HTML,
    IN_BODY,
    IN_FRAMESET,
    IN_HEAD,
    Attrs,
    TreeCore,
)


# --- initial, before html, before head ---
def initial_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    """No DOCTYPE before the first tag: quirks mode."""
    t.quirks = True
    t.mode = BEFORE_HTML
    return False


def initial_end(t: TreeCore, name: str) -> bool:
    return initial_start(t, name, name, False, None)


def initial_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    return ws_only(s, i, j) or initial_start(t, "", "", False, None)


def before_html_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "html":
        t.insert(name, spelled)
    else:
        t.implied("html")
    t.mode = BEFORE_HEAD
    return name == "html"


def before_html_end(t: TreeCore, name: str) -> bool:
    if name in BEFORE_HEAD_END_AS_ANYTHING:
        return before_html_start(t, "", "", False, None)
    return True


def before_html_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    return ws_only(s, i, j) or before_html_start(t, "", "", False, None)


def before_head_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "html":
        return True
    t.head = t.insert(name, spelled) if name == "head" else t.implied("head")
    t.mode = IN_HEAD
    return name == "head"


def before_head_end(t: TreeCore, name: str) -> bool:
    if name in BEFORE_HEAD_END_AS_ANYTHING:
        return before_head_start(t, "", "", False, None)
    return True


def before_head_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    return ws_only(s, i, j) or before_head_start(t, "", "", False, None)


# --- after head ---
def after_head_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "html":
        return True
    if name == "body":
        t.insert(name, spelled)
        t.fok = False
        t.mode = IN_BODY
        return True
    if name == "frameset":
        t.insert(name, spelled)
        t.mode = IN_FRAMESET
        return True
    if name in HEAD_TAGS:  # processed "in head" with the head element pushed back for it
        head = t.head
        if head is not None:
            t.push(head)
        head_start(t, name, spelled, sc, attrs)
        if head is not None:
            t.remove(head)
        return True
    if name == "head":
        return True
    return after_head_anything(t)


def after_head_anything(t: TreeCore) -> bool:
    """ "Anything else" after head: an implied body, reprocess "in body"."""
    t.implied("body")
    t.mode = IN_BODY
    return False


def after_head_end(t: TreeCore, name: str) -> bool:
    if name == "template":
        return template_end(t)
    if name in HEAD_END_AS_ANYTHING:
        return after_head_anything(t)
    return True


def after_head_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    return ws_only(s, i, j) or after_head_anything(t)


# --- after body, after after body ---
def after_body_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "html":
        return True
    t.mode = IN_BODY
    return False


def after_body_end(t: TreeCore, name: str) -> bool:
    if name == "html":
        t.html_closed = True
        t.mode = AFTER_AFTER_BODY if t.mode == AFTER_BODY else AFTER_AFTER_FRAMESET
        return True
    t.mode = IN_BODY
    return False


def after_after_body_end(t: TreeCore, name: str) -> bool:
    return after_body_start(t, name, name, False, None)


def after_body_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    if ws_only(s, i, j):
        return body_text(t, s, i, j)
    t.mode = IN_BODY
    return False


# --- in frameset, after frameset, after after frameset ---
def frameset_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    if name == "frameset" and t.mode == IN_FRAMESET:
        t.insert(name, spelled)
    elif name == "frame" and t.mode == IN_FRAMESET:
        t.insert_void(name, spelled, attrs)
    elif name == "noframes":
        return head_start(t, name, spelled, sc, attrs)
    return True


def frameset_end(t: TreeCore, name: str) -> bool:
    if t.mode == IN_FRAMESET:
        if name == "frameset" and len(t.stack) > 1:
            t.pop()
            if not t.cur_is("frameset"):
                t.mode = AFTER_FRAMESET
    elif name == "html" and t.mode == AFTER_FRAMESET:
        return after_body_end(t, name)
    return True


# --- tokens a mode ignores ---
def ignore_start(t: TreeCore, name: str, spelled: str, sc: bool, attrs: Attrs) -> bool:
    return True


def ignore_end(t: TreeCore, name: str) -> bool:
    return True


def ignore_text(t: TreeCore, s: str, i: int, j: int) -> bool:
    return True
