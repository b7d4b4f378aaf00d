"""The word n-gram model: modified Kneser-Ney against a plain reference, files, top-k queries."""

import math
from collections import Counter, defaultdict

import numpy as np
import pytest

from ghostpen.model import wordcount
from ghostpen.model.wordlm import WordLM, WordLMError
from ghostpen.model.wordtok import BOS, EOS, corpus_sentences, sentences, split_context

TOY = (
    "the cat sat on the mat. the dog sat on the log! a cat and a dog sat on a mat. "
    "the cat ran, the dog ran, a cat sat on the dog. did the cat see the dog? the end.\n\n"
    "The cat and the dog sat on the mat again. the mat was red; the log was red too. "
    "the dog ran on the log and the cat ran on the mat. the cat sat. the dog sat."
)


def _all_ids(lm):
    ids = np.arange(len(lm.words))
    return ids[ids != 1]  # every token but <s> can follow


def reference_kn(text: str, order: int):
    """Interpolated modified Kneser-Ney written the slow way, from Chen & Goodman's text."""
    grams = [Counter() for _ in range(order + 1)]
    vocab = {EOS, "<unk>"}
    for s in corpus_sentences([text]):
        seq = [BOS, *s, EOS]
        vocab.update(s)
        for n in range(1, order + 1):
            for i in range(len(seq) - n + 1):
                g = tuple(seq[i : i + n])
                if g != (BOS,):
                    grams[n][g] += 1
    adjusted = [None] + [Counter() for _ in range(order)]
    adjusted[order] = grams[order]
    for n in range(1, order):
        for g in grams[n]:
            left = {h for h in grams[n + 1] if h[1:] == g}
            adjusted[n][g] = grams[n][g] if g[0] == BOS else len(left)

    def discounts(counts):
        nk = Counter(counts.values())
        y = nk[1] / (nk[1] + 2 * nk[2])
        fallback = wordcount.DEFAULT_DISCOUNTS  # where a count-of-counts is 0
        return [k - (k + 1) * y * nk[k + 1] / nk[k] if nk[k] and nk[k + 1] else fallback[k - 1]
                for k in (1, 2, 3)]  # fmt: skip

    ds = [None] + [discounts(adjusted[n]) for n in range(1, order + 1)]

    def disc(n, c):
        return 0 if c == 0 else ds[n][min(c, 3) - 1]

    ctx = [None] + [defaultdict(list) for _ in range(order)]
    for n in range(1, order + 1):
        for g, c in adjusted[n].items():
            ctx[n][g[:-1]].append(c)

    def prob(w, h):
        n = len(h) + 1
        if n == 1:
            total = sum(ctx[1][()])
            gamma = sum(disc(1, c) for c in ctx[1][()]) / total
            c = adjusted[1].get((w,), 0)
            return (c - disc(1, c)) / total + gamma / len(vocab)
        if h not in ctx[n]:
            return prob(w, h[1:])
        total = sum(ctx[n][h])
        c = adjusted[n].get((*h, w), 0)
        gamma = sum(disc(n, x) for x in ctx[n][h]) / total
        return (c - disc(n, c)) / total + gamma * prob(w, h[1:])

    return prob, ds


def test_probabilities_match_a_plain_kneser_ney_and_sum_to_one(fixtures_dir):
    text = TOY + "\n\n" + (fixtures_dir / "tiny.txt").read_text()
    lm = WordLM.train([text], order=3, prune=False, fit_document=False)
    prob, ds = reference_kn(text, 3)
    for n in (1, 2, 3):
        assert lm.discounts[n - 1] == pytest.approx(ds[n], abs=1e-6)
    assert all(d not in wordcount.DEFAULT_DISCOUNTS for d in lm.discounts[0])  # the formula
    for h in [(), ("the",), ("on", "the"), (BOS, "the"), (BOS,), ("sat", "on"), ("red", ";")]:
        total = lm.probs(_all_ids(lm), lm.context_ids(h)).sum()
        assert total == pytest.approx(1.0, abs=1e-6)
        for w in ["cat", "mat", "dog", "the", EOS, ".", "zebra"]:
            assert math.exp(lm.logprob(w, h)) == pytest.approx(prob(w, h), rel=1e-5), (w, h)


@pytest.mark.parametrize("order", [1, 2, 4])
@pytest.mark.parametrize("prune", [False, True])
def test_every_distribution_sums_to_one(fixtures_dir, order, prune):
    text = (fixtures_dir / "tiny.txt").read_text()
    lm = WordLM.train([text, TOY], order=order, prune=prune, min_count=2, fit_document=False)
    assert lm.header["prune"] is prune and lm.words[0] == "<unk>"
    contexts = [(), ("the",), ("the", "Town"), (BOS, "the", "cat"), ("a", "Town", "Mouse"),
                ("unseen", "words", "here")]  # fmt: skip
    for h in contexts:
        assert lm.probs(_all_ids(lm), lm.context_ids(h)).sum() == pytest.approx(1.0, abs=1e-6)


def test_pruning_drops_singletons_of_order_three_and_up():
    full = WordLM.train([TOY], order=4, prune=False, fit_document=False)
    pruned = WordLM.train([TOY], order=4, prune=True, fit_document=False)
    assert pruned.header["ngrams"][:2] == full.header["ngrams"][:2]
    assert all(p < f for p, f in zip(pruned.header["ngrams"][2:], full.header["ngrams"][2:],
                                     strict=True))  # fmt: skip
    assert min(pruned._arrays["count4"]) >= 1 and pruned.discounts == full.discounts


def test_discounts_come_from_the_count_of_counts():
    counts = np.array([1] * 10 + [2] * 4 + [3] * 3 + [4] * 2 + [9])
    y = 10 / (10 + 2 * 4)
    expected = (1 - 2 * y * 4 / 10, 2 - 3 * y * 3 / 4, 3 - 4 * y * 2 / 3)
    assert wordcount.discounts(counts) == pytest.approx(expected)
    assert wordcount.discounts(np.array([1, 1, 2])) == wordcount.DEFAULT_DISCOUNTS[:2] + (1.5,)


def test_save_and_load_round_trip_without_pickle(tmp_path):
    lm = WordLM.train([TOY], order=4, fit_document=False)
    path = lm.save(tmp_path)
    with np.load(path, allow_pickle=False) as data:
        assert {"header", "vocab", "count1", "ctx4", "word4"} <= set(data.files)
    back = WordLM.load(tmp_path)
    assert back.header == lm.header and back.words == lm.words
    for key, array in lm._arrays.items():
        assert np.array_equal(back._arrays[key], array) and back._arrays[key].dtype == array.dtype
    for h in [(), ("on", "the"), (BOS, "the", "cat")]:
        assert back.top_continuations(h, "", 5) == lm.top_continuations(h, "", 5)


def test_a_damaged_or_pickled_file_is_refused(tmp_path):
    lm = WordLM.train([TOY], fit_document=False)
    path = lm.save(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(WordLMError, match="wordlm.npz"):
        WordLM.load(tmp_path)
    with open(path, "wb") as fh:
        np.savez(fh, header=np.array([{"a": 1}], dtype=object))
    with pytest.raises(WordLMError):
        WordLM.load(path)
    with pytest.raises(WordLMError):
        WordLM.load(tmp_path / "missing.npz")


def test_top_continuations_respect_the_prefix_and_the_order():
    lm = WordLM.train([TOY], order=3, fit_document=False)
    ids = np.array([i for i, w in enumerate(lm.words) if lm.is_word[i]])
    for h in [("on", "the"), (BOS,), ("the",), ("xyz",)]:
        p = lm.probs(ids, lm.context_ids(h))
        for prefix in ["", "d", "ca", "m", "q"]:
            got = lm.top_continuations(h, prefix, 3)
            pairs = [(lm.words[i], x) for i, x in zip(ids, p, strict=True)]
            brute = sorted((t for t in pairs if t[0].startswith(prefix)), key=lambda t: -t[1])[:3]
            assert [w for w, _ in got] == [w for w, _ in brute]
            assert [lp for _, lp in got] == pytest.approx([math.log(x) for _, x in brute])
            assert all(w.startswith(prefix) for w, _ in got)
    assert len(lm.top_continuations(("on", "the"), "", 2)) == 2
    assert all(w not in (".", ",", EOS) for w, _ in lm.top_continuations(("the", "cat"), "", 50))


def test_wide_prefix_ranges_scan_by_unigram_probability():
    words = [f"w{i:05d}" for i in range(6000)]
    text = " ".join(words) + ". " + " ".join(["w00042 w00007"] * 30) + "."
    lm = WordLM.train([text], order=2, fit_document=False)
    assert lm.prefix_range("w") == (4, 4 + 6000)  # "." is id 3; wider than one direct scan
    got = lm.top_continuations(("nothing",), "w", 2)
    assert sorted(w for w, _ in got) == ["w00007", "w00042"]


def test_tokens_and_contexts():
    assert list(sentences('It\'s one\'s "dog."--A b, c! d\n\ne')) == [
        ["It's", "one's", '"', "dog", '."--'], ["A", "b", ",", "c", "!"], ["d"], ["e"]]  # fmt: skip
    assert split_context("It was the sa") == (("It", "was", "the"), "sa")
    assert split_context("Yes. No") == ((BOS,), "No")
    assert split_context("") == ((BOS,), "")
    assert split_context("He said, don'") == (("He", "said", ","), "don'")
    assert split_context("x" * 300 + " the cat ") == (("the", "cat"), "")
    assert split_context("one\n\n") == ((BOS,), "")


def test_a_context_with_many_successors_still_gives_the_best_ones():
    rng = np.random.default_rng(0)
    words = [f"v{i:04d}" for i in range(1500)]
    picks = (rng.zipf(1.3, 60000) % 1500).reshape(-1, 6)
    text = " ".join(" ".join(words[i] for i in row) + "." for row in picks)
    lm = WordLM.train([text], order=3, fit_document=False)
    assert max(np.diff(lm.levels[0][1])) > 4 * 256  # blocks wider than MAX_SUCCESSORS
    ids = np.nonzero(lm.is_word)[0]
    for h, prefix in [(("v0001",), ""), ((BOS, "v0002"), ""), (("v0003",), "v0"), ((), "v1")]:
        lo, hi = lm.prefix_range(prefix)
        in_range = ids[(ids >= lo) & (ids < hi)]
        p = np.sort(lm.probs(in_range, lm.context_ids(h)))[::-1][:5]
        got = [math.exp(lp) for _, lp in lm.top_continuations(h, prefix, 5)]
        assert got == pytest.approx(p, rel=1e-6)  # the same probabilities (ties in any order)
