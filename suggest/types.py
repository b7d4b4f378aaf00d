"""What the suggestion engine returns and how it is configured (shared by engine and editor)."""

from __future__ import annotations

from dataclasses import dataclass, field

SOURCES = ("model", "document", "html", "habits")
STOP_AT = ("phrase", "word", "line", "none")
MAX_CHOICES = 3  # alternatives a suggestion carries at most, itself included


@dataclass(frozen=True)
class Suggestion:
    """Ghost text to show after the cursor."""

    text: str  # what Tab inserts at the cursor
    # in [0, 1]: the engine's estimate that taking it saves keystrokes (its first word, or
    # all of it, is right; for a closing tag: 1)
    confidence: float
    # "model" (neural), "document" (words of this document), "html" (closing tag) or "habits"
    # (the user's typing history, `habits_index.py`)
    source: str
    cursor_offset: int | None = None  # cursor position inside `text` after accepting; None = end
    # the engine's next-best choices, ranked, each with a first word different from this one's
    # and from each other's (`EngineSettings.choices`); empty on alternatives themselves
    alternatives: tuple[Suggestion, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown suggestion source {self.source!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError("confidence must be in [0, 1]")
        if len(self.alternatives) >= MAX_CHOICES:
            raise ValueError(f"at most {MAX_CHOICES - 1} alternatives")

    def choices(self) -> tuple[Suggestion, ...]:
        """This suggestion and its alternatives, best first (slot 1, 2, 3)."""
        return (self, *self.alternatives)

    def with_alternatives(self, alternatives) -> Suggestion:
        """A copy carrying `alternatives` (a sequence of Suggestions without their own)."""
        alts = tuple(
            Suggestion(a.text, a.confidence, a.source, a.cursor_offset) for a in alternatives
        )
        return Suggestion(self.text, self.confidence, self.source, self.cursor_offset, alts)

    @property
    def cursor_after(self) -> int:
        return len(self.text) if self.cursor_offset is None else self.cursor_offset


@dataclass
class EngineSettings:
    """User-tunable behaviour of the engine (persisted by the editor)."""

    max_chars: int = 40  # longest suggestion, in characters
    # suggestions whose (calibrated) probability of saving a keystroke is below this are not
    # shown. Fitted for the word-search decoder and the bundled nietzsche-pd model on its
    # validation slice (never the test tail): `ghostpen eval ksr --text nietzsche-90.txt
    # --limit-chars 15000 --sweep-confidence 0,0.01,0.02,0.03,0.05,0.1` (nietzsche-90.txt = the
    # first 90% of nietzsche.txt, so `eval ksr` types characters 486,722-501,722) gave
    # ksr/precision 0.3883/0.286, 0.3871/0.287, 0.3859/0.289, 0.3849/0.290, 0.3831/0.292,
    # 0.3756/0.306. The best ksr with precision >= 0.25 is at 0 (no gate); 0.01 is the highest
    # gate within 0.002 of it, and keeps ghosts under 1% likely out. Re-fit it (the same
    # command) when the model changes.
    min_confidence: float = 0.01
    # "phrase": the current/next word and the words after it while the model is sure;
    # "word": that word only; "line": words to the end of the line; "none": across lines too
    stop_at: str = "phrase"
    adapt: bool = True  # mix in the words of the document being written
    # how many choices a suggestion offers (1: one ghost, as before; 2-3: the ghost and its
    # `alternatives`, which the editor cycles through or shows in a strip)
    choices: int = 1
    html: bool = True  # suggest closing tags in HTML/XML documents

    def __post_init__(self) -> None:
        if self.stop_at not in STOP_AT:
            raise ValueError(f"stop_at must be one of {STOP_AT}")
        if not 1 <= self.choices <= MAX_CHOICES:
            raise ValueError(f"choices must be in 1..{MAX_CHOICES}")
        if self.max_chars < 1:
            raise ValueError("max_chars must be at least 1")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError("min_confidence must be in [0, 1]")
