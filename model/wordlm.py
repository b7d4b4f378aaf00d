"""The word n-gram model: modified Kneser-Ney, orders 1-4, queried at keystroke speed.

    lm = WordLM.train(texts, order=4)              # counting: model/wordcount.py
    lm.logprob("nature", ("of", "human"))          # natural log, interpolated KN
    lm.top_continuations(("of", "the"), "sa", 5)   # [("same", -2.1), ...] best first
    lm.save(folder); WordLM.load(folder)           # folder/wordlm.npz, no pickle

Tokens are those of `model/wordtok.py` (words, punctuation, `<s>` after a sentence end);
`wordtok.split_context(text_before_cursor)` gives the context and the typed prefix. A
`DocumentWordCounts` (model/worddoc.py) passed as `doc=` mixes in the counts of the document
being edited (and of the user's habits). The file is one `.npz` (read with
`allow_pickle=False`) holding the arrays of `wordcount.build` and a JSON header with a format
version; a checkpoint names it in meta.json (`files.wordlm`, `word_model`).
"""

from __future__ import annotations

import bisect
import io
import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ghostpen.model import wordcount as wc
from ghostpen.model.atomic import atomic_write_bytes, default_file_mode
from ghostpen.model.checkpoint import default_model_path, read_checkpoint
from ghostpen.model.meta import WordModelEntry
from ghostpen.model.meta import to_json as meta_json
from ghostpen.model.metaschema import MetaError, load_json, plain_file_name, read_meta
from ghostpen.model.worddoc import DEFAULT_WEIGHT, fit_weight, heldout_split
from ghostpen.model.wordtok import BOS, EOS, UNK, corpus_sentences, is_word

FORMAT = "ghostpen-wordlm"
FORMAT_VERSION = 1
FILE = "wordlm.npz"
_SCAN = 1024  # unigram candidates examined at a time for a wide prefix range
# successors of one context level taken as candidates, at most (the most probable ones): the
# top k is exact unless a word below this rank at every level makes it (k is 1 to 10)
MAX_SUCCESSORS = 256


class WordLMError(ValueError):
    """A word model file that cannot be used; the message names the file and the fault."""


class WordLM:
    """A loaded model: arrays of `wordcount.build` plus what queries derive from them."""

    def __init__(self, header: dict, arrays: dict[str, np.ndarray]):
        self.header = header
        self.order = int(header["order"])
        self.discounts = [tuple(d) for d in header["discounts"]]
        self.document_weight = dict(header.get("document_weight") or {})
        self.words = bytes(arrays["vocab"]).decode("utf-8").split("\n")  # id -> token
        if self.words[:3] != [UNK, BOS, EOS]:
            raise ValueError("the vocabulary does not start with <unk>, <s>, </s>")
        self._sorted = self.words[3:]  # sorted: id = 3 + index
        if len(self.words) != int(header["vocab"]) or any(
            a >= b for a, b in zip(self._sorted, self._sorted[1:], strict=False)
        ):
            raise ValueError("the vocabulary is not sorted, or not of the size the header says")
        self._arrays = arrays
        vocab = len(self.words)
        count1 = arrays["count1"].astype(np.float64)
        d = wc.discount_of(arrays["count1"].astype(np.int64), self.discounts[0])
        total = count1.sum() - count1[wc.BOS_ID]
        p1 = np.maximum(count1 - d, 0.0) / max(total, 1.0)
        gamma = (d.sum() - d[wc.BOS_ID]) / max(total, 1.0) if total else 1.0
        p1 += gamma / (vocab - 1)
        p1[wc.BOS_ID] = 0.0
        self.p1 = p1
        self.is_word = np.array([is_word(w) for w in self.words], dtype=bool)
        self.is_word[:3] = False
        ids = np.nonzero(self.is_word)[0]
        self._by_p1 = ids[np.argsort(-p1[ids], kind="stable")]  # word ids, most probable first
        self.levels: list[tuple] = []  # per order n >= 2: (ctx, start, backoff, word, alpha)
        self._by_alpha: list[np.ndarray] = []  # per order: entries, each block's best first
        for n in range(2, self.order + 1):
            ctx, start, word = arrays[f"ctx{n}"], arrays[f"start{n}"], arrays[f"word{n}"]
            count = arrays[f"count{n}"].astype(np.int64)
            sizes = np.diff(start.astype(np.int64))
            per = np.repeat(arrays[f"total{n}"].astype(np.float64), sizes)
            alpha = ((count - wc.discount_of(count, self.discounts[n - 1])) / per).astype(
                np.float32
            )
            del count, per
            # the file's own arrays are used as they are (no copies); alpha is derived
            self.levels.append((ctx, start, arrays[f"backoff{n}"], word, alpha))
            block = np.repeat(np.arange(len(ctx), dtype=np.int32), sizes)
            self._by_alpha.append(np.lexsort((-alpha, block)).astype(np.int32))

    # --- building and files -------------------------------------------------------------
    @classmethod
    def train(cls, texts: Iterable[str], order: int = 4, min_count: int = 1,
              prune: bool | None = None, fit_document: bool = True) -> WordLM:  # fmt: skip
        """Count `texts` (strings) into a model. `min_count`: rarer tokens become `<unk>`;
        `prune`: drop n-grams of order >= 3 seen once (None: when the corpus has more than
        `wordcount.PRUNE_ABOVE` tokens). `fit_document`: fit the document
        layer's weight on the last tenth of the text (a model of the rest predicts it)."""
        texts = list(texts)
        built = wc.build(corpus_sentences(texts), order, min_count, prune)
        header = {"format": FORMAT, "format_version": FORMAT_VERSION, **built["header"]}
        lm = cls(header, built["arrays"])
        if fit_document:
            lm.document_weight = fit_document_weight(texts, order, min_count, prune)
            lm.header["document_weight"] = lm.document_weight
        return lm

    def to_bytes(self) -> bytes:
        """The .npz file's bytes (compressed; the header is a JSON array inside)."""
        buf = io.BytesIO()
        head = json.dumps(self.header, ensure_ascii=False).encode("utf-8")
        np.savez_compressed(buf, header=np.frombuffer(head, dtype=np.uint8), **self._arrays)
        return buf.getvalue()

    def save(self, directory: str | os.PathLike, name: str = FILE) -> Path:
        """Write `directory/name` crash-safely (a temporary file renamed); returns its path."""
        path = Path(directory) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, self.to_bytes(), default_file_mode())
        return path

    @classmethod
    def load(cls, directory: str | os.PathLike) -> WordLM:
        """Read a model: a `.npz` file, a checkpoint folder whose meta.json names one
        (`files.wordlm`), or a folder holding `wordlm.npz`. WordLMError when unusable."""
        path = Path(directory)
        if path.is_dir():
            path = path / _named_file(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError) as exc:
            raise WordLMError(f"{path}: cannot read the word model ({exc})") from None
        except Exception as exc:  # zipfile.BadZipFile and friends: a damaged file
            raise WordLMError(f"{path}: not a word model file ({type(exc).__name__})") from None
        try:
            header = json.loads(bytes(arrays.pop("header")).decode("utf-8"))
            _check(header, arrays)
            return cls(header, arrays)
        except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
            raise WordLMError(f"{path}: not a usable word model ({exc})") from None

    def meta_entry(self, file: str) -> dict:
        """What a checkpoint's meta.json records about this model (`word_model`)."""
        h = self.header
        entry = WordModelEntry(file=file, format_version=FORMAT_VERSION, order=self.order,
                               tokens=h["tokens"], vocab=h["vocab"], ngrams=h["ngrams"],
                               prune=h["prune"], min_count=h["min_count"])  # fmt: skip
        return meta_json(entry)

    def nbytes(self) -> int:
        """Bytes of the numpy arrays held (the vocabulary's Python strings not counted)."""
        own = self.p1.nbytes + self.is_word.nbytes + self._by_p1.nbytes
        own += sum(a.nbytes for a in self._by_alpha) + sum(a.nbytes for a in self._arrays.values())
        return own + sum(level[4].nbytes for level in self.levels)

    # --- queries --------------------------------------------------------------------------
    def token_id(self, token: str) -> int:
        """The id of `token` (`<unk>`'s, 0, when it is not in the vocabulary)."""
        if token in (BOS, EOS, UNK):
            return (UNK, BOS, EOS).index(token)
        i = bisect.bisect_left(self._sorted, token)
        return 3 + i if i < len(self._sorted) and self._sorted[i] == token else wc.UNK_ID

    def context_ids(self, context_words: Sequence[str]) -> list[int]:
        """The last `order - 1` context tokens as ids; `<s>` anywhere but first starts over."""
        ids = [self.token_id(t) for t in list(context_words)[-(self.order - 1) :]]
        if self.order == 1:
            return []
        if wc.BOS_ID in ids:
            ids = ids[len(ids) - 1 - ids[::-1].index(wc.BOS_ID) :]
        return ids

    def probs(self, ids: np.ndarray, context: Sequence[int]) -> np.ndarray:
        """p(w | context) for every id in `ids` (an int64 array), context as ids."""
        p = self.p1[ids]
        for n in range(2, len(context) + 2):
            block = self._block(n, context)
            if block is None:
                break  # no longer context was seen either
            lo, hi, backoff = block
            words = self.levels[n - 2][3][lo:hi]
            at = np.searchsorted(words, ids)
            hit = at < len(words)
            hit[hit] = words[at[hit]] == ids[hit]
            p = p * backoff
            p[hit] += self.levels[n - 2][4][lo + at[hit]]
        return p

    def _block(self, n: int, context: Sequence[int]):
        """(first entry, end, backoff) of the successors of the last n-1 context ids."""
        ctx, start, backoff = self.levels[n - 2][:3]
        key = 0
        for i in context[len(context) - (n - 1) :]:
            key = (key << wc.BITS) | i
        j = int(np.searchsorted(ctx, key))
        if j == len(ctx) or ctx[j] != key:
            return None
        return int(start[j]), int(start[j + 1]), float(backoff[j])

    def logprob(self, word: str, context_words: Sequence[str] = (), doc=None) -> float:
        """ln p(word | context) (unknown words: `<unk>`'s); `doc` mixes in a document."""
        if doc is not None:
            return doc.logprob(self, word, context_words)
        p = self.probs(np.array([self.token_id(word)]), self.context_ids(context_words))[0]
        return math.log(p) if p > 0 else -math.inf

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """The ids [lo, hi) of the tokens that start with `prefix` (all tokens for '')."""
        lo = bisect.bisect_left(self._sorted, prefix)
        hi = bisect.bisect_left(self._sorted, prefix + "\U0010ffff", lo) if prefix else None
        return 3 + lo, 3 + (len(self._sorted) if hi is None else hi)

    def candidates(self, context: Sequence[int], lo: int, hi: int, k: int) -> np.ndarray:
        """Ids in [lo, hi) that can be among the k most probable: the successors of each
        context level in the range (the `MAX_SUCCESSORS` most probable of them), and the k
        words of highest unigram probability there."""
        parts = [self._top_unigrams(lo, hi, k)]
        for n in range(2, len(context) + 2):
            block = self._block(n, context)
            if block is None:
                break
            s, e = block[:2]
            level = self.levels[n - 2]
            a, b = np.searchsorted(level[3][s:e], (lo, hi)) + s
            if b - a <= MAX_SUCCESSORS:
                parts.append(level[3][a:b])
            elif (a, b) == (s, e):  # the whole block: its best entries, precomputed
                parts.append(level[3][self._by_alpha[n - 2][s : s + MAX_SUCCESSORS]])
            else:
                best = np.argpartition(-level[4][a:b], MAX_SUCCESSORS - 1)[:MAX_SUCCESSORS]
                parts.append(level[3][a + best])
        ids = np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        return ids[self.is_word[ids]]

    def _top_unigrams(self, lo: int, hi: int, k: int) -> np.ndarray:
        if hi - lo <= 4 * _SCAN:
            ids = np.arange(lo, hi)
            ids = ids[self.is_word[ids]]
            if len(ids) > k:
                ids = ids[np.argpartition(-self.p1[ids], k - 1)[:k]]
            return ids
        found = []
        for i in range(0, len(self._by_p1), _SCAN):
            chunk = self._by_p1[i : i + _SCAN]
            found.append(chunk[(chunk >= lo) & (chunk < hi)])
            if sum(map(len, found)) >= k:
                break
        return np.concatenate(found)[:k] if found else np.zeros(0, np.int64)

    def top_continuations(self, context_words: Sequence[str], prefix: str = "", k: int = 5,
                          doc=None) -> list[tuple[str, float]]:  # fmt: skip
        """The k most probable next words starting with `prefix` ('' = any word), best
        first, as (word, ln p(word | context)); punctuation and markers are never offered.
        `doc` mixes in a document (`DocumentWordCounts`, whose words are offered too)."""
        if doc is not None:
            return doc.top_continuations(self, context_words, prefix, k)
        if k <= 0:
            return []
        context = self.context_ids(context_words)
        lo, hi = self.prefix_range(prefix)
        ids = self.candidates(context, lo, hi, k)
        if not len(ids):
            return []
        p = self.probs(ids, context)
        best = np.argsort(-p, kind="stable")[:k]
        return [(self.words[i], math.log(p[j])) for i, j in zip(ids[best], best, strict=True)]


def load_word_model(checkpoint: str | os.PathLike | None = None) -> WordLM | None:
    """The word model of a checkpoint folder (None: the bundled model), or None when it has
    none. CheckpointError for a checkpoint that does not load (a word model file whose sha256
    does not match included), WordLMError for an unusable word model file."""
    path = default_model_path() if checkpoint is None else checkpoint
    return word_model_of(read_checkpoint(path))


def word_model_of(ckpt) -> WordLM | None:
    """The word model a read `Checkpoint` names (its sha256 already checked), or None."""
    name = ckpt.files.get("wordlm")
    return None if name is None else WordLM.load(ckpt.path / name)


def _named_file(folder: Path) -> str:
    """The word model file a checkpoint's meta.json names, else `wordlm.npz`."""
    try:
        meta = load_json(read_meta(folder / "meta.json"))
    except (OSError, MetaError):
        return FILE
    name = meta.get("files", {}).get("wordlm") if isinstance(meta, dict) else None
    try:
        return plain_file_name(name, "files.wordlm") if name is not None else FILE
    except MetaError:
        return FILE


def _check(header: dict, arrays: dict[str, np.ndarray]) -> None:
    """Raise ValueError unless the header and arrays describe a consistent model."""
    if header.get("format") != FORMAT:
        raise ValueError(f"format {FORMAT!r} expected")
    if header.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"format version {header.get('format_version')!r} is not "
                         f"supported (this ghostpen reads {FORMAT_VERSION})")  # fmt: skip
    order = header["order"]
    if not isinstance(order, int) or not 1 <= order <= wc.MAX_ORDER:
        raise ValueError(f"order {order!r} is not 1 to {wc.MAX_ORDER}")
    if len(header["discounts"]) != order:
        raise ValueError("one set of discounts per order expected")
    vocab = header["vocab"]
    if arrays["count1"].shape != (vocab,) or vocab > wc.MAX_VOCAB:
        raise ValueError("the unigram counts do not match the vocabulary")
    for n in range(2, order + 1):
        ctx, start, word = arrays[f"ctx{n}"], arrays[f"start{n}"], arrays[f"word{n}"]
        if ctx.dtype != np.int64 or word.dtype != np.uint32 or start.dtype != np.uint32:
            raise ValueError(f"order {n}: wrong array types")
        if len(start) != len(ctx) + 1 or int(start[-1]) != len(word) or start[0] != 0:
            raise ValueError(f"order {n}: context offsets do not match the entries")
        if np.any(np.diff(start.astype(np.int64)) <= 0) or np.any(np.diff(ctx) <= 0):
            raise ValueError(f"order {n}: contexts are not sorted")
        for key in ("total", "backoff"):
            if arrays[f"{key}{n}"].shape != ctx.shape:
                raise ValueError(f"order {n}: {key} does not match the contexts")
        if arrays[f"count{n}"].shape != word.shape or (len(word) and word.max() >= vocab):
            raise ValueError(f"order {n}: word ids out of range")
        if np.any(arrays[f"total{n}"] == 0):
            raise ValueError(f"order {n}: a context with no count")


def fit_document_weight(texts: Iterable[str], order: int, min_count: int, prune) -> dict:
    """The document layer's weight (`lam`, `beta`): a model of the first 90% of the text
    predicts the words of the last 10% (`worddoc.fit_weight`); the default for little text."""
    train_text, held = heldout_split(texts)
    if sum(map(len, held)) < 500:
        return dict(DEFAULT_WEIGHT)
    static = WordLM.train([train_text], order, min_count, prune, fit_document=False)
    return fit_weight(static, held)
