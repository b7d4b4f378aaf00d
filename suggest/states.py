"""Incremental RNN state for one document: the state after any `before` from the nearest cache.

States are cached at every `every`-th document position and at each of the last `recent`
positions before the cursor. A call resumes from the cached state nearest before the first
changed character (a slice-bisecting common prefix, not a per-character loop), so typing costs
one model step, Backspace none, an edit further back at most `every` steps. A window that moved
forward (the editor aligns `before` to 4096-character steps) is recognised and the positions
re-based without recomputing anything. Where no cached state is within `warmup` characters
(a freshly opened document, a jump into an unseen region), the state is rebuilt from zero over
the last `warmup` characters only: the RNN's memory is short (`ghostpen eval bpc --warmup`:
the tail's bits per character are the same after 50, 200 or 1000 characters of warm-up).
"""

from __future__ import annotations

import bisect

import numpy as np

from ghostpen.model.fast import FastModel
from ghostpen.model.vocab import Vocab
from ghostpen.suggest.textdiff import common_prefix_len

SHIFT_PROBE = 256  # characters of a new window searched for in the old one


class StateCache:
    """Cached model states along one text."""

    def __init__(
        self,
        model: FastModel,
        vocab: Vocab,
        *,
        every: int = 64,
        recent: int = 64,
        warmup: int = 256,
    ):
        self.model = model
        self.vocab = vocab
        self.every = every
        self.recent = recent
        self.warmup = warmup
        self.text = ""  # the text whose states are cached (may run past the cursor)
        self._offset = 0  # characters dropped from the front by window shifts
        self._ckpts: dict[int, tuple] = {}  # position -> (state, logits (1, V))
        self._keys: list[int] = []  # sorted positions of _ckpts
        self._recent: dict[int, tuple] = {}  # positions near the cursor -> (state, logits)
        self.current: tuple | None = None  # (state, logits (1, V)) after the last `before`
        # states the decoder computed past the cursor: continuation text -> (state, logits);
        # typing a character the decoder had explored costs no step
        self.ahead: dict[str, tuple] = {}
        self._ahead_pos = -1  # the cursor position `ahead` continues from

    @property
    def origin(self) -> int:
        """Document offset of the text's first character (characters window moves dropped)."""
        return self._offset

    def shift_of(self, before: str) -> int:
        """How many characters the window dropped, if `before` is a moved window of the text
        (0 when it is not)."""
        if len(before) < SHIFT_PROBE or len(self.text) < SHIFT_PROBE:
            return 0
        if self.text.startswith(before[:SHIFT_PROBE]):
            return 0
        return max(0, self.text.find(before[:SHIFT_PROBE], 1))

    def follows(self, before: str, enough: int = 64) -> bool:
        """Whether `before` looks like (an edit of) this text rather than another document."""
        if not self.text:
            return True
        need = min(enough, len(before), len(self.text))
        return common_prefix_len(self.text, before) >= need or self.shift_of(before) > 0

    def advance(self, before: str) -> tuple[tuple, np.ndarray]:
        """The state and next-character logits (V,) after `before` (non-empty)."""
        shift = self.shift_of(before)
        if shift:
            self._rebase(shift)
        text = self.text
        target = len(before)
        lcp = common_prefix_len(text, before)
        if lcp < len(text) and lcp < target:  # diverged: states past lcp are stale
            self._truncate(lcp)
        start, cached = self._nearest(min(lcp, target))
        if cached is None or target - start > self.warmup:
            start = max(0, target - self.warmup)
            state, logits = self.model.begin_state(1), None
        else:
            state, logits = cached
        if target - start <= 8:  # a keystroke: skip the array encoder's overhead
            index = self.vocab.index
            ids = np.array([index.get(ch, 0) for ch in before[start:target]], dtype=np.int64)
        else:
            ids = self.vocab.ids(before[start:target])
        step = self.model.step
        every, offset = self.every, self._offset
        near = target - self.recent
        ahead = self.ahead if cached is not None and start == self._ahead_pos else None
        for j in range(start, target):
            hit = ahead.get(before[start : j + 1]) if ahead else None
            if hit is not None:
                state, logits = hit
            else:
                ahead = None
                logits, state = step(ids[j - start : j - start + 1], state)  # (1, V)
            pos = j + 1
            if (pos + offset) % every == 0:
                if pos not in self._ckpts:
                    bisect.insort(self._keys, pos)
                self._ckpts[pos] = (state, logits)
            elif pos > near:
                self._recent[pos] = (state, logits)
        if target > len(self.text):
            self.text = before
        self._move_ahead(before, start, target)
        if len(self._recent) > 3 * self.recent:
            self._recent = {p: v for p, v in self._recent.items() if abs(p - target) <= self.recent}
        self.current = (state, logits)
        return state, logits[0]

    def _move_ahead(self, before: str, start: int, target: int) -> None:
        """Re-anchor `ahead` at the new cursor (keeping what continues the typed text)."""
        if start == self._ahead_pos and self.ahead and len(self.ahead) <= 512:
            typed = before[start:target]
            n = len(typed)
            self.ahead = {
                k[n:]: v for k, v in self.ahead.items() if len(k) > n and k.startswith(typed)
            }
        else:
            self.ahead = {}
        self._ahead_pos = target

    def _nearest(self, limit: int) -> tuple[int, tuple | None]:
        """The cached (position, (state, logits)) with the largest position <= limit."""
        hit = self._recent.get(limit) or self._ckpts.get(limit)
        if hit is not None:  # typing at the end: the last call's cursor
            return limit, hit
        best, found = -1, None
        i = bisect.bisect_right(self._keys, limit)
        if i:
            best = self._keys[i - 1]
            found = self._ckpts[best]
        for p, v in self._recent.items():
            if best < p <= limit:
                best, found = p, v
        return best, found

    def _truncate(self, n: int) -> None:
        """Drop the cached text and states past position n."""
        self.text = self.text[:n]
        i = bisect.bisect_right(self._keys, n)
        for p in self._keys[i:]:
            del self._ckpts[p]
        del self._keys[i:]
        self._recent = {p: v for p, v in self._recent.items() if p <= n}

    def _rebase(self, shift: int) -> None:
        """The window lost its first `shift` characters: renumber the cached states (they keep
        the longer history, which is only better)."""
        self.text = self.text[shift:]
        self._offset += shift
        self._ckpts = {p - shift: v for p, v in self._ckpts.items() if p >= shift}
        self._keys = sorted(self._ckpts)
        self._recent = {p - shift: v for p, v in self._recent.items() if p >= shift}
        self._ahead_pos -= shift
