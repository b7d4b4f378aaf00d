"""The suggestion engine: the text around the cursor in, one ghost-text `Suggestion` out.

Qt-free; the editor calls `suggest(before, after, path=...)` from its worker thread on every
(debounced) keystroke. Per call:

1. HTML/XML documents: a closing tag from `ghostpen.suggest.html.close` wins (confidence 1).
2. The RNN state at the cursor, incrementally (`states.py`): typing costs one model step (none
   when the decoder had already stepped through the typed character), Backspace none, an edit
   further back at most CHECKPOINT_EVERY steps, a freshly opened document WARMUP steps.
3. Document adaptation (`settings.adapt`): a character n-gram cache over before + after,
   updated by diffs, mixed into the model's next-character distribution (`adapt.py`).
4. Rejections (`rejections.py`): what the user typed since the last call is compared with
   what was shown then; a word typed past is not offered again while that word is typed.
5. Decoding (`decode.py`): a best-first search over whole words to the end of the word, the
   sure phrase (`stop_at="phrase"`, the default) or the line, ranked by the keystrokes it is
   expected to save under the typist's rules (`savings.py`), gated by
   `settings.min_confidence` on the calibrated probability that taking it saves a keystroke
   (its first word is right, or all of it: `savings.useful_logp`), P ** CONFIDENCE_POWER,
   which is also the suggestion's confidence. In prose (`prose.py`: untitled,
   .txt, .md, ... files) a word ends with the space after it when the model gives the space at
   least SEPARATOR_MIN, so accepting it never costs the space; in code and markup files
   suggestions end where the word ends. An optional word model (`word_prior`, see
   `prior.py`) adds its candidates and mixes its probabilities into the first word's.
6. With adaptation and no decoded suggestion above the threshold, the most frequent document
   word that extends the word being typed (source "document"): names the model never saw.
7. With the user's typing habits given (`set_habits`, opt-in in the editor) and no document
   suggestion: the likeliest next word or completion from the words and phrases of documents
   they saved (source "habits", `habits_index.py`), where it is more confident than the
   model's suggestion: a name typed last week completes today.
8. With `settings.choices` > 1, the suggestion carries up to choices - 1 `alternatives`: the
   decoder keeps at least that many first words (its beam), and each other first word's
   candidate that is likeliest to be wholly right (an alternative is taken whole), then the
   document word and the habit, each with a first word of its own, ranked by the keystrokes
   expected to be saved when taken whole and gated by ALT_MIN_CONFIDENCE (`_alternatives`).
No suggestion while the cursor is inside a word (`after` starts with a word character).
`last_candidates` holds the texts every suggestion of the last call was chosen from (for the
oracle of `eval ksr`).

The editor shares one engine between its tabs: the engine keeps the caches of the last
MAX_DOCUMENTS documents and picks the one a call belongs to by its path (or, for untitled
documents, by the text it starts with), so switching tabs does not recompute anything.

numpy's BLAS runs single-threaded inside `suggest` (threadpoolctl, numpy's OpenBLAS only, not
MXNet's): a (1, 512) x (512, 2048) product takes 0.10 ms on one thread and 0.13 ms on two on
the 2-core development machine, and the other core stays with the GUI. (Batched rows are no
faster: OpenBLAS's small-batch matrix product costs 1.4 ms for 2-4 rows, so beams are stepped
row by row.)
"""

from __future__ import annotations

import math
import os

from ghostpen.model.fast import FastModel
from ghostpen.model.vocab import Vocab
from ghostpen.model.wordlm import WordLM, word_model_of
from ghostpen.suggest.adapt import CURSOR, DocumentCache, word_prefix
from ghostpen.suggest.decode import Decoder, first_word
from ghostpen.suggest.prior import WordPrior
from ghostpen.suggest.prose import is_prose
from ghostpen.suggest.rejections import RejectionMemory, is_banned
from ghostpen.suggest.states import StateCache
from ghostpen.suggest.types import EngineSettings, Suggestion
from ghostpen.suggest.window import AFTER as MAX_AFTER  # `window_start` is re-exported
from ghostpen.suggest.window import ALIGN, WINDOW, window_start
from ghostpen.suggest.wordprior import DocumentPrior
from ghostpen.suggest.words import is_word_char

CHECKPOINT_EVERY = 64  # a cached state every this many document characters
RECENT = 64  # and one at each of this many positions before the cursor (cheap Backspace)
WARMUP = 256  # characters fed from a zero state when no cached state is close enough
DEFAULT_BEAM = 1  # first words the decoder keeps and continues (eval ksr --beam)
DEFAULT_RANK = "savings"  # decoder ranking: "savings" (expected keystrokes saved) or "word"
# confidence = P(text) ** CONFIDENCE_POWER: the decoded probability is optimistic (the best of
# several candidates, a model sharper on its training text than on new text); the power was
# fitted (maximum likelihood) to how often suggestions were exactly right in `eval ksr`
CONFIDENCE_POWER = 1.25
MAX_DECODE_STEPS = 12  # model steps per suggestion at most (bounds the latency)
CHOICE_STEPS = 4  # and this many more per alternative wanted (settings.choices - 1)
# an alternative is shown when P(all of it) ** CONFIDENCE_POWER is at least this: fitted on the
# validation slice (`eval ksr --text nietzsche-90.txt --limit-chars 2000 --choices 3
# --alt-confidence G`, see types.py and docs/measurements.md): G = 0 0.4870, 0.02 0.4885,
# 0.05 0.4605, 0.1 0.4440 (one suggestion: 0.4195)
ALT_MIN_CONFIDENCE = 0.02
PRIOR_SPACE = 0.7  # P(space after a word) assumed for a word-model alternative not stepped
SEPARATOR_MIN = 0.3  # prose: a word is offered with its space when P(space) is at least this
PHRASE_MIN = 0.3  # "phrase": following words while P(suggestion) stays at least this
MIN_WORD_PREFIX = 2  # typed letters before document words are proposed
WORD_NOVELTY = 1.0  # pseudo-count of unseen words in document-word probabilities
MAX_DOCUMENTS = 4  # documents whose caches are kept (editor tabs)


class _BlasThreads:
    """Limit numpy's BLAS (not MXNet's) to one thread while the engine computes."""

    _controller = None  # one per process: building it scans the loaded libraries (~1 ms)

    def __init__(self) -> None:
        from threadpoolctl import ThreadpoolController  # a dependency (pyproject.toml)

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
        return self._limiter.limit(limits=1)


class _Document:
    """Everything the engine caches about one document."""

    def __init__(self, engine: SuggestionEngine, path: str | None):
        self.path = path
        self.states = StateCache(
            engine.model, engine.vocab, every=CHECKPOINT_EVERY, recent=RECENT, warmup=engine.warmup
        )
        self.cache = DocumentCache(novelty=WORD_NOVELTY)
        self.closers: dict[str, object] = {}  # mode -> htmlclose.TagCloser
        self.rejections = RejectionMemory()
        self.prior: DocumentPrior | None = None  # the word model with this document's counts
        self.sniffed: str | None = None  # markup mode sniffed from the content


class SuggestionEngine:
    """Suggestions for one document at a time (call `reset` when another is opened)."""

    def __init__(
        self,
        model: FastModel,
        vocab: Vocab,
        settings: EngineSettings | None = None,
        name: str = "",
        habits=None,
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
        self.habits = habits  # a habits_index.Habits (read-only) or None
        self.beam = DEFAULT_BEAM  # `eval ksr --beam` sets it
        self.alt_min_confidence = ALT_MIN_CONFIDENCE  # `eval ksr --alt-confidence` sets it
        self._prose = True  # the last call's document is prose (its words take a space)
        self.warmup = WARMUP
        self.word_prior: WordPrior | None = None  # a word-level model (prior.py), or none
        self.last_candidates: list[str] = []  # what the last suggestion was chosen from
        self._decoder = Decoder(model, vocab)
        self._threads = _BlasThreads()
        self.reset()

    @classmethod
    def from_checkpoint(cls, path=None, settings: EngineSettings | None = None):
        """Load a checkpoint (default: the bundled model); raises CheckpointError."""
        from ghostpen.model.checkpoint import default_model_path

        model = FastModel.from_checkpoint(default_model_path() if path is None else path)
        ckpt = model.checkpoint  # numpy run-time weights: no MXNet in the editor
        engine = cls(model, ckpt.vocab, settings, name=ckpt.name)
        engine.word_prior = word_model_of(ckpt)  # None when the checkpoint has none
        return engine

    def update_settings(self, settings: EngineSettings) -> None:
        self.settings = settings

    def set_habits(self, habits) -> None:
        """Suggest from the user's typing habits too (a read-only `habits_index.Habits`, e.g.
        `HabitsStore.snapshot()`), or no more (None)."""
        self.habits = habits

    def reset(self) -> None:
        """Forget every cached state and document statistic."""
        self._docs: list[_Document] = []  # most recently used first
        self._doc: _Document | None = None

    def _document(self, before: str, path: str | None) -> _Document:
        """The cached document this call belongs to (a new one if none fits)."""
        docs = self._docs
        found = None
        for doc in docs:
            if doc.path == path and (path is not None or doc.states.follows(before)):
                found = doc
                break
        if found is None:
            found = _Document(self, path)
            del docs[MAX_DOCUMENTS - 1 :]
        else:
            docs.remove(found)
        docs.insert(0, found)
        found.states.warmup = self.warmup
        self._doc = found
        return found

    # -- the public call ----------------------------------------------------------------------

    def suggest(self, before: str, after: str = "", *, path: str | None = None):
        """Ghost text for the cursor between `before` and `after`, or None."""
        settings = self.settings
        doc = self._document(before, path)
        self.last_candidates = []
        if settings.html:
            tag = self._closing_tag(doc, before, after, path)
            if tag is not None:
                doc.rejections.shown(before, 0, None)
                return tag
        if not before or (after and is_word_char(after[0])):
            doc.rejections.shown(before, 0, None)
            return None  # nothing typed yet, or the cursor is inside a word
        if len(before) >= WINDOW + ALIGN:  # markup documents come whole for the tag closer
            before = before[window_start(len(before)) :]
        after = after[:MAX_AFTER]
        prose = is_prose(path) and doc.sniffed is None
        self._prose = prose
        with self._threads.limit():
            state, logits = doc.states.advance(before)
            origin = doc.states.origin
            prefix, banned = doc.rejections.observe(before, origin)
            cache = None
            if settings.adapt:
                doc.cache.sync(before + CURSOR + after if after else before)
                cache = doc.cache
            decoded = self._decoder.decode(
                state,
                logits,
                before,
                stop_at=settings.stop_at,
                max_chars=settings.max_chars,
                min_confidence=settings.min_confidence ** (1.0 / CONFIDENCE_POWER),
                cache=cache,
                beam=max(self.beam, settings.choices),
                rank=DEFAULT_RANK,
                max_steps=MAX_DECODE_STEPS + CHOICE_STEPS * (settings.choices - 1),
                ahead=doc.states.ahead,
                separator=prose,
                separator_min=SEPARATOR_MIN,
                phrase_min=PHRASE_MIN,
                banned=banned,
                ban_prefix=prefix,
                word_prior=self._prior(doc, before, settings.adapt),
            )
        self.last_candidates = [c.text for c in self._decoder.candidates]
        best = None
        gate = 0.0 if decoded is None else decoded.first_confidence**CONFIDENCE_POWER
        if decoded is not None and gate >= settings.min_confidence:
            source = "document" if decoded.from_document else "model"
            best = Suggestion(decoded.text, gate, source)
        # document words only when the model has nothing to show: as competitors their
        # frequency-based probability beat better contextual guesses (lower ksr on nietzsche)
        if cache is not None and best is None:
            word = self._document_word(before, cache)
            if word is not None and not is_banned(prefix, word.text, banned):
                self.last_candidates.append(word.text)
                if word.confidence >= settings.min_confidence:
                    best = word
        habit = None
        if self.habits is not None and (best is None or best.source == "model"):
            best, habit = self._habit(before, best, prefix, banned)
        if best is not None and settings.choices > 1:
            best = best.with_alternatives(
                self._alternatives(best, settings.choices - 1, prefix, banned, extra=habit)
            )
        shown = () if best is None else tuple(c.text for c in best.choices())
        doc.rejections.shown(before, origin, shown)
        return best

    def _alternatives(self, best: Suggestion, n: int, prefix: str, banned, extra=None) -> list:
        """Up to n alternatives to `best` with first words of their own (module docstring, 8):
        of each first word the decoder kept, its candidate likeliest to save keystrokes when
        taken whole; then the model's suggestion or habit `best` displaced (`extra`)."""
        gate = self.alt_min_confidence
        seen = {first_word(best.text)}
        found: list[tuple[float, Suggestion]] = []
        for group in self._decoder.groups:
            d = max(group, key=lambda x: x.exact_savings)
            word = first_word(d.text)
            conf = d.confidence**CONFIDENCE_POWER
            if word in seen or conf < gate:
                continue
            seen.add(word)
            source = "document" if d.from_document else "model"
            found.append((d.exact_savings, Suggestion(d.text, conf, source)))
        for rest, logp in self._decoder.prior_words:  # words only the word model listed
            text = rest + " " if self._prose else rest
            p = math.exp(logp) * (PRIOR_SPACE if self._prose else 1.0)
            conf = p**CONFIDENCE_POWER
            if first_word(text) in seen or conf < gate or is_banned(prefix, text, banned):
                continue
            seen.add(first_word(text))
            found.append((p * (len(text) - 1), Suggestion(text, conf, "model")))
        found.sort(key=lambda x: -x[0])
        out = [s for _, s in found[:n]]
        if extra is not None and len(out) < n and first_word(extra.text) not in seen:
            if extra.confidence >= gate and not is_banned(prefix, extra.text, banned):
                out.append(extra)
        return out

    def _prior(self, doc: _Document, before: str, adapt: bool) -> WordPrior | None:
        """The word model for this call: with the document's own counts when adapting."""
        if self.word_prior is None:
            return None
        if not isinstance(self.word_prior, WordLM):
            return self.word_prior  # any other WordPrior is used as it is
        if (
            doc.prior is None
            or doc.prior.lm is not self.word_prior
            or ((doc.prior.doc is not None) != adapt)
        ):
            doc.prior = DocumentPrior(self.word_prior, adapt)
        doc.prior.sync(before)
        return doc.prior

    def _habit(self, before: str, best, prefix: str, banned) -> tuple:
        """The typing habits' suggestion where it is more confident than the model's `best`
        (document words and text stay first; a word typed past is not offered). As
        competitors of the model rather than only a last resort, habits raised `eval ksr` on
        tech-docs' chapter11.md (20,000 characters, habits from the other chapters) from 0.213
        to 0.260 with the bundled model, and from 0.337 to 0.341 with a tech-docs fine-tune.
        Returns (the suggestion, the one it won against or None)."""
        habit = self.habits.suggestion(before, self.settings.max_chars)
        if habit is None or habit.confidence < self.settings.min_confidence:
            return best, None
        if is_banned(prefix, habit.text, banned):
            return best, None
        self.last_candidates.append(habit.text)
        if best is None or habit.confidence > best.confidence:
            return habit, best
        return best, habit

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
        return None if self._doc is None else self._doc.states.current

    # -- closing tags -------------------------------------------------------------------------

    def _closing_tag(self, doc: _Document, before: str, after: str, path: str | None):
        from ghostpen.suggest.html import close as htmlclose  # imported on first use

        mode = htmlclose.is_markup_path(path) if path else None
        if mode is None and (not path or "." not in os.path.basename(path)):
            # no telling file name: sniff the document's start (remembered once found, as
            # the window may later move past it)
            if doc.sniffed is None:
                doc.sniffed = htmlclose.sniff_markup(
                    before if len(before) >= 4096 else before + after[:4096]
                )
            mode = doc.sniffed
        if mode is None:
            return None
        closer = doc.closers.get(mode)
        if closer is None:
            closer = doc.closers[mode] = htmlclose.TagCloser(mode)
        tag = closer.suggest(before, after)
        if tag is None or not tag.text:
            return None
        return Suggestion(tag.text, 1.0, "html", tag.cursor_offset)
