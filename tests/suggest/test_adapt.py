"""The document cache: diff updates equal a rebuild, mixtures are distributions; text diffs."""

import random

import pytest
from ghostpen.suggest.adapt import DocumentCache
from ghostpen.suggest.textdiff import common_prefix_len, common_suffix_len


def rebuilt(text: str, **kw) -> dict:
    cache = DocumentCache(**kw)
    cache.append(text)
    return cache._counts


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
            text = text[:pos] + "".join(rng.choice("ab c") for _ in range(rng.randint(1, 4))) \
                + text[pos:]
        elif op < 0.8:  # delete
            text = text[:pos] + text[pos + rng.randint(1, 5) :]
        elif op < 0.9:  # replace a span
            text = text[:pos] + rng.choice(["xyz", "", "a"]) + text[pos + 3 :]
        else:  # the window drops its start
            text = text[rng.randint(1, 30) :]
        cache.sync(text)
        assert cache.text == text
        assert cache._counts == rebuilt(text, min_order=2, max_order=6)


def test_sync_recognises_a_moved_window_cheaply():
    rng = random.Random(2)
    doc = "".join(rng.choice("abcdefgh ") for _ in range(3000))
    cache = DocumentCache()
    cache.sync(doc[:2000])
    applied = []
    original = cache._apply
    cache._apply = lambda text, a, b, sign: (applied.append(b - a), original(text, a, b, sign))
    cache.sync(doc[1024:2001])  # dropped 1024 characters, typed one
    assert cache._counts == rebuilt(doc[1024:2001])
    assert sum(applied) < 1100  # not a rebuild of ~2000 characters (twice)


def test_drop_front_and_append():
    cache = DocumentCache()
    cache.append("the cat sat on the mat")
    cache.drop_front(4)
    assert cache._counts == rebuilt("cat sat on the mat")
    cache.append(" again")
    assert cache._counts == rebuilt("cat sat on the mat again")


@pytest.mark.parametrize("context", ["", "zz", "the c", "on the m", "sat on the "])
def test_mixture_is_a_distribution(context):
    cache = DocumentCache()
    cache.sync("the cat sat on the mat; the cat ran; the dog sat on the cat")
    alpha, sparse = cache.mixture(context)
    assert 0.0 <= alpha <= 1.0
    assert all(w > 0 for w in sparse.values())
    assert alpha + sum(sparse.values()) == pytest.approx(1.0)


def test_unseen_context_leaves_the_model_alone_and_repeats_dominate():
    cache = DocumentCache()
    cache.sync("Zarathustrovich came. Then Zarathustrovich went. ")
    assert cache.mixture("qqqq") == (1.0, {})
    alpha, sparse = cache.mixture("Then Zarathustro")
    assert max(sparse, key=sparse.get) == "v"
    assert sparse["v"] > 0.9 and alpha < 0.1
    assert cache.followers("Zar") == {"a": 2}
