"""The document layer of the word model: n-gram counts of the text being edited, mixed in.

`DocumentWordCounts` counts the n-grams (orders 1-3 by default) of the document, updated
incrementally: `set_text(text)` recounts only the sentences that changed (a word still being
typed at the very end is not counted), `add_text` / `remove_text` add or take away a text's
n-grams, `update_from_counts` adds counts from elsewhere (the user's habits store), `reset`
forgets everything. Passed as `doc=` to `WordLM.logprob` / `top_continuations`, it mixes

    p(w | h) = (1 - lam_N) p_static(w | h) + lam_N p_doc(w | h),   lam_N = lam N / (N + beta)

with N the document's token count, p_doc interpolated absolute discounting (D = 0.75) of the
document counts backing off to their unigram frequencies (zero for a word the document lacks),
p_static of a word outside the static vocabulary = `<unk>`'s. `lam` and `beta` are fitted by
`wordlm.fit_document_weight` (maximum likelihood of held-out text streamed through the layer) and
kept in the model's header. Words of the document are offered by `top_continuations` even
when the static model never saw them (the names of this document), but a document word is
only found by its unigram count when at most `WIDE_RANGE` document words share the prefix.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ghostpen.model.wordtok import (
    BOS,
    EOS,
    corpus_sentences,
    is_word,
    sentence_spans,
    sentences,
)

DISCOUNT = 0.75
DEFAULT_WEIGHT = {"lam": 0.1, "beta": 100.0}  # without a fitted weight
WIDE_RANGE = 256  # more document words than this with the prefix: only successors offered
FIT_DOC_TOKENS = 4000  # the held-out text is streamed as documents of this many tokens
FIT_MAX_CHARS = 400_000  # at most this much held-out text is scored
_LAMS = np.array([0.0, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5])
_BETAS = np.array([1.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0])


class DocumentWordCounts:
    """n-gram counts of one document (and whatever `update_from_counts` added)."""

    def __init__(self, order: int = 3, discount: float = DISCOUNT):
        self.order, self.discount = order, discount
        self.reset()

    def reset(self) -> None:
        """Forget every count."""
        self.succ: dict[tuple[str, ...], dict[str, int]] = {}  # context -> word -> count
        self.total: dict[tuple[str, ...], int] = {}  # context -> sum of its counts
        self.vocab: list[str] = []  # sorted words with a unigram count
        self._text = ""  # what set_text counted, and its sentences (offset, tokens)
        self._spans: list[tuple[int, tuple[str, ...]]] = []

    @property
    def tokens(self) -> int:
        """N: the unigram count total."""
        return self.total.get((), 0)

    def _add(self, ngram: tuple[str, ...], count: int) -> None:
        ctx, word = ngram[:-1], ngram[-1]
        successors = self.succ.setdefault(ctx, {})
        old = successors.get(word, 0)
        new = max(0, old + count)
        if new:
            successors[word] = new
        else:
            successors.pop(word, None)
        self.total[ctx] = self.total.get(ctx, 0) + new - old
        if not successors:
            del self.succ[ctx]
            del self.total[ctx]
        if not ctx and is_word(word) and (old == 0) != (new == 0):
            i = bisect.bisect_left(self.vocab, word)
            if new:
                self.vocab.insert(i, word)
            elif i < len(self.vocab) and self.vocab[i] == word:
                del self.vocab[i]

    def add_sentence(self, tokens: Sequence[str], sign: int = 1) -> None:
        """Count (sign 1) or uncount (sign -1) the n-grams of one sentence's tokens."""
        seq = (BOS, *tokens, EOS)
        for i in range(1, len(seq)):
            for n in range(1, min(self.order, i + 1) + 1):
                self._add(seq[i - n + 1 : i + 1], sign)

    def add_text(self, text: str, sign: int = 1) -> None:
        """Count every sentence of `text` (sign -1: take them away again)."""
        for sentence in sentences(text):
            self.add_sentence(sentence, sign)

    def remove_text(self, text: str) -> None:
        self.add_text(text, -1)

    def set_text(self, text: str) -> None:
        """Make the text-derived counts those of `text`, recounting only changed sentences
        (text before the first change is not even read again). A word being typed at the end
        of `text` (no space after it yet) is left out."""
        old_text, spans = self._text, self._spans
        same = _common_prefix(old_text, text)
        i = bisect.bisect_right([start for start, _ in spans], same) - 2  # one sentence back
        keep = spans[: max(i, 0)]
        pos = spans[i][0] if i > 0 else 0
        new = keep + [(start, tuple(t)) for start, t in sentence_spans(text, pos)]
        if new and text and (text[-1].isalnum() or text[-1] == "_") and is_word(new[-1][1][-1]):
            new[-1] = (new[-1][0], new[-1][1][:-1])
        a = len(keep)
        while a < min(len(spans), len(new)) and spans[a][1] == new[a][1]:
            a += 1
        b = 0
        while b < min(len(spans), len(new)) - a and spans[-1 - b][1] == new[-1 - b][1]:
            b += 1
        for _, sentence in spans[a : len(spans) - b]:
            self.add_sentence(sentence, -1)
        for _, sentence in new[a : len(new) - b]:
            self.add_sentence(sentence, 1)
        self._text, self._spans = text, new

    def update_from_counts(self, counts: Mapping[tuple[str, ...], int], sign: int = 1) -> None:
        """Add n-gram counts (tuples of tokens, `<s>` only first) from elsewhere, e.g. the
        user's habits store; give every order (a 3-gram's 1- and 2-grams too). Orders above
        the layer's are ignored; sign -1 takes them away."""
        for ngram, count in counts.items():
            if 1 <= len(ngram) <= self.order:
                self._add(tuple(ngram), sign * int(count))

    # --- probabilities ----------------------------------------------------------------
    def context(self, context_words: Sequence[str]) -> tuple[str, ...]:
        ctx = (
            tuple(context_words)[len(context_words) - (self.order - 1) :] if self.order > 1 else ()
        )
        if BOS in ctx:
            ctx = ctx[len(ctx) - 1 - ctx[::-1].index(BOS) :]
        return ctx

    def prob(self, word: str, ctx: tuple[str, ...]) -> float:
        """p_doc(word | ctx), ctx from `context`."""
        n_tokens = self.tokens
        if not n_tokens:
            return 0.0
        p = self.succ[()].get(word, 0) / n_tokens
        d = self.discount
        for n in range(1, len(ctx) + 1):
            h = ctx[len(ctx) - n :]
            successors = self.succ.get(h)
            if not successors:
                break
            total = self.total[h]
            p = max(successors.get(word, 0) - d, 0) / total + d * len(successors) / total * p
        return p

    def weight(self, lm) -> float:
        w = lm.document_weight or DEFAULT_WEIGHT
        n = self.tokens
        return float(w["lam"]) * n / (n + float(w["beta"])) if n else 0.0

    def logprob(self, lm, word: str, context_words: Sequence[str]) -> float:
        lam = self.weight(lm)
        ps = lm.probs(np.array([lm.token_id(word)]), lm.context_ids(context_words))[0]
        p = (1 - lam) * ps + lam * self.prob(word, self.context(context_words))
        return math.log(p) if p > 0 else -math.inf

    def _doc_candidates(self, ctx: tuple[str, ...], prefix: str) -> set[str]:
        found: set[str] = set()
        for n in range(1, len(ctx) + 1):
            for w in self.succ.get(ctx[len(ctx) - n :], ()):
                if w.startswith(prefix) and is_word(w):
                    found.add(w)
        lo = bisect.bisect_left(self.vocab, prefix)
        hi = (
            bisect.bisect_left(self.vocab, prefix + "\U0010ffff", lo) if prefix else len(self.vocab)
        )
        if hi - lo <= WIDE_RANGE:
            found.update(self.vocab[lo:hi])
        return found

    def top_continuations(self, lm, context_words, prefix: str, k: int):
        if k <= 0:
            return []
        lam = self.weight(lm)
        context = lm.context_ids(context_words)
        lo, hi = lm.prefix_range(prefix)
        ids = lm.candidates(context, lo, hi, k)
        words = [lm.words[i] for i in ids]
        extra = self._doc_candidates(self.context(context_words), prefix) - set(words)
        words += sorted(extra)
        ids = np.concatenate([ids, np.array([lm.token_id(w) for w in sorted(extra)], np.int64)])
        if not words:
            return []
        ps = lm.probs(ids.astype(np.int64), context)
        ctx = self.context(context_words)
        pd = np.array([self.prob(w, ctx) for w in words]) if lam else 0.0
        p = (1 - lam) * ps + lam * pd
        best = np.argsort(-p, kind="stable")[:k]
        return [(words[j], math.log(p[j])) for j in best if p[j] > 0]


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix of two strings (bisection over C comparisons)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def heldout_split(texts: Iterable[str]) -> tuple[str, list[list[str]]]:
    """(the first 90% of the text, the sentences of the last 10%, at most `FIT_MAX_CHARS`)."""
    full = "\n\n".join(texts)
    cut = int(len(full) * 0.9)
    return full[:cut], list(corpus_sentences([full[cut : cut + FIT_MAX_CHARS]]))


def fit_weight(static, held: list[list[str]]) -> dict:
    """Fit `lam` and `beta`: `static` (a WordLM of the rest of the text) predicts the words of
    `held`, streamed through a document layer in documents of `FIT_DOC_TOKENS` tokens
    (`wordlm.fit_document_weight` builds both)."""
    doc = DocumentWordCounts()
    ps, pd, ns = [], [], []
    seen = 0
    for sentence in held:
        if seen >= FIT_DOC_TOKENS:
            doc.reset()
            seen = 0
        history = [BOS]
        for token in [*sentence, EOS]:
            if is_word(token):
                ps.append(math.exp(static.logprob(token, history)))
                pd.append(doc.prob(token, doc.context(history)))
                ns.append(doc.tokens)
            history.append(token)
        doc.add_sentence(sentence)
        seen += len(sentence) + 1
    ps, pd, ns = np.array(ps), np.array(pd), np.array(ns, dtype=np.float64)
    best, best_score = dict(DEFAULT_WEIGHT), -math.inf
    for beta in _BETAS:
        lam_n = _LAMS[:, None] * (ns / (ns + beta))[None, :]  # (lams, tokens)
        score = np.log((1 - lam_n) * ps + lam_n * pd + 1e-300).mean(axis=1)
        i = int(np.argmax(score))
        if score[i] > best_score:
            best_score, best = score[i], {"lam": float(_LAMS[i]), "beta": float(beta)}
    base = float(np.log(ps + 1e-300).mean())
    return {**best, "heldout_words": int(len(ps)), "gain_nats": round(best_score - base, 4)}
