"""Character vocabulary: characters <-> integer ids, with one id for unknown characters.

Id 0 is always the unknown character, so a model trained on one corpus can read any text.
The vocabulary serialises to a plain JSON list (stored in a checkpoint's meta.json).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np

UNK = "\ufffd"  # shown for characters the model never saw


class Vocab:
    """An ordered set of characters; `ids()` maps unseen characters to `unk_id` (0)."""

    unk_id = 0

    def __init__(self, chars: Iterable[str]):
        chars = [c for c in chars if c != UNK]
        if len(set(chars)) != len(chars):
            raise ValueError("vocabulary characters must be unique")
        if any(len(c) != 1 for c in chars):
            raise ValueError("vocabulary entries must be single characters")
        self.chars: list[str] = [UNK, *chars]
        self.index: dict[str, int] = {c: i for i, c in enumerate(self.chars)}
        # fast path for encoding: a lookup table over code points < 65536
        self._table = np.zeros(65536, dtype=np.int32)
        for i, c in enumerate(self.chars):
            if ord(c) < 65536:
                self._table[ord(c)] = i
        self._astral = {c: i for c, i in self.index.items() if ord(c) >= 65536}

    @classmethod
    def build(cls, text: str, min_count: int = 1) -> Vocab:
        """All characters of `text` occurring at least `min_count` times, most frequent first."""
        counts = Counter(text)
        kept = [
            c for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= min_count
        ]
        return cls(kept)

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, ch: str) -> bool:
        return ch in self.index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and other.chars == self.chars

    def ids(self, text: str) -> np.ndarray:
        """Encode `text` as an int32 array of ids (unknown characters -> 0)."""
        if not text:
            return np.zeros(0, dtype=np.int32)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        out = self._table[np.minimum(codes, 65535)]
        astral = codes >= 65536
        if astral.any():
            for pos in np.nonzero(astral)[0]:
                out[pos] = self._astral.get(chr(codes[pos]), self.unk_id)
        return out

    def id(self, ch: str) -> int:
        return self.index.get(ch, self.unk_id)

    def text(self, ids: Iterable[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def to_json(self) -> list[str]:
        """The characters after the unknown marker, in id order (ids start at 1)."""
        return self.chars[1:]

    @classmethod
    def from_json(cls, data: object) -> Vocab:
        if not isinstance(data, list) or not all(isinstance(c, str) for c in data):
            raise ValueError("vocabulary must be a list of single-character strings")
        halves = [c for c in data if len(c) == 1 and "\ud800" <= c <= "\udfff"]
        if halves:  # no text holds one: it could be neither typed nor printed
            raise ValueError(
                f"vocabulary holds U+{ord(halves[0]):04X}, half of a surrogate pair and not a "
                "character; the checkpoint is damaged"
            )
        return cls(data)
