"""Decode a suggestion from the state at the cursor: a best-first search over whole words.

A *word* here is one segment of text the model ends with whitespace: optional leading
whitespace, then characters up to (not including) the next whitespace ("lo," after "hel"). A
segment search (`_words`) pops the likeliest unexpanded prefix first (one model step each,
none when an earlier keystroke already stepped along it: `ahead`) and collects finished words,
scored log P(text) + log P(any whitespace next) so "the" and "then" compete fairly, until it
holds `beam` words no remaining prefix can beat, every prefix is below `min_confidence`, or
`max_steps` model steps were spent (the latency bound). The stop rule then decides what a
suggestion may be:

    word    one word, plus the separator after it (below)
    phrase  the word, its separator, and following words while the cumulative probability
            stays above `phrase_min` (a small beam: each of the `beam` first words is continued
            with the likeliest next word), so "the same time " is one suggestion
    line    the phrase's candidates, and words after the word while the suggestion stays
            above min_confidence, to the end of the line, never a word cut by max_chars (so
            it ends on whole words and offers whatever "phrase" offers, ranked alike)
    none    the same, across line breaks too

Separator (`separator=True`, prose: see `prose.py`): a word is also offered followed by a space
when the model gives the space at least `separator_min` after it, so accepting it never costs
the space ("lo, " after "hel"). Without it (code, markup) suggestions end where the word ends,
and "phrase" is "word".

rank="savings" (the engine's) picks, among all those candidates, the one with the most
keystrokes expected to be saved under the typist's rules (`savings.py`: Tab takes the whole
text, Ctrl+Right one word, so a partly right phrase still saves its right words); rank="word"
takes the likeliest word and then the extension of it that saves most.

Probabilities are those of the distribution decoded from (the neural model, mixed with the
document cache when adapting, and with a word model's prior when one is given: `prior.py`).
`Decoded.first_logp` is log P(taking the suggestion saves a keystroke: its first word of two or
more characters is right, or all of it; `savings.useful_logp`): what the engine's gate reads,
the probability that a shown suggestion is (at least partly) taken with profit.
`candidates` holds every candidate of the last call (the oracle of `eval ksr` picks among them);
`groups` the same candidates by first word (one list per word the search kept, in the search's
order), from which the engine draws its alternatives (`beam` >= the choices wanted).

Rows are stepped one by one: for these sizes OpenBLAS's matrix-vector product (batch 1) is
~10x faster than its small-batch matrix product, so a batched step would be slower.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from ghostpen.model.fast import FastModel
from ghostpen.model.vocab import Vocab
from ghostpen.suggest.adapt import DocumentCache, word_prefix
from ghostpen.suggest.prior import (
    PRIOR_CANDIDATES,
    PRIOR_MIN_SHARE,
    PRIOR_TAIL,
    PRIOR_WEIGHT,
    WordPrior,
    context_words,
)
from ghostpen.suggest.rejections import is_banned
from ghostpen.suggest.savings import expected_savings, useful_logp
from ghostpen.suggest.words import next_word_len

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
BRANCH = 4  # children pushed per expanded prefix (pushing costs no model step)
# "line"/"none": a following word is added only when the model ends it there with at least
# this probability: a search cut short by the step budget otherwise returns the letters it
# reached as a "word" ("as t" after "It is almost the same ", issue 17)
LINE_END_MIN = 0.3


def first_word(text: str) -> str:
    """The first word of a suggestion, as Ctrl+Right takes it, without its leading space:
    alternatives differ in it ("time" for "time, and")."""
    t = text.lstrip()
    return t[: next_word_len(t)]


@dataclass
class Decoded:
    """A decoded suggestion before gating."""

    text: str
    logp: float  # log P(text) under the decoded (possibly mixed) distribution
    model_logp: float  # log P(text) under the neural model alone
    first_logp: float = 0.0  # log P(taking it saves a keystroke): savings.useful_logp
    savings: float = 0.0  # keystrokes expected to be saved (savings.expected_savings)

    @property
    def confidence(self) -> float:
        return min(1.0, math.exp(self.logp))

    @property
    def first_confidence(self) -> float:
        return min(1.0, math.exp(self.first_logp))

    @property
    def exact_savings(self) -> float:
        """Keystrokes expected to be saved when only all of it can be taken (an alternative's
        key takes all of it): P(text) * (len(text) - 1)."""
        return math.exp(self.logp) * (len(self.text) - 1)

    @property
    def from_document(self) -> bool:
        """The document cache at least doubled the text's probability."""
        return self.logp - self.model_logp > math.log(2.0)


@dataclass
class _Hyp:
    text: str  # relative to the cursor
    logp: float
    model_logp: float
    cum: tuple  # cum[i] = log P(text[: i + 1])
    content: bool  # the current segment holds a non-space character
    state: tuple  # the model state after text, or before its last character while pending
    logits: np.ndarray | None = None  # (V,) next-character logits after text, once stepped
    pending: int = -1  # id of text[-1] still to be fed from `state` (-1: stepped)
    p_end: float = 0.0  # P(whitespace next), once expanded
    p_space: float = 0.0  # P(" " next), once expanded
    word: float = -math.inf  # log P(text) + log P(whitespace next) of a finished word


@dataclass
class _Options:
    context: str
    cache: DocumentCache | None
    threshold: float
    max_chars: int
    beam: int
    tail: str  # the end of the text before the cursor (the word prior's context)
    prefix: str  # the typed word characters of the word at the cursor (the word prior's)
    ban_prefix: str  # the typed part of the unit at the cursor (rejections.unit_start)
    banned: frozenset
    prior: WordPrior | None


class Decoder:
    """Best-first word decoding over a FastModel with an optional DocumentCache."""

    def __init__(self, model: FastModel, vocab: Vocab):
        self.model = model
        self.vocab = vocab
        chars = vocab.chars
        self.index = vocab.index
        # id 0 is the unknown character: never emitted unless the cache names the character
        self.is_ws = np.array([i > 0 and c.isspace() for i, c in enumerate(chars)])  # (V,)
        self.is_nl = np.array([i > 0 and c in _LINE_BREAKS for i, c in enumerate(chars)])
        self.is_space = self.is_ws & ~self.is_nl  # whitespace that stays on the line
        self.space_id = self.index.get(" ", 0)
        self.candidates: list[Decoded] = []  # every candidate of the last decode
        self.groups: list[list[Decoded]] = []  # the same, one list per first word
        # the word prior's words the character model did not step (too unlikely to win the
        # ghost, still fit for an alternative): (rest of the word, log P under the mixture,
        # the character model's share taken as 0)
        self.prior_words: list[tuple[str, float]] = []

    # -- distributions ------------------------------------------------------------------------

    def distribution(
        self, logits: np.ndarray, context: str, cache: DocumentCache | None
    ) -> tuple[np.ndarray, np.ndarray, str | None]:
        """Next-character probabilities (V,) to decode from, the model's own (V,), OOV char.

        Id 0 gets the mass of the most likely out-of-vocabulary character the document offers
        (returned as the third value) or none at all.
        """
        z = np.exp(logits - logits.max())  # (V,)
        p_model = z / z.sum()
        p = p_model.copy()
        p[0] = 0.0
        oov = None
        if cache is not None:
            alpha, sparse = cache.mixture(context)
            if sparse:
                p *= alpha
                best = 0.0
                index = self.index
                for ch, w in sparse.items():
                    i = index.get(ch, 0)
                    if i:
                        p[i] += w
                    elif w > best and not ch.isspace():
                        oov, best = ch, w
                p[0] = best
        return p, p_model, oov

    # -- decoding -----------------------------------------------------------------------------

    def decode(
        self,
        state: tuple,
        logits: np.ndarray,
        context: str,
        *,
        stop_at: str = "word",
        max_chars: int = 40,
        min_confidence: float = 0.0,
        cache: DocumentCache | None = None,
        beam: int = 1,
        min_chars: int = 2,
        rank: str = "word",
        max_steps: int | None = None,
        ahead: dict | None = None,
        separator: bool = False,
        separator_min: float = 0.0,
        phrase_min: float = 0.3,
        banned: frozenset = frozenset(),
        ban_prefix: str = "",
        word_prior: WordPrior | None = None,
    ) -> Decoded | None:
        """The best suggestion after `context` (whose last state/logits are given), or None.

        state: the model state at the cursor (batch 1); logits: (V,) or (1, V) next-character
        logits there; context: the text before the cursor; ahead: text after the cursor ->
        (state, logits (1, V)), states already computed (by an earlier call, see
        `StateCache.ahead`), to which the states stepped here are added; banned: words the
        user typed past at this position, never offered, ban_prefix: the typed part of that
        position's word (both from `rejections.RejectionMemory.observe`); word_prior: a
        word model mixed into the first word's probability (`prior.py`).
        """
        opts = _Options(
            context=context[-cache.max_order :] if cache is not None else context[-64:],
            cache=cache,
            threshold=math.log(max(min_confidence, 1e-12)),
            max_chars=max_chars,
            beam=max(1, beam),
            tail=context[-PRIOR_TAIL:],
            prefix=word_prefix(context) if context else "",
            ban_prefix=ban_prefix,
            banned=banned,
            prior=word_prior,
        )
        self._steps_left = math.inf if max_steps is None else max_steps
        self.prior_words = []
        self._ahead = {} if ahead is None else ahead
        root = _Hyp("", 0.0, 0.0, (), False, state, np.asarray(logits).reshape(-1))
        lead = "any" if stop_at == "none" else "space"
        firsts = self._words(root, opts, lead=lead, need_lead=False, keep=opts.beam, first=True)
        scored: list[Decoded] = []
        groups: list[list[Decoded]] = []
        for w in firsts:
            group = [w]
            sep = self._separated(w, separator_min) if separator else None
            if sep is not None:
                group.append(sep)
                if stop_at != "word":
                    group.extend(self._phrase(sep, opts, phrase_min, separator_min))
            if stop_at in ("line", "none"):  # the phrase's candidates, and the longer line
                line = self._line(w, opts, lead)
                if line is not w:
                    group.append(line)
                    sep = self._separated(line, separator_min) if separator else None
                    group.extend([] if sep is None else [sep])
            decoded = [self._decoded(h) for h in group if len(h.text) >= min_chars]
            scored.extend(decoded)
            if decoded:
                groups.append(decoded)
            if decoded and rank != "savings":
                break  # rank "word": the likeliest word that can be shown, and its extensions
        self.candidates = scored
        self.groups = groups
        if not scored:
            return None
        return max(scored, key=lambda d: d.savings)

    def _decoded(self, h: _Hyp) -> Decoded:
        return Decoded(
            h.text,
            h.logp,
            h.model_logp,
            useful_logp(h.text, h.cum),
            expected_savings(h.text, h.cum),
        )

    def _line(self, best: _Hyp, opts: _Options, lead: str) -> _Hyp:
        """Words after `best` while above the threshold, to the end of the line ("none":
        across lines), each starting with whitespace."""
        while len(best.text) < opts.max_chars:
            root = _Hyp(
                best.text, best.logp, best.model_logp, best.cum, False, best.state, best.logits
            )
            root.pending = best.pending
            nxt = self._words(root, opts, lead=lead, need_lead=True, keep=1, first=False)
            if not nxt or nxt[0].p_end < LINE_END_MIN or len(nxt[0].text) >= opts.max_chars:
                break  # no next word, one cut by max_chars or by the step budget ("as t")
            best = nxt[0]
        return best

    def _separated(self, w: _Hyp, separator_min: float) -> _Hyp | None:
        """`w` followed by a space, when the model gives the space at least separator_min."""
        if not self.space_id or w.p_space <= 0.0 or w.p_space < separator_min:
            return None
        if w.text.endswith(" "):
            return None
        lp = w.logp + math.log(w.p_space)
        h = _Hyp(
            w.text + " ", lp, w.model_logp + math.log(w.p_space), w.cum + (lp,), False, w.state
        )
        h.pending = self.space_id
        return h

    def _phrase(
        self, sep: _Hyp, opts: _Options, phrase_min: float, separator_min: float
    ) -> list[_Hyp]:
        """The words after `sep` (a word and its space) while P(text) >= phrase_min: each word,
        and each word with its own space, is a candidate."""
        out: list[_Hyp] = []
        floor = math.log(max(phrase_min, 1e-12))
        cur = sep
        while cur.logp >= floor and len(cur.text) < opts.max_chars:
            nxt = self._words(
                cur, opts, lead="space", need_lead=False, keep=1, first=False, floor=floor
            )
            if not nxt:
                break
            word = nxt[0]
            out.append(word)
            cur = self._separated(word, separator_min)
            if cur is None:
                break
            out.append(cur)
        return out

    # -- the segment search -------------------------------------------------------------------

    def _step(self, h: _Hyp) -> bool:
        """Feed h's pending character (from `ahead` when an earlier call did); False when out
        of model steps."""
        if h.pending < 0:
            return True
        hit = self._ahead.get(h.text)
        if hit is not None:  # stepped along this text at an earlier keystroke
            h.state, logits = hit
        else:
            if self._steps_left <= 0:
                return False
            self._steps_left -= 1
            logits, h.state = self.model.step(np.array([h.pending]), h.state)  # (1, V)
            self._ahead[h.text] = (h.state, logits)
        h.logits = logits[0]
        h.pending = -1
        return True

    def _words(
        self,
        root: _Hyp,
        opts: _Options,
        *,
        lead: str,
        need_lead: bool,
        keep: int,
        first: bool,
        floor: float | None = None,
    ) -> list[_Hyp]:
        """Finished words after `root`, likeliest first, at most `keep` (see the docstring).

        lead: which whitespace may precede the word ("space": spaces/tabs; "any": line breaks
        too); need_lead: the first character must be such whitespace; first: the word at the
        cursor (rejections and the word prior's typed prefix apply); floor: prune prefixes
        below this log probability instead of the threshold.
        """
        threshold = opts.threshold if floor is None else floor
        lead_mask = self.is_space if lead == "space" else self.is_ws  # (V,)
        heap = [(-root.logp, 0, root)]
        order = 0
        found: list[_Hyp] = []
        kth = -math.inf  # the keep-th best word score found
        while heap:
            neg, _, h = heapq.heappop(heap)
            if -neg <= kth:
                break  # no prefix left can beat the words found
            if not self._step(h):
                break  # out of model steps: keep the words found so far
            p, p_model, oov = self.distribution(h.logits, opts.context + h.text, opts.cache)
            if self.space_id:
                h.p_space = float(p[self.space_id])
            cut = len(h.text) >= opts.max_chars  # a word cut by max_chars needs no end
            if h.content:
                h.p_end = float(p[self.is_ws].sum())
                if h.p_end > 0.0 or cut:
                    h.word = h.logp if cut else h.logp + math.log(h.p_end)
                if h.word > -math.inf and not (
                    first and is_banned(opts.ban_prefix, h.text, opts.banned)
                ):
                    found.append(h)
                    found.sort(key=lambda x: -x.word)
                    del found[keep:]
                    if len(found) >= keep:
                        kth = found[-1].word
                allowed = ~self.is_ws  # the word goes on
            elif need_lead and h is root:
                allowed = lead_mask
            else:
                allowed = lead_mask | ~self.is_ws  # more leading space, or the word starts
            if cut:
                continue
            q = np.where(allowed, p, 0.0)  # (V,)
            if oov is None:
                q[0] = 0.0
            k = min(BRANCH, int(np.count_nonzero(q)))
            if k == 0:
                continue
            top = np.argpartition(-q, k - 1)[:k] if k < len(q) else np.arange(len(q))
            for i in top:
                pi = float(q[i])
                lp = h.logp + math.log(pi) if pi > 0.0 else -math.inf
                if lp < threshold or lp <= kth:
                    continue
                pm = float(p_model[i])
                mlp = h.model_logp + (math.log(pm) if pm > 0 else -math.inf)
                ch = oov if i == 0 else self.vocab.chars[i]
                child = _Hyp(
                    h.text + ch, lp, mlp, h.cum + (lp,), h.content or not ch.isspace(), h.state
                )
                child.pending = int(i)
                order += 1
                heapq.heappush(heap, (-lp, order, child))
        if first and opts.prior is not None:
            found = self._with_prior(root, found, opts, keep)
        return found

    # -- the word-model hook ------------------------------------------------------------------

    def _with_prior(self, root: _Hyp, found: list[_Hyp], opts: _Options, keep: int) -> list:
        """Add the word prior's candidates (stepped through the character model) and mix the
        two word distributions (prior.py); the best `keep` by mixed word score."""
        tail = opts.tail
        if not (opts.prefix or not tail or tail[-1].isspace()):
            return found  # after punctuation: the next word's position is not clear yet
        ctx = context_words(tail)
        prefix = opts.prefix
        listed = opts.prior.top_continuations(ctx, prefix, PRIOR_CANDIDATES)
        if not listed:
            return found
        z = sum(math.exp(lp) for _, lp in listed)
        have = {prefix + h.text: h for h in found}
        for word, lp in listed:
            if word in have or not word.startswith(prefix) or len(word) <= len(prefix):
                continue
            if math.exp(lp) / z < PRIOR_MIN_SHARE or is_banned(
                opts.ban_prefix, word[len(prefix) :], opts.banned
            ):
                continue  # too unlikely to win (each costs model steps), or typed past
            h = self._force(root, word[len(prefix) :], opts)
            if h is None:
                break  # out of model steps
            if not is_banned(opts.ban_prefix, h.text, opts.banned) and h.p_end > 0.0:
                have[word] = h
        self.prior_words = [
            (word[len(prefix) :], math.log(PRIOR_WEIGHT * math.exp(lp) / z))
            for word, lp in listed
            if word not in have and word.startswith(prefix) and len(word) > len(prefix)
        ]
        out = []
        for word, h in have.items():
            if not h.text or h.text[0].isspace() or h.p_end <= 0.0:
                out.append(h)
                continue
            p_char = math.exp(h.logp - root.logp) * h.p_end
            p_word = math.exp(opts.prior.logprob(word, ctx)) / z
            mixed = max((1.0 - PRIOR_WEIGHT) * p_char + PRIOR_WEIGHT * p_word, 1e-300)
            # the mixture replaces P(rest) * P(end): P(rest) takes it (at most 1), P(end) the
            # remainder, P(space) scaled alike
            logp = min(0.0, root.logp + math.log(mixed) - math.log(h.p_end))
            p_end = min(1.0, mixed / math.exp(logp - root.logp))
            h.p_space *= p_end / h.p_end
            h.logp, h.p_end = logp, p_end
            h.cum = h.cum[:-1] + (logp,)
            h.word = logp + math.log(p_end)
            out.append(h)
        out.sort(key=lambda x: -x.word)
        return out[:keep]

    def _force(self, root: _Hyp, rest: str, opts: _Options) -> _Hyp | None:
        """`root` followed by `rest`, stepped through the character model (None when out of
        model steps)."""
        h = root
        for ch in rest:
            if not self._step(h):
                return None
            p, p_model, _ = self.distribution(h.logits, opts.context + h.text, opts.cache)
            i = self.index.get(ch, 0)
            pi, pm = float(p[i]), float(p_model[i])
            lp = h.logp + (math.log(pi) if pi > 0 else -math.inf)
            mlp = h.model_logp + (math.log(pm) if pm > 0 else -math.inf)
            child = _Hyp(h.text + ch, lp, mlp, h.cum + (lp,), True, h.state)
            child.pending = i
            h = child
        if not self._step(h):
            return None
        p, _, _ = self.distribution(h.logits, opts.context + h.text, opts.cache)
        h.p_end = float(p[self.is_ws].sum())
        h.p_space = float(p[self.space_id]) if self.space_id else 0.0
        h.word = h.logp + math.log(h.p_end) if h.p_end > 0 else -math.inf
        return h
