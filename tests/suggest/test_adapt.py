"""The document cache: diff updates equal a rebuild, mixtures are distributions; text diffs."""

import random

import pytest

from ghostpen.suggest.adapt import DocumentCache
from ghostpen.suggest.textdiff import common_prefix_len, common_suffix_len


def rebuilt(text: str, **kw) -> tuple:
    cache = DocumentCache(**kw)
    cache.append(text)
    return stats(cache)


def stats(cache: DocumentCache) -> tuple:
    return cache._counts, cache._words, cache._prefixes


def naive_prefix(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def test_common_prefix_and_suffix_match_a_naive_loop():
    rng = random.Random(0)
    for _ in range(500):
        base = "".join(rng.choice("ab") for _ in range(rng.randint(0, 40)))
        a = base + "".join(rng.choice("abc") for _ in range(rng.randint(0, 5)))
        b = base + "".join(rng.choice("abc") for _ in range(rng.randint(0, 5)))
        if rng.random() < 0.5:
            a, b = a[::-1], b[::-1]
        assert common_prefix_len(a, b) == naive_prefix(a, b)
        assert common_suffix_len(a, b) == naive_prefix(a[::-1], b[::-1])
        limit = rng.randint(0, 10)
        assert common_suffix_len(a, b, limit) == min(limit, naive_prefix(a[::-1], b[::-1]))


def test_sync_after_random_edits_equals_a_rebuild():
    rng = random.Random(1)
    cache = DocumentCache(min_order=2, max_order=6)
    text = ""
    for _ in range(300):
        op = rng.random()
        pos = rng.randint(0, len(text))
        if op < 0.5:  # type at a random place
            typed = "".join(rng.choice("ab c'.") for _ in range(rng.randint(1, 4)))
            text = text[:pos] + typed + text[pos:]
        elif op < 0.8:  # delete
            text = text[:pos] + text[pos + rng.randint(1, 5) :]
        elif op < 0.9:  # replace a span
            text = text[:pos] + rng.choice(["xyz", "", "a"]) + text[pos + 3 :]
        else:  # the window drops its start
            text = text[rng.randint(1, 30) :]
        cache.sync(text)
        assert cache.text == text
        assert stats(cache) == rebuilt(text, min_order=2, max_order=6)


def test_sync_recognises_a_moved_window_cheaply():
    rng = random.Random(2)
    doc = "".join(rng.choice("abcdefgh ") for _ in range(3000))
    cache = DocumentCache()
    cache.sync(doc[:2000])
    applied = []
    original = cache._apply
    cache._apply = lambda text, a, b, sign: (applied.append(b - a), original(text, a, b, sign))
    cache.sync(doc[1024:2001])  # dropped 1024 characters, typed one
    assert stats(cache) == rebuilt(doc[1024:2001])
    assert sum(applied) < 1100  # not a rebuild of ~2000 characters (twice)


def test_drop_front_and_append():
    cache = DocumentCache()
    cache.append("the cat sat on the mat")
    cache.drop_front(5)
    assert stats(cache) == rebuilt("at sat on the mat")
    for ch in " again":
        cache.append(ch)
    assert stats(cache) == rebuilt("at sat on the mat again")


@pytest.mark.parametrize("context", ["", "zz", "the c", "on the m", "sat on the "])
def test_mixture_is_a_distribution(context):
    cache = DocumentCache()
    cache.sync("the cat sat on the mat; the cat ran; the dog sat on the cat")
    alpha, sparse = cache.mixture(context)
    assert 0.0 <= alpha <= 1.0
    assert all(w > 0 for w in sparse.values())
    assert alpha + sum(sparse.values()) == pytest.approx(1.0)


def test_unseen_context_leaves_the_model_alone_and_repeats_count():
    cache = DocumentCache()
    cache.sync("Zarathustrovich came. Then Zarathustrovich went. ")
    assert cache.mixture("qqqq") == (1.0, {})
    short_alpha, short = cache.mixture("Then Za")
    long_alpha, long = cache.mixture("Then Zarathustro")
    assert max(long, key=long.get) == "v" and max(short, key=short.get) == "r"
    assert long_alpha < short_alpha < 1.0  # longer repeated contexts weigh more
    assert cache.followers("Zar") == {"a": 2}


def test_complete_word_prefers_frequent_document_words():
    cache = DocumentCache()
    cache.sync("Zarathustrovich came; Zarathustrovich went; the Zarist Zanzibar don't. Zar")
    word, prob = cache.complete_word("Zar")
    assert word == "Zarathustrovich"
    assert prob == pytest.approx(2 / (3 + cache.novelty))
    assert cache.complete_word("Zan")[0] == "Zanzibar"
    assert cache.complete_word("don")[0] == "don't"
    assert cache.complete_word("Zarathustrovich") is None
    assert cache.complete_word("q") is None  # too short to look up
    assert cache.word_counts("Za") == {"Zarathustrovich": 2, "Zarist": 1, "Zanzibar": 1, "Zar": 1}


def test_cursor_splits_ngrams_and_words():
    from ghostpen.suggest.adapt import CURSOR

    cache = DocumentCache()
    cache.sync("the big cat. the " + CURSOR + "cat sat")
    assert cache.followers("the ") == {"b": 1}  # not "c": that text follows the cursor
    assert cache.word_counts("ca") == {"cat": 2}
    cache.sync("the big cat. the b" + CURSOR + "cat sat")  # typing at the cursor
    assert (cache._counts, cache._words) == (rebuilt("the big cat. the b" + CURSOR + "cat sat")[:2])
