"""Decode a suggestion from the state at the cursor: a small beam search, one word at a time.

A *segment* is one word in the sense of `ghostpen.suggest.words`: optional leading whitespace,
then characters up to (not including) the next whitespace. A segment is finished when the
model predicts whitespace after some non-space text; its score is log P(text) + log P(any
whitespace next), so "the" and "then" compete fairly. The stop rule decides how many segments
make a suggestion:

    word  one segment (completes the current word, or the next one after a space)
    line  segments while the suggestion stays above min_confidence, up to the end of the line
    none  the same, across line breaks too

Confidence is the probability of the suggested text itself, P(text) = product of the chosen
characters' probabilities under the distribution decoded from (the neural model, mixed with the
document cache when adapting). It is the model's own estimate that the user will type exactly
this next; it is not the probability of the word ending there, which only ranks candidates.
Hypotheses below `min_confidence` are pruned at once (a longer text is never more likely), and
a hypothesis that cannot beat the best finished one stops, so most keystrokes cost 1-3 steps;
`max_steps` bounds the model steps of one call (the latency) in any case.

rank="savings" ranks candidates by the keystrokes Tab is expected to save instead,
P(text) * (len(text) - 1), so a confident longer text beats a likelier short one.

Beam rows are stepped one by one: for these sizes OpenBLAS's matrix-vector product (batch 1)
is ~10x faster than its small-batch matrix product, so a batched step would be slower.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ghostpen.model.fast import FastModel
from ghostpen.model.vocab import Vocab
from ghostpen.suggest.adapt import DocumentCache

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass
class Decoded:
    """A decoded suggestion before gating."""

    text: str
    logp: float  # log P(text) under the decoded (possibly mixed) distribution
    model_logp: float  # log P(text) under the neural model alone

    @property
    def confidence(self) -> float:
        return min(1.0, math.exp(self.logp))

    @property
    def from_document(self) -> bool:
        """The document cache at least doubled the text's probability."""
        return self.logp - self.model_logp > math.log(2.0)


@dataclass
class _Hyp:
    text: str
    logp: float
    model_logp: float
    state: tuple  # model state after feeding text (batch 1)
    logits: np.ndarray  # (V,) next-character logits after text
    content: bool  # text holds a non-space character


def _savings(h: _Hyp) -> float:
    """log of the keystrokes Tab is expected to save: P(text) * (len(text) - 1)."""
    return h.logp + math.log(len(h.text) - 1) if len(h.text) > 1 else -math.inf


class Decoder:
    """Beam-search decoding over a FastModel with an optional DocumentCache."""

    def __init__(self, model: FastModel, vocab: Vocab):
        self.model = model
        self.vocab = vocab
        chars = vocab.chars
        self.index = vocab.index
        # id 0 is the unknown character: never emitted unless the cache names the character
        self.is_ws = np.array([i > 0 and c.isspace() for i, c in enumerate(chars)])  # (V,)
        self.is_nl = np.array([i > 0 and c in _LINE_BREAKS for i, c in enumerate(chars)])
        self.is_space = self.is_ws & ~self.is_nl  # whitespace that stays on the line

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
    ) -> Decoded | None:
        """The best suggestion after `context` (whose last state/logits are given), or None.

        state: the model state at the cursor (batch 1); logits: (V,) or (1, V) next-character
        logits there; context: the text before the cursor (its tail is read by the cache);
        ahead: text after the cursor -> (state, logits (1, V)), states already computed (by an
        earlier call, see `StateCache.ahead`); the states stepped here are added to it.
        """
        threshold = math.log(max(min_confidence, 1e-12))
        context = context[-cache.max_order :] if cache is not None else ""
        self._rank = rank
        self._steps_left = math.inf if max_steps is None else max_steps
        self._ahead = {} if ahead is None else ahead
        root = _Hyp("", 0.0, 0.0, state, np.asarray(logits).reshape(-1), False)
        first = self._segment(
            root,
            context,
            threshold,
            max_chars,
            cache,
            beam,
            min_chars,
            lead="any" if stop_at == "none" else "space",
            need_lead=False,
        )
        if first is None:
            return None
        best = first
        if stop_at != "word":
            lead = "any" if stop_at == "none" else "space"
            while len(best.text) < max_chars:
                root = _Hyp(best.text, best.logp, best.model_logp, best.state, best.logits, False)
                nxt = self._segment(
                    root, context, threshold, max_chars, cache, beam, 1, lead=lead, need_lead=True
                )
                if nxt is None:
                    break
                best = nxt
        return Decoded(best.text, best.logp, best.model_logp)

    def _segment(
        self,
        root: _Hyp,
        context: str,
        threshold: float,
        max_chars: int,
        cache: DocumentCache | None,
        beam: int,
        min_chars: int,
        *,
        lead: str,
        need_lead: bool,
    ) -> _Hyp | None:
        """Extend `root` by one word; None when no extension stays above `threshold`.

        lead: which whitespace may precede the word ("space": spaces/tabs; "any": line breaks
        too); need_lead: the first character must be such whitespace (continuing after a word).
        """
        lead_mask = self.is_space if lead == "space" else self.is_ws  # (V,)
        live = [root]
        best: _Hyp | None = None
        best_score = -math.inf  # log P(text) + log P(whitespace next) of `best`
        savings = self._rank == "savings"
        if savings:
            # rank by expected keystrokes saved, log(P(text) * (len(text) - 1)); a
            # continuation must beat the text it continues
            bound = math.log(max(max_chars - 1, 1))
            if need_lead:
                best_score = _savings(root)
        while live:
            candidates: list[tuple[float, _Hyp, int, float, float, str | None]] = []
            for h in live:
                p, p_model, oov = self.distribution(h.logits, context + h.text, cache)
                if h.content:
                    p_end = float(p[self.is_ws].sum())
                    if savings:
                        score = _savings(h)
                    else:
                        score = h.logp + math.log(p_end) if p_end > 0 else -math.inf
                    if score > best_score and len(h.text) - len(root.text) >= min_chars:
                        best, best_score = h, score
                    allowed = ~self.is_ws  # the word goes on
                elif need_lead and h is root:
                    allowed = lead_mask
                else:
                    allowed = lead_mask | ~self.is_ws  # more leading space, or the word starts
                if len(h.text) >= max_chars:
                    long_enough = len(h.text) - len(root.text) >= min_chars
                    end_score = _savings(h) if savings else h.logp
                    if h.content and end_score > best_score and long_enough:
                        best, best_score = h, end_score
                    continue
                q = np.where(allowed, p, 0.0)  # (V,)
                if oov is None:
                    q[0] = 0.0
                k = min(beam, int(np.count_nonzero(q)))
                if k == 0:
                    continue
                top = np.argpartition(-q, k - 1)[:k] if k < len(q) else np.arange(len(q))
                for i in top:
                    pi = float(q[i])
                    if pi <= 0.0:
                        continue
                    lp = h.logp + math.log(pi)
                    pm = float(p_model[i])
                    mlp = h.model_logp + (math.log(pm) if pm > 0 else -math.inf)
                    candidates.append((lp, h, int(i), pi, mlp, oov if i == 0 else None))
            # keep the best `beam` that can still be shown and can still beat `best`
            candidates.sort(key=lambda c: -c[0])
            live = []
            for lp, h, i, _pi, mlp, oov_ch in candidates[:beam]:
                if lp < threshold or lp + (bound if savings else 0.0) <= best_score:
                    break
                ch = oov_ch if i == 0 else self.vocab.chars[i]
                key = h.text + ch
                hit = self._ahead.get(key)
                if hit is not None:  # stepped along this text at an earlier keystroke
                    state, logits = hit
                else:
                    if self._steps_left <= 0:  # out of time: keep the best finished so far
                        break
                    self._steps_left -= 1
                    logits, state = self.model.step(np.array([i]), h.state)  # (1, V)
                    self._ahead[key] = (state, logits)
                live.append(
                    _Hyp(h.text + ch, lp, mlp, state, logits[0], h.content or not ch.isspace())
                )
        return best
