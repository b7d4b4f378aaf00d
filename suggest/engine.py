"""The suggestion engine: the text around the cursor in, one ghost-text `Suggestion` out.

Qt-free; the editor calls `suggest(before, after, path=...)` from its worker thread on every
(debounced) keystroke. Per call:

1. HTML/XML documents: a closing tag from `ghostpen.suggest.htmlclose` wins (confidence 1).
2. The RNN state at the cursor, incrementally. States are cached at every `CHECKPOINT_EVERY`-th
   document position and at each of the last `RECENT` positions before the cursor; a call
   resumes from the cached state nearest before the first changed character (found by a
   slice-bisecting common prefix, not a per-character loop), so typing costs one step,
   Backspace none, an edit further back at most CHECKPOINT_EVERY steps. A window that moved
   forward (the editor aligns `before` to 4096-character steps) is recognised and the cache
   re-based. Where no cached state is within `warmup` characters (a freshly opened document,
   a jump into an unseen region), the state is rebuilt from zero over the last `warmup`
   characters only: the RNN's memory is short, and `ghostpen eval bpc --warmup` shows the
   bits per character no longer improve with longer warm-ups (see WARMUP).
3. Document adaptation (`settings.adapt`): a character n-gram cache over before + after,
   updated by diffs, mixed into the model's next-character distribution (`adapt.py`).
4. Decoding (`decode.py`): a small beam search to the end of the word / line, gated by
   `settings.min_confidence`.
5. With adaptation, a document word that extends the word being typed replaces the decoded
   suggestion when its document frequency makes it the likelier one (source "document").
No suggestion while the cursor is inside a word (`after` starts with a word character).

numpy's BLAS runs single-threaded inside `suggest` (threadpoolctl): for these matrix-vector
products one thread is faster than two, and the other core stays with the GUI.
"""

from __future__ import annotations

import bisect
import contextlib
import os

import numpy as np

from ghostpen.model.fast import FastModel
from ghostpen.model.vocab import Vocab
from ghostpen.suggest.adapt import DocumentCache, word_prefix
from ghostpen.suggest.decode import Decoder
from ghostpen.suggest.textdiff import common_prefix_len
from ghostpen.suggest.types import EngineSettings, Suggestion
from ghostpen.suggest.words import is_word_char

CHECKPOINT_EVERY = 64  # a cached state every this many document characters
RECENT = 64  # and one at each of this many positions before the cursor (cheap Backspace)
WARMUP = 256  # characters fed from a zero state when no cached state is close enough
DEFAULT_BEAM = 2  # beam width of the decoder
DEFAULT_RANK = "savings"  # decoder ranking: "savings" (expected keystrokes saved) or "word"
# confidence = P(text) ** CONFIDENCE_POWER: the decoded probability is optimistic (the best of
# several candidates, a model sharper on its training text than on new text); the power was
# fitted (maximum likelihood) to how often suggestions were exactly right in `eval ksr`
CONFIDENCE_POWER = 1.25
MAX_DECODE_STEPS = 16  # model steps per suggestion at most (bounds the latency)
MIN_WORD_PREFIX = 2  # typed letters before document words are proposed
_SHIFT_PROBE = 256  # characters of the new window searched for in the old one
WINDOW = 16384  # the editor passes at most this many characters before the cursor...
ALIGN = 4096  # ...starting at a multiple of this many document characters


def window_start(cursor: int, size: int = WINDOW, align: int = ALIGN) -> int:
    """Where the editor's `before` window starts for a cursor at document index `cursor`."""
    return max(0, -(-(cursor - size) // align) * align)


class _BlasThreads:
    """Limit numpy's BLAS (not MXNet's) to one thread while the engine computes."""

    _controller = None  # one per process: building it scans the loaded libraries (~1 ms)

    def __init__(self) -> None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl is a dependency
            self._limiter = None
            return
        if _BlasThreads._controller is None:
            _BlasThreads._controller = ThreadpoolController()
        ctl = _BlasThreads._controller
        paths = [
            lc.filepath
            for lc in ctl.lib_controllers
            if lc.user_api == "blas" and f"{os.sep}numpy" in lc.filepath
        ]
        self._limiter = ctl.select(filepath=paths) if paths else ctl.select(user_api="blas")

    def limit(self):
        if self._limiter is None:  # pragma: no cover
            return contextlib.nullcontext()
        return self._limiter.limit(limits=1)


class SuggestionEngine:
    """Suggestions for one document at a time (call `reset` when another is opened)."""

    def __init__(
        self,
        model: FastModel,
        vocab: Vocab,
        settings: EngineSettings | None = None,
        name: str = "",
    ):
        if model.vocab_size != len(vocab):
            raise ValueError(
                f"the model predicts {model.vocab_size} characters but the vocabulary has "
                f"{len(vocab)}"
            )
        self.model = model
        self.vocab = vocab
        self.settings = settings or EngineSettings()
        self.name = name
        self.beam = DEFAULT_BEAM
        self.rank = DEFAULT_RANK
        self.max_steps = MAX_DECODE_STEPS
        self.confidence_power = CONFIDENCE_POWER
        self.complete_words = True  # propose document words (with settings.adapt)
        # document words only when the model has nothing to show: as competitors their
        # frequency-based probability beat better contextual guesses (lower ksr on nietzsche)
        self.words_fallback = True
        self.warmup = WARMUP
        self._decoder = Decoder(model, vocab)
        self._threads = _BlasThreads()
        self._cache = DocumentCache()
        self.reset()

    @classmethod
    def from_checkpoint(cls, path=None, settings: EngineSettings | None = None):
        """Load a checkpoint (default: the bundled model); raises CheckpointError."""
        from ghostpen.model.checkpoint import default_model_path, load_model

        net, ckpt = load_model(default_model_path() if path is None else path)
        return cls(FastModel.from_gluon(net), ckpt.vocab, settings, name=ckpt.name)

    def update_settings(self, settings: EngineSettings) -> None:
        self.settings = settings

    def reset(self) -> None:
        """Forget the cached states and document statistics (a new document)."""
        self._text = ""  # the text whose states are cached (may run past the cursor)
        self._offset = 0  # characters dropped from the front by window shifts
        self._ckpts: dict[int, tuple] = {}  # position -> (state, logits (1, V))
        self._ckpt_keys: list[int] = []  # sorted positions of _ckpts
        self._recent: dict[int, tuple] = {}  # positions near the cursor -> (state, logits)
        self._cursor = 0
        self._current: tuple | None = None  # (state, logits) at the cursor
        self._cache.clear()
        self._closers: dict[str, object] = {}  # mode -> htmlclose.TagCloser
        self._sniffed: str | None = None  # markup mode sniffed from the content

    # -- the public call ----------------------------------------------------------------------

    def suggest(self, before: str, after: str = "", *, path: str | None = None):
        """Ghost text for the cursor between `before` and `after`, or None."""
        settings = self.settings
        if settings.html:
            tag = self._closing_tag(before, after, path)
            if tag is not None:
                return tag
        if not before or (after and is_word_char(after[0])):
            return None  # nothing typed yet, or the cursor is inside a word
        with self._threads.limit():
            state, logits = self._advance(before)
            cache = None
            if settings.adapt:
                self._cache.sync(before + after)
                cache = self._cache
            decoded = self._decoder.decode(
                state, logits, before, stop_at=settings.stop_at, max_chars=settings.max_chars,
                min_confidence=settings.min_confidence ** (1.0 / self.confidence_power),
                cache=cache, beam=self.beam,
                rank=self.rank, max_steps=self.max_steps,
            )
        best = None
        confidence = 0.0 if decoded is None else decoded.confidence ** self.confidence_power
        if decoded is not None and confidence >= settings.min_confidence:
            source = "document" if decoded.from_document else "model"
            best = Suggestion(decoded.text, confidence, source)
        if cache is not None and self.complete_words and (best is None or not self.words_fallback):
            word = self._document_word(before, cache)
            if word is not None and word.confidence >= settings.min_confidence and (
                best is None or word.confidence > best.confidence
            ):
                best = word
        return best

    def _document_word(self, before: str, cache: DocumentCache) -> Suggestion | None:
        """The rest of a document word that extends the word being typed (names the model
        never saw), with its document frequency as confidence."""
        prefix = word_prefix(before)
        if len(prefix) < MIN_WORD_PREFIX:
            return None
        found = cache.complete_word(prefix)
        if found is None:
            return None
        word, prob = found
        rest = word[len(prefix) : len(prefix) + self.settings.max_chars]
        if len(rest) < 2:
            return None
        return Suggestion(rest, min(1.0, prob), "document")

    def current_state(self) -> tuple | None:
        """(state, logits (1, V)) after the `before` of the last call (for tests)."""
        return self._current

    # -- closing tags -------------------------------------------------------------------------

    def _closing_tag(self, before: str, after: str, path: str | None):
        try:
            from ghostpen.suggest import htmlclose
        except ImportError:  # pragma: no cover - the tag closer ships with the engine
            return None
        mode = htmlclose.is_markup_path(path) if path else None
        if mode is None and (not path or "." not in os.path.basename(path)):
            # no telling file name: sniff the document's start (remembered once found, as
            # the window may later move past it)
            if self._sniffed is None:
                self._sniffed = htmlclose.sniff_markup(
                    before if len(before) >= 4096 else before + after[:4096]
                )
            mode = self._sniffed
        if mode is None:
            return None
        closer = self._closers.get(mode)
        if closer is None:
            closer = self._closers[mode] = htmlclose.TagCloser(mode)
        tag = closer.suggest(before, after)
        if tag is None or not tag.text:
            return None
        return Suggestion(tag.text, 1.0, "html", tag.cursor_offset)

    # -- incremental state --------------------------------------------------------------------

    def _advance(self, before: str) -> tuple[tuple, np.ndarray]:
        """The state and next-character logits (V,) after `before`, from the nearest cache."""
        text = self._text
        target = len(before)
        lcp = common_prefix_len(text, before)
        if lcp < min(len(text), target, _SHIFT_PROBE) and target >= _SHIFT_PROBE:
            shift = text.find(before[:_SHIFT_PROBE], 1)
            if shift > 0:  # the window dropped its first `shift` characters
                self._rebase(shift)
                text = self._text
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
        k = CHECKPOINT_EVERY
        near = target - RECENT
        for j in range(start, target):
            logits, state = step(ids[j - start : j - start + 1], state)  # (1, V)
            pos = j + 1
            if (pos + self._offset) % k == 0:
                if pos not in self._ckpts:
                    bisect.insort(self._ckpt_keys, pos)
                self._ckpts[pos] = (state, logits)
            elif pos > near:
                self._recent[pos] = (state, logits)
        if target > len(self._text):
            self._text = before
        self._cursor = target
        if len(self._recent) > 3 * RECENT:
            self._recent = {p: v for p, v in self._recent.items() if abs(p - target) <= RECENT}
        self._current = (state, logits)
        return state, logits[0]

    def _nearest(self, limit: int) -> tuple[int, tuple | None]:
        """The cached (position, (state, logits)) with the largest position <= limit."""
        hit = self._recent.get(limit) or self._ckpts.get(limit)
        if hit is not None:  # typing at the end: the last call's cursor
            return limit, hit
        best, found = -1, None
        i = bisect.bisect_right(self._ckpt_keys, limit)
        if i:
            best = self._ckpt_keys[i - 1]
            found = self._ckpts[best]
        for p, v in self._recent.items():
            if best < p <= limit:
                best, found = p, v
        return best, found

    def _truncate(self, n: int) -> None:
        """Drop the cached text and states past position n."""
        self._text = self._text[:n]
        i = bisect.bisect_right(self._ckpt_keys, n)
        for p in self._ckpt_keys[i:]:
            del self._ckpts[p]
        del self._ckpt_keys[i:]
        self._recent = {p: v for p, v in self._recent.items() if p <= n}

    def _rebase(self, shift: int) -> None:
        """The window lost its first `shift` characters: renumber the cached states."""
        self._text = self._text[shift:]
        self._offset += shift
        self._ckpts = {p - shift: v for p, v in self._ckpts.items() if p >= shift}
        self._ckpt_keys = sorted(self._ckpts)
        self._recent = {p - shift: v for p, v in self._recent.items() if p >= shift}
