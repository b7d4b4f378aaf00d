"""What the suggestion engine returns and how it is configured (shared by engine and editor)."""

from __future__ import annotations

from dataclasses import dataclass

SOURCES = ("model", "document", "html", "habits")
STOP_AT = ("word", "line", "none")


@dataclass(frozen=True)
class Suggestion:
    """Ghost text to show after the cursor."""

    text: str  # what Tab inserts at the cursor
    confidence: float  # in [0, 1]: the engine's estimate that the whole text is right
    # "model" (neural), "document" (words of this document), "html" (closing tag) or "habits"
    # (the user's typing history, `habits_index.py`)
    source: str
    cursor_offset: int | None = None  # cursor position inside `text` after accepting; None = end

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown suggestion source {self.source!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError("confidence must be in [0, 1]")

    @property
    def cursor_after(self) -> int:
        return len(self.text) if self.cursor_offset is None else self.cursor_offset


@dataclass
class EngineSettings:
    """User-tunable behaviour of the engine (persisted by the editor)."""

    max_chars: int = 40  # longest suggestion, in characters
    # suggestions below this (calibrated) confidence are not shown; 0.1 keeps the shipped
    # model's keystroke savings above 0.25 on held-out prose (`ghostpen eval ksr` on the tail of
    # nietzsche.txt: 0.265 at 0.1; 0.254 at 0.15 even with a beam of 2), about a quarter of
    # the suggestions shown being right
    min_confidence: float = 0.1
    stop_at: str = "word"  # "word": end of the current/next word; "line": end of line; "none"
    adapt: bool = True  # mix in the words of the document being written
    html: bool = True  # suggest closing tags in HTML/XML documents

    def __post_init__(self) -> None:
        if self.stop_at not in STOP_AT:
            raise ValueError(f"stop_at must be one of {STOP_AT}")
        if self.max_chars < 1:
            raise ValueError("max_chars must be at least 1")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError("min_confidence must be in [0, 1]")
