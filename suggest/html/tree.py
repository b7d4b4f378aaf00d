"""The stack of open elements under WHATWG tree construction: elements, scopes and the core.

`TreeCore` keeps only what decides which elements are open: the stack of open elements, the
list of active formatting elements, the insertion mode and its companions (template modes,
head/form pointers, frameset-ok, quirks), and the algorithms over them (scopes, implied end
tags, the adoption agency, resetting the insertion mode). No DOM is built: operations that
only move nodes in the tree (foster parenting, the adoption agency's reparenting) are skipped,
while their effect on the stack is kept. The insertion-mode rules are plain functions over a
`TreeCore` in `body` (in head, in body), `modes` (the document-level modes) and `tables`
(tables, select, template); `builder.TreeBuilder` dispatches tokens to them.
"""

from __future__ import annotations

from ghostpen.suggest.html.elements import (
    BUTTON_SCOPE,
    FORMATTING,
    HTML_ENCODINGS,
    IMPLIED_END,
    IMPLIED_END_THOROUGH,
    RESET_UNLESS_LAST,
    SCOPE,
    SELECT_SCOPE_EXCEPT,
    SPECIAL,
    SVG_HTML_INTEGRATION,
)

Attrs = "list[tuple[str, str]] | None"
HTML, SVG, MATH = 0, 1, 2
_PREFIX = {HTML: "", SVG: "s:", MATH: "m:"}


class Elem:
    """An open element. `key` is the lowercase name, prefixed `s:`/`m:` outside HTML."""

    __slots__ = ("name", "key", "ns", "spelled", "explicit", "attrs", "hip")

    def __init__(
        self,
        name: str,
        spelled: str,
        ns: int = HTML,
        explicit: bool = True,
        attrs: tuple[tuple[str, str], ...] = (),
        hip: bool = False,
    ) -> None:
        self.name = name  # ASCII-lowercased tag name
        self.key = _PREFIX[ns] + name
        self.ns = ns
        self.spelled = spelled  # as the author wrote it in the start tag
        self.explicit = explicit  # False for elements the parser implied (html, tbody, ...)
        self.attrs = attrs  # kept for formatting elements (the Noah's Ark clause)
        self.hip = hip  # an HTML integration point

    def clone(self) -> Elem:
        return Elem(self.name, self.spelled, self.ns, self.explicit, self.attrs, self.hip)

    def __repr__(self) -> str:
        return f"<{self.key}{'' if self.explicit else '?'}>"


# insertion modes
(
    INITIAL,
    BEFORE_HTML,
    BEFORE_HEAD,
    IN_HEAD,
    AFTER_HEAD,
    IN_BODY,
    TEXT,
    IN_TABLE,
    IN_CAPTION,
    IN_COLGROUP,
    IN_TBODY,
    IN_ROW,
    IN_CELL,
    IN_SELECT,
    IN_SELECT_IN_TABLE,
    IN_TEMPLATE,
    AFTER_BODY,
    IN_FRAMESET,
    AFTER_FRAMESET,
    AFTER_AFTER_BODY,
    AFTER_AFTER_FRAMESET,
) = range(21)

_BOOKMARK = Elem("#bookmark", "")


class TreeCore:
    """Stack of open elements, active formatting elements and the algorithms over them."""

    def __init__(self) -> None:
        self.mode = INITIAL
        self.orig_mode = INITIAL
        self.stack: list[Elem] = []
        self.open: set[Elem] = set()  # the stack as a set: O(1) "is it open?"
        self.count: dict[str, int] = {}  # key -> how many open: O(1) "not in scope" answers
        self.afe: list[Elem | None] = []  # None is a marker
        self.tmpl: list[int] = []  # stack of template insertion modes
        self.head: Elem | None = None
        self.form: Elem | None = None
        self.fok = True  # frameset-ok
        self.quirks = False
        self.raw: tuple[int, str] | None = None  # tokenizer state: (SCRIPT/RAW/PLAINTEXT, name)
        self.body_closed = False  # the author wrote </body> (the element stays on the stack)
        self.html_closed = False
        self.last_elem: Elem | None = None  # the element the last start tag created

    # --- snapshots (elements are never mutated, so shallow copies suffice) ---
    def snapshot(self) -> tuple:
        return (
            self.mode, self.orig_mode, self.stack[:], dict(self.count), self.afe[:],
            self.tmpl[:], self.head, self.form, self.fok, self.quirks, self.raw,
            self.body_closed, self.html_closed, self.last_elem,
        )  # fmt: skip

    def restore(self, snap: tuple) -> None:
        (
            self.mode, self.orig_mode, stack, count, afe, tmpl, self.head, self.form, self.fok,
            self.quirks, self.raw, self.body_closed, self.html_closed, self.last_elem,
        ) = snap  # fmt: skip
        self.stack, self.count, self.afe, self.tmpl = stack[:], dict(count), afe[:], tmpl[:]
        self.open = set(stack)

    # --- stack edits (all go through these, to keep `count` right) ---
    def push(self, e: Elem, at: int | None = None) -> Elem:
        if at is None:
            self.stack.append(e)
        else:
            self.stack.insert(at, e)
        self.open.add(e)
        self.count[e.key] = self.count.get(e.key, 0) + 1
        return e

    def pop(self) -> Elem:
        e = self.stack.pop()
        self.open.discard(e)
        self.count[e.key] -= 1
        return e

    def cut(self, i: int) -> None:
        """Pop everything from index i up."""
        for e in self.stack[i:]:
            self.count[e.key] -= 1
            self.open.discard(e)
        del self.stack[i:]

    def index(self, e: Elem) -> int:
        """Where an open element is on the stack (searching from the top)."""
        stack = self.stack
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is e:
                return i
        return -1

    def remove(self, e: Elem) -> None:
        if e in self.open:
            i = self.index(e)
            del self.stack[i]
            self.open.discard(e)
            self.count[e.key] -= 1

    def has(self, key: str) -> bool:
        return self.count.get(key, 0) > 0

    @property
    def cur(self) -> Elem | None:
        return self.stack[-1] if self.stack else None

    def cur_is(self, key: str) -> bool:
        return bool(self.stack) and self.stack[-1].key == key

    # --- inserting ---
    def insert(self, name: str, spelled: str, attrs: list | None = None) -> Elem:
        """Insert an HTML element for a start tag token (it becomes `last_elem`)."""
        keep = tuple(sorted(attrs)) if attrs and name in FORMATTING else ()
        e = self.push(Elem(name, spelled, HTML, True, keep))
        self.last_elem = e
        return e

    def implied(self, name: str) -> Elem:
        return self.push(Elem(name, name, HTML, False))

    def insert_foreign(self, name: str, spelled: str, ns: int, attrs: list | None) -> Elem:
        if ns == SVG:
            hip = name in SVG_HTML_INTEGRATION
        else:
            enc = attr(attrs, "encoding")
            hip = name == "annotation-xml" and enc is not None and enc.lower() in HTML_ENCODINGS
        e = self.push(Elem(name, spelled, ns, True, (), hip))
        self.last_elem = e
        return e

    def insert_void(self, name: str, spelled: str, attrs: Attrs) -> bool:
        """Insert an element and pop it at once (a void element's start tag)."""
        self.insert(name, spelled, attrs)
        self.pop()
        return True

    def insert_raw(self, kind: int, name: str, spelled: str, attrs: Attrs) -> bool:
        """Insert a raw text/RCDATA/script element: the tokenizer state `kind`, mode TEXT."""
        self.insert(name, spelled, attrs)
        self.raw = (kind, name)
        self.orig_mode = self.mode
        self.mode = TEXT
        return True

    def raw_end(self) -> None:
        """The end tag that closes the raw text element (the TEXT insertion mode)."""
        if self.stack:
            self.pop()
        self.raw = None
        self.mode = self.orig_mode

    # --- scopes ---
    def in_scope(self, key: str, boundary: frozenset[str] = SCOPE) -> bool:
        if not self.count.get(key):
            return False
        for e in reversed(self.stack):
            if e.key == key:
                return True
            if e.key in boundary:
                return False
        return False

    def any_in_scope(self, keys: frozenset[str], boundary: frozenset[str] = SCOPE) -> bool:
        for e in reversed(self.stack):
            if e.key in keys:
                return True
            if e.key in boundary:
                return False
        return False

    def in_select_scope(self, key: str) -> bool:
        if not self.count.get(key):
            return False
        for e in reversed(self.stack):
            if e.key == key:
                return True
            if e.key not in SELECT_SCOPE_EXCEPT:
                return False
        return False

    def elem_in_scope(self, target: Elem) -> bool:
        for e in reversed(self.stack):
            if e is target:
                return True
            if e.key in SCOPE:
                return False
        return False

    # --- popping ---
    def pop_until(self, keys: str | frozenset[str]) -> None:
        """Pop elements until one with a key in `keys` has been popped (if any is open)."""
        match = (lambda k: k == keys) if isinstance(keys, str) else keys.__contains__
        for i in range(len(self.stack) - 1, -1, -1):
            if match(self.stack[i].key):
                self.cut(i)
                return

    def gen_implied(self, exclude: str = "", thorough: bool = False) -> None:
        keys = IMPLIED_END_THOROUGH if thorough else IMPLIED_END
        while self.stack and self.stack[-1].key in keys and self.stack[-1].key != exclude:
            self.pop()

    def close_p(self) -> None:
        if self.in_scope("p", BUTTON_SCOPE):
            self.gen_implied("p")
            self.pop_until("p")

    def clear_to(self, keys: frozenset[str]) -> None:
        while self.stack and self.stack[-1].key not in keys:
            self.pop()

    # --- active formatting elements ---
    def push_afe(self, e: Elem) -> None:
        same = 0
        for i in range(len(self.afe) - 1, -1, -1):
            x = self.afe[i]
            if x is None:
                break
            if x.key == e.key and x.attrs == e.attrs:
                same += 1
                if same == 3:  # Noah's Ark: keep at most three identical entries
                    del self.afe[i]
                    break
        self.afe.append(e)

    def clear_afe_to_marker(self) -> None:
        while self.afe:
            if self.afe.pop() is None:
                break

    def reconstruct(self) -> None:
        afe = self.afe
        if not afe or afe[-1] is None or afe[-1] in self.open:
            return
        i = len(afe) - 1
        while i > 0:
            prev = afe[i - 1]
            if prev is None or prev in self.open:
                break
            i -= 1
        for k in range(i, len(afe)):
            new = afe[k].clone()  # type: ignore[union-attr]
            self.push(new)
            afe[k] = new

    def adoption_agency(self, subject: str) -> bool:
        """The adoption agency algorithm; False means: act as "any other end tag"."""
        cur = self.cur
        if cur is not None and cur.key == subject and cur not in self.afe:
            self.pop()
            return True
        for _ in range(8):
            fe = None
            for x in reversed(self.afe):
                if x is None:
                    break
                if x.key == subject:
                    fe = x
                    break
            if fe is None:
                return False
            if fe not in self.open:
                self.afe.remove(fe)
                return True
            if not self.elem_in_scope(fe):
                return True
            fi = self.index(fe)
            fb = next((e for e in self.stack[fi + 1 :] if e.key in SPECIAL), None)
            if fb is None:
                self.cut(fi)
                self.afe.remove(fe)
                return True
            self.afe.insert(self.afe.index(fe) + 1, _BOOKMARK)
            node_i = self.index(fb)
            last = fb
            inner = 0
            while True:
                inner += 1
                node_i -= 1
                node = self.stack[node_i]
                if node is fe:
                    break
                if inner > 3 and node in self.afe:
                    self.afe.remove(node)
                if node not in self.afe:
                    self.remove(node)
                    continue
                new = node.clone()
                self.afe[self.afe.index(node)] = new
                self.stack[node_i] = new  # same key: `count` is unchanged
                self.open.discard(node)
                self.open.add(new)
                if last is fb:
                    self.afe.remove(_BOOKMARK)
                    self.afe.insert(self.afe.index(new) + 1, _BOOKMARK)
                last = new
            new_fe = fe.clone()
            self.afe.remove(fe)
            self.afe[self.afe.index(_BOOKMARK)] = new_fe
            self.remove(fe)
            self.push(new_fe, self.index(fb) + 1)
        return True

    def any_other_end(self, name: str) -> None:
        if not self.count.get(name):
            return  # the walk below would reach a special element or the bottom: ignored
        for i in range(len(self.stack) - 1, -1, -1):
            e = self.stack[i]
            if e.key == name:
                self.gen_implied(name)
                self.cut(i)
                return
            if e.key in SPECIAL:
                return

    def reset_mode(self) -> None:
        stack = self.stack
        for i in range(len(stack) - 1, -1, -1):
            k = stack[i].key
            last = i == 0
            if k == "select":
                for anc in reversed(stack[:i]):
                    if anc.key == "template":
                        break
                    if anc.key == "table":
                        self.mode = IN_SELECT_IN_TABLE
                        return
                self.mode = IN_SELECT
                return
            mode = _RESET.get(k)
            if mode is not None and not (last and k in RESET_UNLESS_LAST):
                self.mode = mode
                return
            if k == "template":
                self.mode = self.tmpl[-1] if self.tmpl else IN_TEMPLATE
                return
            if k == "html":
                self.mode = BEFORE_HEAD if self.head is None else AFTER_HEAD
                return
            if last:
                break
        self.mode = IN_BODY

    # --- what the suggestion engine asks ---
    def innermost(self) -> Elem | None:
        """The innermost open element the author wrote and has not closed, or None."""
        for e in reversed(self.stack):
            if not e.explicit:
                continue
            if (e.key == "body" and self.body_closed) or (e.key == "html" and self.html_closed):
                continue
            return e
        return None


_RESET = {
    "td": IN_CELL,
    "th": IN_CELL,
    "tr": IN_ROW,
    "tbody": IN_TBODY,
    "thead": IN_TBODY,
    "tfoot": IN_TBODY,
    "caption": IN_CAPTION,
    "colgroup": IN_COLGROUP,
    "table": IN_TABLE,
    "head": IN_HEAD,
    "body": IN_BODY,
    "frameset": IN_FRAMESET,
}


def attr(attrs: list[tuple[str, str]] | None, name: str) -> str | None:
    """The value of attribute `name` in a start tag's attributes, or None."""
    for k, v in attrs or ():
        if k == name:
            return v
    return None
