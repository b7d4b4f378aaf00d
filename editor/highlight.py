"""Syntax highlighting: a QSyntaxHighlighter over pygments tokens, incremental per block.

Design (pragmatic, incremental):
- Each block (line) is lexed on its own, as `block text + "\\n"`, so an edit re-lexes the edited
  line and only those following lines whose start state changed (Qt's QSyntaxHighlighter rule:
  a block whose end state changed re-highlights the next block).
- For pygments `RegexLexer`s (most languages) the lexer's *state stack* at the end of a line is
  kept, so constructs the lexer tracks with states continue on the next line (Python
  triple-quoted strings, …).
- Constructs that pygments matches with one regex from opener to closer (HTML/XML comments and
  CDATA, `<script>`/`<style>` bodies, C-style `/* … */` comments) are tracked across lines by
  this module (`Region`): an opener counts only where the lexer itself starts a non-string token,
  so `"/*"` inside a string does not open a comment.
- The per-block state (region, outer lexer stack, inner lexer stack) is interned to a small int
  stored with `setCurrentBlockState`.
- Limits: regions do not nest (a `/* … */` comment spanning lines inside an HTML `<script>` is
  not tracked); RegexLexer subclasses that post-process tokens in an overridden
  `get_tokens_unprocessed` (C's stdlib type names, PHP builtins) lose that post-processing;
  lexers that are not regex based (JSON, delegating template lexers) are lexed line by line
  without state; other constructs a lexer matches across lines in one regex colour only their
  first line.
- Documents over `MAX_HIGHLIGHT_BYTES` are not highlighted at all, and documents with many lines
  are coloured progressively from a zero-timer in small time slices (blocks not reached yet are
  left plain), so opening a large file never freezes the window.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from pygments.lexer import ExtendedRegexLexer, Lexer, LexerContext, RegexLexer
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, guess_lexer
from pygments.lexers.html import HtmlLexer, XmlLexer
from pygments.styles import get_style_by_name
from pygments.token import Comment, Error, String, Text, Whitespace, _TokenType
from pygments.util import ClassNotFound
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

MAX_HIGHLIGHT_BYTES = 2 * 1024 * 1024  # larger documents are shown without highlighting
GUESS_BYTES = 4096  # guess_lexer only looks at the head of a file
PROGRESSIVE_BLOCKS = 3000  # documents with more lines are highlighted in time slices
SLICE_SECONDS = 0.012  # time budget of one progressive slice
ALL_BLOCKS = 1 << 62  # `_ready_upto` when every block may be coloured
MAX_STACK = 32  # deeper lexer stacks are truncated (keeps the interned state table small)

STYLES = {False: "default", True: "one-dark"}  # dark? -> pygments style


def plain_lexer() -> Lexer:
    return get_lexer_by_name("text")


def choose_lexer(filename: str | None, text: str = "") -> Lexer:
    """The pygments lexer for a file: by file name, else a guess from the first few KB, else
    plain text."""
    options = {"stripnl": False, "ensurenl": False}
    if filename:
        try:
            return get_lexer_for_filename(os.path.basename(filename), **options)
        except ClassNotFound:
            pass
        except Exception:  # a lexer plugin that misbehaves must not stop a file from opening
            pass
    head = text[:GUESS_BYTES]
    if head.strip():
        try:
            return guess_lexer(head, **options)
        except ClassNotFound:
            pass
        except Exception:
            pass
    return plain_lexer()


def should_highlight(text_length: int) -> bool:
    """Whether a document of `text_length` characters gets highlighting (cheap check)."""
    return text_length <= MAX_HIGHLIGHT_BYTES


def _push_states(statestack: list[str], new_state) -> None:
    """Apply one RegexLexer state transition to `statestack` (as pygments does)."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(statestack) > 1:
                    statestack.pop()
            elif state == "#push":
                statestack.append(statestack[-1])
            else:
                statestack.append(state)
    elif isinstance(new_state, int):
        if abs(new_state) >= len(statestack):
            del statestack[1:]
        else:
            del statestack[new_state:]
    elif new_state == "#push":
        statestack.append(statestack[-1])


def lex_line(lexer: Lexer, text: str, stack: tuple[str, ...]) -> tuple[list, tuple[str, ...]]:
    """Lex one line (`text` ends with "\\n") starting in `stack`.

    Returns ([(pos, tokentype, value)], stack at the end of the line). Non-regex lexers are
    stateless: the stack comes back unchanged.
    """
    if isinstance(lexer, ExtendedRegexLexer):
        ctx = LexerContext(text, 0, list(stack))
        tokens = list(lexer.get_tokens_unprocessed(context=ctx))
        return tokens, tuple(ctx.stack)
    if isinstance(lexer, RegexLexer):
        # pygments' RegexLexer.get_tokens_unprocessed, keeping the final stack
        tokens = []
        pos = 0
        tokendefs = lexer._tokens
        statestack = list(stack)
        if statestack[-1] not in tokendefs:
            statestack = ["root"]
        statetokens = tokendefs[statestack[-1]]
        end = len(text)
        while pos < end:
            for rexmatch, action, new_state in statetokens:
                m = rexmatch(text, pos)
                if m:
                    if action is not None:
                        if type(action) is _TokenType:
                            tokens.append((pos, action, m.group()))
                        else:
                            tokens.extend(action(lexer, m))
                    if m.end() == pos and new_state is None:
                        continue  # an empty match that changes nothing would loop forever
                    pos = m.end()
                    if new_state is not None:
                        _push_states(statestack, new_state)
                        statetokens = tokendefs[statestack[-1]]
                    break
            else:
                if text[pos] == "\n":
                    statestack = ["root"]
                    statetokens = tokendefs["root"]
                    tokens.append((pos, Whitespace, "\n"))
                else:
                    tokens.append((pos, Error, text[pos]))
                pos += 1
        return tokens, tuple(statestack[-MAX_STACK:])
    return list(lexer.get_tokens_unprocessed(text)), stack


@dataclass(frozen=True)
class Region:
    """A construct that spans lines and that the lexer only matches whole (one regex from its
    opener to its closer): the highlighter tracks it across lines itself."""

    opener: re.Pattern
    closer: re.Pattern
    token: _TokenType = Comment.Multiline  # colour of the whole region (when `lexer` is None)
    lexer: str | None = None  # lex the inside with this lexer (statefully)

    @property
    def closer_in_region(self) -> bool:
        return self.lexer is None  # `-->` is part of the comment; `</script>` is outer HTML


_COMMENT = Region(re.compile(r"<!--"), re.compile(r"-->"))
_CDATA = Region(re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>"), Comment.Preproc)
_SCRIPT = Region(
    re.compile(r"<\s*script\b[^>]*>", re.I),
    re.compile(r"<\s*/\s*script\s*>", re.I),
    lexer="javascript",
)
_STYLE = Region(
    re.compile(r"<\s*style\b[^>]*>", re.I), re.compile(r"<\s*/\s*style\s*>", re.I), lexer="css"
)
_BLOCK_COMMENT = Region(re.compile(r"/\*"), re.compile(r"\*/"))
_MARKUP = (_COMMENT, _CDATA)
REGIONS: dict[str, tuple[Region, ...]] = {  # lexer alias -> its line-spanning constructs
    "html": (_COMMENT, _CDATA, _SCRIPT, _STYLE),
    "xml": _MARKUP,
    **{
        alias: (_BLOCK_COMMENT,)
        for alias in (
            "c",
            "cpp",
            "objective-c",
            "java",
            "javascript",
            "typescript",
            "css",
            "scss",
            "less",
            "go",
            "rust",
            "csharp",
            "kotlin",
            "scala",
            "swift",
            "dart",
            "groovy",
            "sql",
        )
    },
}

ROOT_STATE: tuple = (-1, ("root",), ("root",))  # (region index or -1, outer stack, inner stack)


def regions_for(lexer: Lexer) -> tuple[Region, ...]:
    for alias in lexer.aliases:
        if alias in REGIONS:
            return REGIONS[alias]
    if isinstance(lexer, HtmlLexer):
        return REGIONS["html"]
    if isinstance(lexer, XmlLexer):
        return REGIONS["xml"]
    return ()


@lru_cache(maxsize=8)
def _inner_lexer(name: str) -> Lexer:
    return get_lexer_by_name(name, stripnl=False, ensurenl=False)


def _unclosed_opener(regions, text: str, pos: int, starts: dict) -> tuple[int, re.Match] | None:
    """The first region opener at/after `pos` whose closer is not on this line and that the
    lexer agrees with: a token (not a string) starts where the opener does."""
    while True:
        best = None
        for i, region in enumerate(regions):
            m = region.opener.search(text, pos)
            if m and (best is None or m.start() < best[1].start()):
                best = (i, m)
        if best is None:
            return None
        index, m = best
        ttype = starts.get(m.start())
        if ttype is None or ttype in String:
            pos = m.start() + 1  # inside a string or another token: not an opener
            continue
        close = regions[index].closer.search(text, m.end())
        if close is None:
            return best
        pos = max(close.end(), m.end())


def highlight_line(lexer: Lexer, text: str, state: tuple = ROOT_STATE) -> tuple[list, tuple]:
    """Tokens of one line (no trailing newline) given the state the previous line ended in.

    Returns ([(start, length, tokentype)], end state); states are hashable tuples.
    """
    regions = regions_for(lexer)
    region_index, outer, inner = state
    spans: list = []
    pos = 0
    end = len(text)

    def add(tokens, offset):
        for p, ttype, value in tokens:
            start = p + offset
            if start < end and value:
                spans.append((start, min(len(value), end - start), ttype))

    while True:
        if region_index >= 0:
            region = regions[region_index] if region_index < len(regions) else None
            if region is None:
                region_index = -1
                continue
            close = region.closer.search(text, pos)
            stop = close.start() if close else end
            if region.lexer:
                segment = text[pos:stop] + ("" if close else "\n")
                tokens, new_inner = lex_line(_inner_lexer(region.lexer), segment, inner)
                add(tokens, pos)
                inner = new_inner if not close else ("root",)
            elif stop > pos or (close and region.closer_in_region):
                stop_at = close.end() if (close and region.closer_in_region) else stop
                spans.append((pos, stop_at - pos, region.token))
            if not close:
                return spans, (region_index, outer, inner)
            pos = close.end() if region.closer_in_region else close.start()
            region_index = -1
            continue
        tokens, new_outer = lex_line(lexer, text[pos:] + "\n", outer)
        found = None
        if regions:
            starts = {p + pos: ttype for p, ttype, value in tokens if value}
            found = _unclosed_opener(regions, text, pos, starts)
        if found is None:
            add(tokens, pos)
            return spans, (-1, new_outer, ("root",))
        index, m = found
        region = regions[index]
        cut = m.start() if region.closer_in_region else m.end()
        if cut > pos:
            tokens, outer = lex_line(lexer, text[pos:cut], outer)
            add(tokens, pos)
        if region.closer_in_region:
            spans.append((m.start(), m.end() - m.start(), region.token))
        pos = m.end()
        region_index, inner = index, ("root",)


@lru_cache(maxsize=4)
def _style(name: str):
    return get_style_by_name(name)


def token_format(style_name: str, ttype) -> QTextCharFormat | None:
    """The QTextCharFormat for a token type in a pygments style; None for plain text."""
    return _token_format(style_name, ttype)


@lru_cache(maxsize=2048)
def _token_format(style_name: str, ttype) -> QTextCharFormat | None:
    if ttype in Text or ttype in Error:
        return None  # editor's own colours; half-typed code must not flash red boxes
    st = _style(style_name).style_for_token(ttype)
    if not (st["color"] or st["bold"] or st["italic"] or st["underline"] or st["bgcolor"]):
        return None
    fmt = QTextCharFormat()
    if st["color"]:
        fmt.setForeground(QColor("#" + st["color"]))
    if st["bgcolor"]:
        fmt.setBackground(QColor("#" + st["bgcolor"]))
    if st["bold"]:
        fmt.setFontWeight(QFont.Weight.Bold)
    if st["italic"]:
        fmt.setFontItalic(True)
    if st["underline"]:
        fmt.setFontUnderline(True)
    return fmt


class PygmentsHighlighter(QSyntaxHighlighter):
    """Colours a QTextDocument with a pygments lexer, one block at a time (see module doc)."""

    def __init__(self, document: QTextDocument, lexer: Lexer | None = None, dark: bool = False):
        super().__init__(document)
        self._lexer = lexer or plain_lexer()
        self._style_name = STYLES[bool(dark)]
        self._states: list[tuple] = [ROOT_STATE]  # block state int -> highlight_line state
        self._state_ids: dict[tuple, int] = {ROOT_STATE: 0}
        self._plain = self._lexer.name == plain_lexer().name
        # progressive colouring: blocks after _ready_upto are left plain until reached
        self._ready_upto = ALL_BLOCKS
        self._deadline: float | None = None  # set while a progressive slice runs
        self._slice_from = 0
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._slice)
        if document.blockCount() > PROGRESSIVE_BLOCKS:
            self._ready_upto = -1
            self._timer.start()

    # --- public ---------------------------------------------------------------------------
    def lexer(self) -> Lexer:
        return self._lexer

    def language(self) -> str:
        return self._lexer.name

    def is_done(self) -> bool:
        """True once every block has been coloured at least once."""
        return not self._timer.isActive()

    def set_lexer(self, lexer: Lexer) -> None:
        self._lexer = lexer
        self._plain = lexer.name == plain_lexer().name
        self._restart()

    def set_dark(self, dark: bool) -> None:
        name = STYLES[bool(dark)]
        if name != self._style_name:
            self._style_name = name
            self._restart()

    def stop(self) -> None:
        self._timer.stop()

    # --- Qt -------------------------------------------------------------------------------
    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        number = self.currentBlock().blockNumber()
        if number > self._ready_upto:
            self.setCurrentBlockState(-1)  # not reached yet; the progressive pass comes back
            return
        if (
            self._deadline is not None
            and number > self._slice_from
            and time.perf_counter() > self._deadline
        ):
            self._ready_upto = number - 1  # this slice's time is up: the next one starts here
            self.setCurrentBlockState(-1)
            return
        if self._plain:
            return
        prev = self.previousBlockState()
        state = self._states[prev] if 0 <= prev < len(self._states) else ROOT_STATE
        try:
            spans, end_state = highlight_line(self._lexer, text, state)
        except Exception:  # a lexer bug must never break typing
            spans, end_state = [], ROOT_STATE
        style = self._style_name
        for start, length, ttype in spans:
            fmt = _token_format(style, ttype)
            if fmt is not None:
                self.setFormat(start, length, fmt)
        state_id = self._state_ids.get(end_state)
        if state_id is None:
            state_id = len(self._states)
            self._states.append(end_state)
            self._state_ids[end_state] = state_id
        self.setCurrentBlockState(state_id)

    # --- internals ------------------------------------------------------------------------
    def _restart(self) -> None:
        doc = self.document()
        if doc is None:
            return
        if doc.blockCount() > PROGRESSIVE_BLOCKS:
            self._ready_upto = -1
            # clear old colours quickly: every block is "not reached" until the pass comes back
            self.rehighlight()
            self._timer.start()
        else:
            self._ready_upto = ALL_BLOCKS
            self._timer.stop()
            self.rehighlight()

    def _slice(self) -> None:
        """Colour the next blocks for about SLICE_SECONDS. One `rehighlightBlock` call does it:
        every block not reached yet holds state -1 and gets a state >= 0, so Qt carries on to
        the next block by itself until `highlightBlock` sees the deadline and leaves the rest."""
        doc = self.document()
        block = doc.findBlockByNumber(self._ready_upto + 1) if doc is not None else None
        if block is None or not block.isValid():
            self._ready_upto = ALL_BLOCKS
            self._timer.stop()
            return
        self._ready_upto = ALL_BLOCKS
        self._slice_from = block.blockNumber()
        self._deadline = time.perf_counter() + SLICE_SECONDS
        try:
            self.rehighlightBlock(block)
        finally:
            self._deadline = None
        if self._ready_upto == ALL_BLOCKS:
            self._timer.stop()  # the cascade reached the end of the document
