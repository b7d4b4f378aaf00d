"""Character-level pieces of the WHATWG HTML tokenizer used by the closing-tag engine.

Pure functions over a string and a position, built on precompiled `re` patterns, so scanning
stays in C for long runs of text: where the next markup `<` is, where a tag's attributes end
(quoted values may hold `>`), where a comment ends (`-->`, `--!>`, `<!-->`, `<!--->`), where raw
text (`<style>`, `<textarea>`, ...) and script data (with its `<!--`/`<script>` escapes) end,
and whether a DOCTYPE puts the document in quirks mode. Each scanner returns None when the
construct is not finished before the end of the text (the cursor is inside it).
"""

from __future__ import annotations

import re

SCRIPT, RAW, PLAINTEXT = 1, 2, 3  # tokenizer states other than data (RCDATA scans like RAW)

WS_CHARS = "\t\n\f\r "
_WS = re.compile(r"[\t\n\f\r ]*")
_ATTR_NAME = re.compile(r"[^\t\n\f\r />=]*")
_UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
TAG_NAME = re.compile(r"[^\t\n\f\r />]*")
# a `<` that may start markup: a tag, an end tag, a comment/doctype/CDATA or a bogus comment
MARKUP = re.compile(r"<[A-Za-z!/?]")
COMMENT_END = re.compile(r"--!?>")
PARTIAL_END_TAG = re.compile(r"</(?:[A-Za-z][^\t\n\f\r />]*)?")  # `</` or `</na` at the cursor
AMP_TAIL = re.compile(r"&[#0-9A-Za-z]*\Z")  # a character reference that may still grow
# text that is only whitespace, counting references to whitespace (`&#32;`, `&Tab;`, ...)
_WS_ONLY = re.compile(
    r"(?:[\t\n\f\r ]|&#0*(?:9|1[023]|32)(?![0-9]);?|&#[xX]0*(?:9|[aAcCdD]|20)(?![0-9a-fA-F]);?"
    r"|&(?:Tab|NewLine);)*"
)
# the same plus NUL, which "in body", table text and foreign content ignore
_INERT = re.compile(
    r"(?:[\t\n\f\r \0]|&#0*(?:9|1[023]|32)(?![0-9]);?|&#[xX]0*(?:9|[aAcCdD]|20)(?![0-9a-fA-F]);?"
    r"|&(?:Tab|NewLine);)*"
)
_SCRIPT_DATA = re.compile(r"<!--|</[sS][cC][rR][iI][pP][tT](?=[\t\n\f\r />])")
_SCRIPT_ESCAPED = re.compile(
    r"-->|</[sS][cC][rR][iI][pP][tT](?=[\t\n\f\r />])|<[sS][cC][rR][iI][pP][tT](?=[\t\n\f\r />])"
)
_SCRIPT_DOUBLE = re.compile(r"-->|</[sS][cC][rR][iI][pP][tT](?=[\t\n\f\r />])")
_raw_end_cache: dict[str, re.Pattern[str]] = {}

_LOWER = {c: c + 32 for c in range(65, 91)}


def ascii_lower(s: str) -> str:
    """ASCII-only lowercasing, as the tokenizer does (`İ` stays `İ`)."""
    return s.lower() if s.isascii() else s.translate(_LOWER)


def ws_only(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is all tree-construction whitespace (references included)."""
    return _WS_ONLY.fullmatch(text, start, end) is not None


def inert(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is whitespace and NULs only (it keeps frameset-ok)."""
    return _INERT.fullmatch(text, start, end) is not None


def scan_attrs(
    text: str, pos: int, want: bool = False
) -> tuple[int, bool, list[tuple[str, str]] | None] | None:
    """Run the attribute states from just after a tag name to the tag's `>`.

    Returns (index after `>`, self-closing flag, attributes or None) or None when the text ends
    inside the tag. Attribute names are ASCII-lowercased; a repeated name keeps its first value.
    """
    n = len(text)
    attrs: list[tuple[str, str]] | None = [] if want else None
    ws = _WS.match
    while True:
        pos = ws(text, pos).end()
        if pos >= n:
            return None
        c = text[pos]
        if c == ">":
            return pos + 1, False, attrs
        if c == "/":  # self-closing start tag state
            if pos + 1 >= n:
                return None
            if text[pos + 1] == ">":
                return pos + 2, True, attrs
            pos += 1
            continue
        start = pos
        pos = _ATTR_NAME.match(text, pos + 1).end()  # the first character may be `=`
        name_end = pos
        after = ws(text, pos).end()
        if after >= n:
            return None
        value = ""
        if text[after] == "=":
            pos = ws(text, after + 1).end()
            if pos >= n:
                return None
            c = text[pos]
            if c == '"' or c == "'":
                close = text.find(c, pos + 1)
                if close < 0:
                    return None
                value = text[pos + 1 : close]
                pos = close + 1
            elif c != ">":
                end = _UNQUOTED.match(text, pos).end()
                if end >= n:
                    return None
                value = text[pos:end]
                pos = end
        else:
            pos = after
        if attrs is not None:
            name = ascii_lower(text[start:name_end])
            if all(name != a for a, _ in attrs):
                attrs.append((name, value))


def scan_comment(text: str, pos: int) -> int | None:
    """End of a comment whose `<!--` ends at pos (`-->`, `--!>`, or the abrupt `<!-->`)."""
    if text.startswith(">", pos):
        return pos + 1
    if text.startswith("->", pos):
        return pos + 2
    m = COMMENT_END.search(text, pos)
    return m.end() if m else None


def raw_end(text: str, pos: int, name: str) -> tuple[int, int] | None:
    """The `</name` (case-insensitive, then whitespace, `/` or `>`) ending raw text or RCDATA.

    Returns (index of `<`, index after the name), or None when there is none yet.
    """
    pattern = _raw_end_cache.get(name)
    if pattern is None:
        pattern = re.compile(
            "</" + "".join(f"[{c}{c.upper()}]" for c in name) + r"(?=[\t\n\f\r />])"
        )
        _raw_end_cache[name] = pattern
    m = pattern.search(text, pos)
    return (m.start(), m.end()) if m else None


def script_end(
    text: str, pos: int, endpos: int | None = None
) -> tuple[tuple[int, int] | None, int]:
    """Find the `</script` that ends script data, following its escape states.

    Returns ((index of `<`, index after the name) or None, state at endpos) where the state is
    0 (script data), 1 (escaped, after `<!--`) or 2 (double escaped, after `<!--<script>`): in
    the double-escaped state `</script>` only leaves that state and does not end the script.
    """
    end = len(text) if endpos is None else endpos
    state = 0
    while True:
        pattern = _SCRIPT_DATA if state == 0 else _SCRIPT_ESCAPED if state == 1 else _SCRIPT_DOUBLE
        m = pattern.search(text, pos, end)
        if m is None:
            return None, state
        found = m.group()
        if found == "<!--":
            state, pos = 1, m.start() + 2  # the dashes may also start `-->` (`<!-->`)
        elif found == "-->":
            state, pos = 0, m.end()
        elif found[1] == "/":
            if state == 2:
                state, pos = 1, m.end()
            else:
                return (m.start(), m.end()), state
        else:  # `<script` in the escaped state
            state, pos = 2, m.end()


# --- DOCTYPE and quirks mode -------------------------------------------------------------------
_DOCTYPE = re.compile(r"[\t\n\f\r ]*([^\t\n\f\r >]*)[\t\n\f\r ]*(.*)", re.S)
_PUBLIC = re.compile(
    r"PUBLIC[\t\n\f\r ]*(?:\"([^\"]*)\"|'([^']*)')"
    r"(?:[\t\n\f\r ]*(?:\"([^\"]*)\"|'([^']*)'))?[\t\n\f\r ]*",
    re.I | re.S,
)
_SYSTEM = re.compile(r"SYSTEM[\t\n\f\r ]*(?:\"([^\"]*)\"|'([^']*)')[\t\n\f\r ]*", re.I | re.S)
_QUIRKY_PREFIXES = tuple(
    p.lower()
    for p in """+//Silmaril//dtd html Pro v0r11 19970101//
-//AS//DTD HTML 3.0 asWedit + extensions//
-//AdvaSoft Ltd//DTD HTML 3.0 asWedit + extensions//
-//IETF//DTD HTML 2.0 Level 1//
-//IETF//DTD HTML 2.0 Level 2//
-//IETF//DTD HTML 2.0 Strict Level 1//
-//IETF//DTD HTML 2.0 Strict Level 2//
-//IETF//DTD HTML 2.0 Strict//
-//IETF//DTD HTML 2.0//
-//IETF//DTD HTML 2.1E//
-//IETF//DTD HTML 3.0//
-//IETF//DTD HTML 3.2 Final//
-//IETF//DTD HTML 3.2//
-//IETF//DTD HTML 3//
-//IETF//DTD HTML Level 0//
-//IETF//DTD HTML Level 1//
-//IETF//DTD HTML Level 2//
-//IETF//DTD HTML Level 3//
-//IETF//DTD HTML Strict Level 0//
-//IETF//DTD HTML Strict Level 1//
-//IETF//DTD HTML Strict Level 2//
-//IETF//DTD HTML Strict Level 3//
-//IETF//DTD HTML Strict//
-//IETF//DTD HTML//
-//Metrius//DTD Metrius Presentational//
-//Microsoft//DTD Internet Explorer 2.0 HTML Strict//
-//Microsoft//DTD Internet Explorer 2.0 HTML//
-//Microsoft//DTD Internet Explorer 2.0 Tables//
-//Microsoft//DTD Internet Explorer 3.0 HTML Strict//
-//Microsoft//DTD Internet Explorer 3.0 HTML//
-//Microsoft//DTD Internet Explorer 3.0 Tables//
-//Netscape Comm. Corp.//DTD HTML//
-//Netscape Comm. Corp.//DTD Strict HTML//
-//O'Reilly and Associates//DTD HTML 2.0//
-//O'Reilly and Associates//DTD HTML Extended 1.0//
-//O'Reilly and Associates//DTD HTML Extended Relaxed 1.0//
-//SQ//DTD HTML 2.0 HoTMetaL + extensions//
-//SoftQuad Software//DTD HoTMetaL PRO 6.0::19990601::extensions to HTML 4.0//
-//SoftQuad//DTD HoTMetaL PRO 4.0::19971010::extensions to HTML 4.0//
-//Spyglass//DTD HTML 2.0 Extended//
-//Sun Microsystems Corp.//DTD HotJava HTML//
-//Sun Microsystems Corp.//DTD HotJava Strict HTML//
-//W3C//DTD HTML 3 1995-03-24//
-//W3C//DTD HTML 3.2 Draft//
-//W3C//DTD HTML 3.2 Final//
-//W3C//DTD HTML 3.2//
-//W3C//DTD HTML 3.2S Draft//
-//W3C//DTD HTML 4.0 Frameset//
-//W3C//DTD HTML 4.0 Transitional//
-//W3C//DTD HTML Experimental 19960712//
-//W3C//DTD HTML Experimental 970421//
-//W3C//DTD W3 HTML//
-//W3O//DTD W3 HTML 3.0//
-//WebTechs//DTD Mozilla HTML 2.0//
-//WebTechs//DTD Mozilla HTML//""".splitlines()
)
_QUIRKY_IDS = ("-//w3o//dtd w3 html strict 3.0//en//", "-/w3c/dtd html 4.0 transitional/en", "html")
_QUIRKY_NO_SYSTEM = ("-//w3c//dtd html 4.01 frameset//", "-//w3c//dtd html 4.01 transitional//")
_QUIRKY_SYSTEM = "http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd"


def doctype_quirks(body: str) -> bool:
    """Whether `<!DOCTYPE` + body + `>` sets quirks mode (only quirks, not limited quirks)."""
    m = _DOCTYPE.match(body)
    name, rest = (m.group(1), m.group(2)) if m else ("", "")
    if ascii_lower(name) != "html":
        return True  # a missing name is the force-quirks flag
    public = system = None
    if rest:
        pm = _PUBLIC.fullmatch(rest)
        sm = None if pm else _SYSTEM.fullmatch(rest)
        if pm:
            public = pm.group(1) if pm.group(1) is not None else pm.group(2)
            system = pm.group(3) if pm.group(3) is not None else pm.group(4)
        elif sm:
            system = sm.group(1) if sm.group(1) is not None else sm.group(2)
        else:
            return True  # bogus DOCTYPE: force-quirks
    pub = ascii_lower(public) if public is not None else None
    if system is not None and ascii_lower(system) == _QUIRKY_SYSTEM:
        return True
    if pub is None:
        return False
    if pub in _QUIRKY_IDS or pub.startswith(_QUIRKY_PREFIXES):
        return True
    return system is None and pub.startswith(_QUIRKY_NO_SYSTEM)
