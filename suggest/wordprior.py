"""The word n-gram model (`ghostpen.model.wordlm`) as the decoder's `WordPrior`, per document.

`DocumentPrior` pairs the checkpoint's static model with one document's counts
(`ghostpen.model.worddoc.DocumentWordCounts`): before each suggestion the engine calls
`sync(before)` (only the sentences that changed are recounted), and `logprob` /
`top_continuations` mix the document in, so a name typed earlier in the document is a word
candidate with a probability. Without adaptation the static model alone is used.
"""

from __future__ import annotations

from collections.abc import Sequence

from ghostpen.model.worddoc import DocumentWordCounts

SYNC_CHARS = 20_480  # the document text counted: the engine's window (16,384-20,479) at most


class DocumentPrior:
    """A `WordPrior` over a static word model and, optionally, one document's counts."""

    def __init__(self, lm, adapt: bool = True):
        self.lm = lm
        self.doc: DocumentWordCounts | None = DocumentWordCounts() if adapt else None

    def sync(self, before: str) -> None:
        """Count the document text before the cursor (the word being typed is left out)."""
        if self.doc is not None:
            self.doc.set_text(before[-SYNC_CHARS:])

    def logprob(self, word: str, context_words: Sequence[str]) -> float:
        return self.lm.logprob(word, context_words, doc=self.doc)

    def top_continuations(self, context_words: Sequence[str], prefix: str, k: int):
        return self.lm.top_continuations(context_words, prefix, k, doc=self.doc)
