"""Which documents are prose, where a word suggestion may end with the space that follows it.

In prose a word predictor's suggestion is the rest of the word *and* the separator after it
("ure " after "the nat"), so accepting it never costs the space. In code and markup the
character after a word is as often `(`, `.`, `:` or a newline as a space, and a space Tab put
there would have to be deleted, so suggestions there end where the word ends, as before.

The rule, by the document's file name (the engine gets `path=`):

- prose: no path (an untitled document), a name without a suffix (README, NOTES, LICENSE), or
  one of PROSE_SUFFIXES (.txt, .md, .rst, .tex, ...);
- everything else is code or markup (.py, .rs, .js, .html, .json, .csv, .yaml, ...).

An untitled document whose content is sniffed as HTML/XML is markup too (the engine checks it).
"""

from __future__ import annotations

import os

PROSE_SUFFIXES = frozenset(
    {
        ".txt",
        ".text",
        ".md",
        ".markdown",
        ".mdown",
        ".rst",
        ".org",
        ".adoc",
        ".asciidoc",
        ".tex",
        ".ltx",
        ".eml",
        ".mbox",
        ".wiki",
        ".textile",
        ".nfo",
        ".me",
    }
)


def is_prose(path: str | None) -> bool:
    """Whether a document of this file name takes a trailing separator (see the docstring)."""
    if not path:
        return True
    name = os.path.basename(path)
    suffix = os.path.splitext(name)[1]
    if not suffix:  # "README" is prose; a dotfile (".bashrc") is configuration
        return not name.startswith(".")
    return suffix.lower() in PROSE_SUFFIXES
