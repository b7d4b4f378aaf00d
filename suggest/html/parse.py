"""Resumable tokenizer drivers for the closing-tag engine: WHATWG HTML and forgiving XML.

`HtmlParser` runs the WHATWG tokenizer (`tokens`) over a string and feeds its tokens to the
tree builder (`builder`); `XmlParser` keeps a plain element stack. Both stop before a token
that the text does not finish yet, so `pos` marks how far the text is parsed and the state
depends on nothing after it: a snapshot taken there stays valid for any text with the same
first `pos` characters, which is what `close.TagCloser` caches. `feed(watch=...)` follows
one element and reports whether its own end tag closed it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ghostpen.suggest.html.builder import TreeBuilder
from ghostpen.suggest.html.elements import WANT_ATTRS
from ghostpen.suggest.html.tokens import (
    AMP_TAIL,
    MARKUP,
    PLAINTEXT,
    SCRIPT,
    TAG_NAME,
    ascii_lower,
    raw_end,
    scan_attrs,
    scan_comment,
    script_end,
)
from ghostpen.suggest.html.tree import HTML, Elem

CHECKPOINT_EVERY = 8192
Hook = Callable[[str, str, str, int, int, bool], None]  # kind, name, as written, start, end, />
XML_PARTIAL_END = re.compile(r"</([^\s/>=<\"'!?]*)")  # `</` or `</na` at the cursor, in XML


class HtmlParser(TreeBuilder):
    """The WHATWG tokenizer driving `TreeBuilder`, resumable at any token boundary."""

    def __init__(self) -> None:
        super().__init__()
        self.pos = 0  # everything before pos is parsed; the state depends on nothing after it
        self.last_end = -1  # where the last start tag token ended

    def snapshot(self) -> tuple:
        return super().snapshot(), self.pos, self.last_end

    def restore(self, snap: tuple) -> None:
        core, self.pos, self.last_end = snap
        super().restore(core)

    def fork(self) -> HtmlParser:
        """A copy positioned at 0, to parse a string that starts where this parser stopped."""
        other = HtmlParser()
        other.restore(self.snapshot())
        other.pos = 0
        return other

    def feed(
        self,
        text: str,
        watch: Elem | None = None,
        checkpoints: list | None = None,
        every: int = CHECKPOINT_EVERY,
        hook: Hook | None = None,
    ) -> bool | None:
        """Parse the complete tokens of text[self.pos:], stopping before an unfinished one.

        With `watch`, stop as soon as that element leaves the stack: return True when its own
        end tag closed it, False when something else did; None when it is still open.
        """
        n = len(text)
        pos = self.pos
        if pos == 0 and text.startswith("\ufeff"):
            pos = 1  # a byte-order mark is not part of the document
        last_cp = checkpoints[-1][0] if checkpoints else 0
        while True:
            kind = name = ""
            if self.raw is not None:
                state, name = self.raw
                if state == PLAINTEXT:
                    break
                found = script_end(text, pos)[0] if state == SCRIPT else raw_end(text, pos, name)
                if found is None:
                    break
                scanned = scan_attrs(text, found[1])
                if scanned is None:
                    break
                self.raw_end()
                kind, start, pos = "end", found[0], scanned[0]
                if hook:
                    hook(kind, name, text[start + 2 : found[1]], start, pos, scanned[1])
            else:
                m = MARKUP.search(text, pos)
                lt = m.start() if m else n
                if m is None and n > pos:  # keep back what the next characters may change
                    if text.endswith("<"):
                        lt = n - 1
                    else:
                        amp = AMP_TAIL.search(text, max(pos, n - 64))
                        lt = amp.start() if amp else n
                if lt > pos:
                    self.text(text, pos, lt)
                    pos = lt
                    if watch is not None and watch not in self.open:
                        self.pos = pos
                        return False
                if m is None:
                    break
                c = text[lt + 1]
                if c == "/":
                    if lt + 2 >= n:
                        break
                    if text[lt + 2].isascii() and text[lt + 2].isalpha():
                        ne = TAG_NAME.match(text, lt + 3).end()
                        scanned = scan_attrs(text, ne)
                        if scanned is None:
                            break
                        kind, name = "end", _tag_name(text[lt + 2 : ne])
                        self.end(name)
                        pos = scanned[0]
                        if hook:
                            hook(kind, name, text[lt + 2 : ne], lt, pos, scanned[1])
                    else:
                        j = lt + 2 if text[lt + 2] == ">" else text.find(">", lt + 2)
                        if j < 0:
                            break
                        pos = j + 1  # `</>` is dropped, `</ x>` is a bogus comment
                elif c == "!":
                    if text.startswith("--", lt + 2):
                        end = scan_comment(text, lt + 4)
                    elif ascii_lower(text[lt + 2 : lt + 9]) == "doctype":
                        j = text.find(">", lt + 9)
                        end = None if j < 0 else j + 1
                        if end is not None:
                            self.doctype(text[lt + 9 : j])
                    elif text.startswith("[CDATA[", lt + 2) and self._foreign():
                        j = text.find("]]>", lt + 9)
                        end = None if j < 0 else j + 3
                        if end is not None:
                            self.text(text, lt + 9, j)
                    else:
                        j = text.find(">", lt + 2)
                        end = None if j < 0 else j + 1
                    if end is None:
                        break
                    pos = end
                elif c == "?":
                    j = text.find(">", lt + 2)
                    if j < 0:
                        break
                    pos = j + 1
                else:
                    ne = TAG_NAME.match(text, lt + 2).end()
                    name = _tag_name(text[lt + 1 : ne])
                    scanned = scan_attrs(text, ne, name in WANT_ATTRS)
                    if scanned is None:
                        break
                    kind = "start"
                    self.start(name, text[lt + 1 : ne], scanned[1], scanned[2])
                    pos = self.last_end = scanned[0]
                    if hook:
                        hook(kind, name, text[lt + 1 : ne], lt, pos, scanned[1])
            if watch is not None and watch not in self.open:
                self.pos = pos
                return kind == "end" and name == watch.name
            if checkpoints is not None and pos - last_cp >= max(every, 32 * len(self.stack)):
                self.pos = pos
                checkpoints.append((pos, self.snapshot()))
                last_cp = pos
        self.pos = pos
        return None

    def _foreign(self) -> bool:
        return bool(self.stack) and self.stack[-1].ns != HTML


def _tag_name(written: str) -> str:
    name = ascii_lower(written)
    return name.replace("\0", "\ufffd") if "\0" in name else name


_XML_MARKUP = re.compile(r"<[^\s<>&=\"'0-9.\-]")
_XML_NAME = re.compile(r"[^\s/>=<\"']*")
_XML_PLAIN = re.compile(r"[^\"'>]*")
_XML_SUBSET_END = re.compile(r"\][\t\n\r ]*>")
_XML_DOCTYPE_PLAIN = re.compile(r"[^\[>\"']*")


class XmlParser:
    """A forgiving XML tokenizer with a stack: `/>` closes, end tags pop to their match."""

    def __init__(self) -> None:
        self.stack: list[Elem] = []
        self.pos = 0
        self.last_end = -1
        self.last_elem: Elem | None = None
        self.raw = None

    def snapshot(self) -> tuple:
        return self.stack[:], self.pos, self.last_end, self.last_elem

    def restore(self, snap: tuple) -> None:
        stack, self.pos, self.last_end, self.last_elem = snap
        self.stack = stack[:]

    def fork(self) -> XmlParser:
        other = XmlParser()
        other.restore(self.snapshot())
        other.pos = 0
        return other

    def innermost(self) -> Elem | None:
        return self.stack[-1] if self.stack else None

    def feed(
        self,
        text: str,
        watch: Elem | None = None,
        checkpoints: list | None = None,
        every: int = CHECKPOINT_EVERY,
        hook: Hook | None = None,
    ) -> bool | None:
        """Like `HtmlParser.feed`, for XML."""
        n = len(text)
        pos = self.pos
        last_cp = checkpoints[-1][0] if checkpoints else 0
        stack = self.stack
        at = (
            -1
            if watch is None
            else next(i for i in range(len(stack) - 1, -1, -1) if stack[i] is watch)
        )
        while True:
            m = _XML_MARKUP.search(text, pos)
            if m is None:
                pos = max(pos, n - 1 if text.endswith("<") else n)
                break
            lt = m.start()
            pos = lt
            c = text[lt + 1]
            kind = name = ""
            closed = False
            if c == "!":
                if text.startswith("--", lt + 2):
                    j = text.find("-->", lt + 4)
                    end = None if j < 0 else j + 3
                elif text.startswith("[CDATA[", lt + 2):
                    j = text.find("]]>", lt + 9)
                    end = None if j < 0 else j + 3
                elif text.startswith("DOCTYPE", lt + 2):
                    end = _xml_doctype_end(text, lt + 9)
                else:
                    j = text.find(">", lt + 2)
                    end = None if j < 0 else j + 1
            elif c == "?":
                j = text.find("?>", lt + 2)
                end = None if j < 0 else j + 2
            elif c == "/":
                ne = _XML_NAME.match(text, lt + 2).end()
                j = text.find(">", ne)
                end = None if j < 0 else j + 1
                if end is not None:
                    kind, name = "end", text[lt + 2 : ne]
                    for i in range(len(stack) - 1, -1, -1):
                        if stack[i].name == name:
                            del stack[i:]
                            break
            else:
                ne = _XML_NAME.match(text, lt + 1).end()
                end = _xml_tag_end(text, ne)
                if end is not None:
                    kind, name = "start", text[lt + 1 : ne]
                    self.last_elem = e = Elem(name, name)
                    self.last_end = end
                    closed = text[end - 2] == "/" and end - 2 >= ne
                    if not closed:
                        stack.append(e)
            if end is None:
                break
            pos = end
            if hook and kind:
                hook(kind, name, name, lt, end, closed)
            if watch is not None and len(stack) <= at:  # elements only leave from the top
                self.pos = pos
                return kind == "end" and name == watch.name
            if checkpoints is not None and pos - last_cp >= max(every, 32 * len(stack)):
                self.pos = pos
                checkpoints.append((pos, self.snapshot()))
                last_cp = pos
        self.pos = pos
        return None


def _xml_tag_end(text: str, pos: int) -> int | None:
    """Index after the `>` of a tag whose attributes start at pos (quotes may hold `>`)."""
    n = len(text)
    while True:
        pos = _XML_PLAIN.match(text, pos).end()
        if pos >= n:
            return None
        c = text[pos]
        if c == ">":
            return pos + 1
        close = text.find(c, pos + 1)
        if close < 0:
            return None
        pos = close + 1


def _xml_doctype_end(text: str, pos: int) -> int | None:
    """Index after a DOCTYPE's `>`, skipping an internal subset `[...]`."""
    n = len(text)
    while True:
        pos = _XML_DOCTYPE_PLAIN.match(text, pos).end()
        if pos >= n:
            return None
        c = text[pos]
        if c == ">":
            return pos + 1
        if c == "[":
            m2 = _XML_SUBSET_END.search(text, pos)
            return m2.end() if m2 else None
        close = text.find(c, pos + 1)
        if close < 0:
            return None
        pos = close + 1
