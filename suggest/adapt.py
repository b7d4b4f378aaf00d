"""Document adaptation: a character n-gram cache over the text being edited, mixed with the RNN.

The neural model knows the language; the document knows its own names and phrases. The cache
counts, for every context of `min_order`..`max_order` characters in the document, which
characters followed it. The next-character distribution is then a cascade of Witten-Bell-style
interpolations that starts from the neural model and refines it with ever longer contexts:

    p_0 = p_model
    p_k = lam_k * counts_k / n_k + (1 - lam_k) * p_{k-1},   lam_k = n_k / (n_k + beta*u_k + gamma)

for k = min_order, ... while the document has seen the context of length k (n_k followers,
u_k of them distinct). A name seen twice ("Zarathustrovich") has deterministic long contexts,
so its continuation gets most of the mass after a few typed letters; a context followed by
many different characters keeps most of its mass on the model. The mixture is returned as
`alpha * p_model + sparse`, so applying it costs one vector scale plus a few additions.

Counts follow the text by diffs: `sync(text)` finds the changed span (common prefix/suffix)
and only re-counts the n-grams that overlap it, so a keystroke costs ~max_order dict updates,
wherever it happens; a window that dropped its first characters (the editor aligns `before`
to 4096-character steps) is recognised and costs only the dropped n-grams.
"""

from __future__ import annotations

from ghostpen.suggest.textdiff import common_prefix_len, common_suffix_len

_SHIFT_PROBE = 256  # characters of the new text searched for in the old one to spot a shift


class DocumentCache:
    """Character n-gram counts over one document, updated incrementally."""

    def __init__(
        self, min_order: int = 3, max_order: int = 10, beta: float = 1.0, gamma: float = 1.0
    ):
        if not 1 <= min_order <= max_order:
            raise ValueError("orders must satisfy 1 <= min_order <= max_order")
        self.min_order = min_order
        self.max_order = max_order
        self.beta = beta
        self.gamma = gamma
        self.text = ""
        # context (k characters) -> {next character: count}
        self._counts: dict[str, dict[str, int]] = {}

    def __len__(self) -> int:
        return len(self.text)

    def clear(self) -> None:
        self.text = ""
        self._counts.clear()

    # -- updates ------------------------------------------------------------------------------

    def _apply(self, text: str, start: int, end: int, sign: int) -> None:
        """Add (sign=1) or remove (-1) the n-grams of `text` overlapping text[start:end].

        An n-gram of order k at follower position i spans text[i-k:i+1]; it overlaps the span
        when i >= start and i - k < end.
        """
        counts = self._counts
        n = len(text)
        for k in range(self.min_order, self.max_order + 1):
            for i in range(max(start, k), min(n, end + k)):
                ctx = text[i - k : i]
                ch = text[i]
                followers = counts.get(ctx)
                if sign > 0:
                    if followers is None:
                        counts[ctx] = {ch: 1}
                    else:
                        followers[ch] = followers.get(ch, 0) + 1
                elif followers is not None and ch in followers:
                    left = followers[ch] - 1
                    if left:
                        followers[ch] = left
                    else:
                        del followers[ch]
                        if not followers:
                            del counts[ctx]

    def append(self, chars: str) -> None:
        """The document grew at its end."""
        old = len(self.text)
        self.text += chars
        self._apply(self.text, old, len(self.text), +1)

    def drop_front(self, n: int) -> None:
        """Forget the first `n` characters (the window moved forward)."""
        n = min(n, len(self.text))
        if n:
            self._apply(self.text, 0, n, -1)
            self.text = self.text[n:]

    def sync(self, text: str) -> None:
        """Make the counts describe `text`, re-counting only what changed since the last call."""
        old = self.text
        if text == old:
            return
        p = common_prefix_len(old, text)
        s = common_suffix_len(old, text, min(len(old), len(text)) - p)
        if p < _SHIFT_PROBE and len(old) - p - s > 2 * _SHIFT_PROBE:
            # a big change near the start: maybe the window dropped its first characters
            shift = old.find(text[:_SHIFT_PROBE], 1) if len(text) >= _SHIFT_PROBE else -1
            if shift > 0:
                self.drop_front(shift)
                old = self.text
                p = common_prefix_len(old, text)
                s = common_suffix_len(old, text, min(len(old), len(text)) - p)
        self._apply(old, p, len(old) - s, -1)
        self._apply(text, p, len(text) - s, +1)
        self.text = text

    # -- prediction ---------------------------------------------------------------------------

    def followers(self, context: str) -> dict[str, int]:
        """Counts of the characters that followed `context` in the document (a copy)."""
        return dict(self._counts.get(context, {}))

    def mixture(self, context: str) -> tuple[float, dict[str, float]]:
        """Next-character mixture after `context`: p = alpha * p_model + sparse.

        `sparse` maps characters to probability mass (they may be outside the model's
        vocabulary); alpha + sum(sparse.values()) == 1.
        """
        alpha = 1.0
        sparse: dict[str, float] = {}
        counts = self._counts
        for k in range(self.min_order, min(self.max_order, len(context)) + 1):
            followers = counts.get(context[-k:])
            if followers is None:
                break  # a longer context cannot have been seen either
            n = sum(followers.values())
            lam = n / (n + self.beta * len(followers) + self.gamma)
            keep = 1.0 - lam
            alpha *= keep
            for ch in sparse:
                sparse[ch] *= keep
            scale = lam / n
            for ch, c in followers.items():
                sparse[ch] = sparse.get(ch, 0.0) + scale * c
        return alpha, sparse
