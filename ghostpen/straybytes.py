"""UTF-8 files with a few stray bytes: read them as UTF-8, write the stray bytes back exactly.

A file that is UTF-8 except for a few bytes that are not (a character cut in half, one cp1252
byte pasted in) used to open as cp1252, so every real UTF-8 character showed as mojibake
(`café` -> `cafÃ©`) and "Save as UTF-8" saved the mojibake. `ghostpen.textio` now reads such a
file as UTF-8 and keeps each stray byte as it is.

The stray bytes are always 0x80-0xFF. Python's `errors="surrogateescape"` would hold them as
lone surrogates U+DC80-U+DCFF, but Qt drops lone surrogates (a QTextDocument given "x\\udce9y"
holds "xy"), so the editor could not keep them. Each stray byte B becomes instead the
private-use character U+F700 + B (U+F780-U+F7FF), and is written back as the byte B on save
(`encode_stray`). A file that already holds characters of that range is not read this way (its
own characters would turn into bytes on save): it falls back to cp1252 as before.

"Mostly UTF-8" (`decode_stray`): at least one valid multi-byte UTF-8 sequence, and at least as
many of them as invalid bytes. A legacy 8-bit file (cp1252, koi8-r, ...) has its accented
letters as invalid bytes and almost never a valid multi-byte sequence, so it still opens as
before.

The encoding name of this state is STRAY_ENCODING ("utf-8 (stray bytes)"): `TextFile.encoding`
holds it, the saver writes the stray bytes back, Reopen with Encoding accepts it. Converting
(Save with Encoding, any other encoding) replaces each stray byte by its cp1252 reading
(`resolve_stray`; U+FFFD for the five bytes cp1252 leaves undefined); REPLACE_CHOICE names
that choice for UTF-8. Qt-free, no MXNet.
"""

from __future__ import annotations

import re

STRAY_ENCODING = "utf-8 (stray bytes)"
REPLACE_CHOICE = "utf-8 (stray bytes as cp1252)"
OFFSET = 0xF700  # stray byte B <-> U+F700 + B
FIRST, LAST = OFFSET + 0x80, OFFSET + 0xFF  # U+F780 .. U+F7FF

_STRAY_RE = re.compile(f"[{chr(FIRST)}-{chr(LAST)}]")
_ESCAPED_RE = re.compile("[\udc80-\udcff]")
_TO_PUA = {0xDC00 + b: OFFSET + b for b in range(0x80, 0x100)}
_TO_ESCAPED = {OFFSET + b: 0xDC00 + b for b in range(0x80, 0x100)}


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return "\ufffd"


_TO_CP1252 = {OFFSET + b: _cp1252(b) for b in range(0x80, 0x100)}


def count_stray(text: str) -> int:
    """How many stray bytes (U+F780-U+F7FF characters) `text` holds."""
    return len(_STRAY_RE.findall(text))


def decode_stray(data: bytes, *, force: bool = False) -> str | None:
    """`data` as UTF-8 with each invalid byte B as U+F700 + B, or None: when the file is not
    mostly UTF-8 (see the module docstring; `force` skips that test) or already holds
    characters U+F780-U+F7FF (they could not be told from stray bytes)."""
    text = data.decode("utf-8", "surrogateescape")
    if _STRAY_RE.search(text):
        return None
    invalid = len(_ESCAPED_RE.findall(text))
    if not force:
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))
        multibyte = non_ascii - invalid  # valid characters of 2-4 bytes
        if invalid == 0 or multibyte < max(1, invalid):
            return None
    return text.translate(_TO_PUA) if invalid else text


def encode_stray(text: str) -> bytes:
    """`text` as UTF-8 with each U+F780-U+F7FF character written as its stray byte."""
    return text.translate(_TO_ESCAPED).encode("utf-8", "surrogateescape")


def resolve_stray(text: str) -> str:
    """`text` with each stray byte replaced by its cp1252 reading (U+FFFD where undefined)."""
    return text.translate(_TO_CP1252)


def describe(count: int) -> str:
    """The status bar's words for a document in STRAY_ENCODING."""
    if count == 0:
        return "UTF-8 (no stray bytes left)"
    return f"UTF-8 with {count} stray byte{'s' if count != 1 else ''} (kept as is)"


def explain(count: int) -> str:
    """The tooltip that goes with `describe`."""
    return (
        f"The file is UTF-8 except for {count} byte{'s' if count != 1 else ''} that "
        f"{'are' if count != 1 else 'is'} not valid UTF-8. They are shown as the private-use "
        f"characters U+{FIRST:04X}-U+{LAST:04X} and saved back as the original bytes. "
        "File ▸ Save with Encoding… converts them (to their cp1252 reading); "
        "File ▸ Reopen with Encoding… reads the whole file another way."
    )
