"""What the Typing history settings hold, and which saved files are never remembered (Qt-free).

`HabitsPrefs.excludes(path)` decides whether a saved document is left out of the typing
habits. Excluded file types are patterns on the file name, case-insensitive: one with a glob
character (`*?[`) is a glob (`id_rsa*`, `.env.*`); otherwise one starting with a dot is an
ending (`.pem` matches `server.pem`, `.env` matches `.env` and `prod.env`); anything else is a
whole file name. Both are matched on the path as saved and on the file it resolves to
(symbolic links followed), so `server.pem` saved through a link named `notes.txt`, or
`notes.txt` in a folder reached through a link, is still left out; `~` is the home folder.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

DEFAULT_EXCLUDED_TYPES = (
    ".env",
    ".env.*",
    ".key",
    ".pem",
    ".p12",
    ".pfx",
    ".gpg",
    ".asc",
    ".kdbx",
    ".netrc",
    ".pgpass",
    "id_rsa*",
    "id_ed25519*",
)
DEFAULT_EXCLUDED_FOLDERS = ("~/.ssh", "~/.gnupg")


@dataclass(frozen=True)
class HabitsPrefs:
    """The Typing history settings (off by default)."""

    enabled: bool = False  # remember the words and phrases of saved documents
    excluded_types: tuple[str, ...] = DEFAULT_EXCLUDED_TYPES  # file-name patterns left out
    excluded_folders: tuple[str, ...] = DEFAULT_EXCLUDED_FOLDERS  # folders left out

    def excludes(self, path: str | os.PathLike) -> bool:
        """True when a document saved at `path` must not be remembered."""
        real = os.path.realpath(os.fspath(path))
        names = {os.path.basename(os.fspath(path)).lower(), os.path.basename(real).lower()}
        if any(self._type_excluded(name) for name in names):
            return True
        for folder in self.excluded_folders:
            if not folder.strip():
                continue
            top = os.path.realpath(os.path.expanduser(folder.strip()))
            try:
                if os.path.commonpath([real, top]) == top:
                    return True
            except ValueError:  # different drives (Windows)
                continue
        return False

    def _type_excluded(self, name: str) -> bool:
        """Whether the file name `name` (lower case) matches an excluded type."""
        for pattern in self.excluded_types:
            pat = pattern.strip().lower()
            if not pat:
                continue
            if any(ch in pat for ch in "*?["):
                if fnmatch.fnmatchcase(name, pat):
                    return True
            elif name.endswith(pat) if pat.startswith(".") else name == pat:
                return True
        return False


def parse_types(text: str) -> tuple[str, ...]:
    """File-type patterns from a comma- or space-separated list."""
    parts = text.replace(",", " ").split()
    return tuple(dict.fromkeys(p for p in parts if p))


def format_types(types: tuple[str, ...]) -> str:
    return ", ".join(types)


def parse_folders(text: str) -> tuple[str, ...]:
    """Folders, one a line (blank lines ignored)."""
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def describe_disk(size: int) -> str:
    """E.g. '512 bytes', '56.7 KB', '1.2 MB'."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


def describe_size(entries: int, size: int) -> str:
    """E.g. '1,234 words and phrases remembered, 56.7 KB on disk'."""
    return f"{entries:,} words and phrases remembered, {describe_disk(size)} on disk"
