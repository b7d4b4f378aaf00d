"""The word model's document layer: counts of the text being edited, mixed with the static model."""

import math

import numpy as np
import pytest

from ghostpen.model.worddoc import DocumentWordCounts
from ghostpen.model.wordlm import WordLM, fit_document_weight
from ghostpen.model.wordtok import BOS

STATIC = (
    "the cat sat on the mat. the dog sat on the log. a cat and a dog sat on a mat. "
    "the cat ran and the dog ran. the end of the day came. the dog saw the cat. "
) * 3


@pytest.fixture(scope="module")
def lm():
    lm = WordLM.train([STATIC], order=3, fit_document=False)
    lm.document_weight = {"lam": 0.3, "beta": 10.0}  # as fitted on a real corpus: not here
    return lm


def test_a_document_word_gets_likelier_and_forgetting_it_brings_it_back(lm):
    doc = DocumentWordCounts()
    before = lm.logprob("Zarathustra", (BOS,), doc=doc)
    assert before == pytest.approx(lm.logprob("Zarathustra", (BOS,)))  # empty: no change
    text = "Then spoke Zarathustra. Zarathustra said the dog ran. Zarathustra sat."
    doc.add_text(text)
    assert lm.logprob("Zarathustra", (BOS,), doc=doc) > before + 1
    assert lm.logprob("dog", ("said", "the"), doc=doc) > lm.logprob("dog", ("said", "the"))
    assert lm.top_continuations((BOS,), "Za", 3, doc=doc)[0][0] == "Zarathustra"
    assert lm.top_continuations((BOS,), "Za", 3) == []  # the static model never saw it
    doc.remove_text(text)
    assert doc.tokens == 0 and not doc.vocab and not doc.succ
    assert lm.logprob("Zarathustra", (BOS,), doc=doc) == pytest.approx(before)
    doc.add_text(text)
    doc.reset()
    assert lm.logprob("Zarathustra", (BOS,), doc=doc) == pytest.approx(before)


def test_the_mixture_is_a_distribution_over_the_known_words(lm):
    doc = DocumentWordCounts()
    doc.add_text("the cat sat on the log. the cat sat on the log again.")
    ids = np.arange(len(lm.words))
    ids = ids[ids != 1]
    for h in [(), ("the",), ("on", "the"), ("sat", "on")]:
        total = sum(math.exp(lm.logprob(lm.words[i], h, doc=doc)) for i in ids)
        # the document's own new word ("again") takes its share from <unk>'s: close to 1
        assert total == pytest.approx(1.0, abs=0.02)
    assert lm.logprob("log", ("on", "the"), doc=doc) > lm.logprob("log", ("on", "the"))


def test_set_text_recounts_only_what_changed_and_matches_a_fresh_count():
    doc = DocumentWordCounts()
    versions = [
        "One two three. Four five six.",
        "One two three. Four five six. Seven eig",  # a word being typed is left out
        "One two three. Four five six. Seven eight ",
        "One two. Four five six. Seven eight nine.",
        "",
    ]
    for text in versions:
        doc.set_text(text)
        fresh = DocumentWordCounts()
        fresh.add_text(text[: len(text) - 3] if text.endswith("eig") else text)
        assert doc.succ == fresh.succ and doc.total == fresh.total and doc.vocab == fresh.vocab


def test_counts_from_a_habits_store_feed_the_layer(lm):
    doc = DocumentWordCounts()
    before = lm.logprob("mat", ("the", "red"), doc=doc)
    counts = {("mat",): 5, ("red",): 5, ("red", "mat"): 5, ("the", "red", "mat"): 5,
              ("the",): 5, ("the", "red"): 5, ("a", "b", "c", "d"): 9}  # fmt: skip
    doc.update_from_counts(counts)
    assert ("a", "b", "c") not in doc.succ  # orders above the layer's are ignored
    assert lm.logprob("mat", ("the", "red"), doc=doc) > before + 1
    doc.update_from_counts(counts, sign=-1)
    assert lm.logprob("mat", ("the", "red"), doc=doc) == pytest.approx(before)


def test_the_document_weight_is_fitted_on_held_out_text(fixtures_dir):
    head = (fixtures_dir / "tiny.txt").read_text() * 18
    names = "Zarathustra met Ariadne on the hill. Ariadne said to Zarathustra: the mouse ran. "
    text = head + "\n\n" + names * (len(head) // len(names) // 8)  # the tail: new names
    weight = fit_document_weight([text], 3, 1, None)
    assert 0.0 < weight["lam"] <= 0.5 and weight["beta"] > 0 and weight["heldout_words"] > 500
    assert weight["gain_nats"] > 0  # the fitted mixture predicts the held-out words better
    lm = WordLM.train([text], order=3)
    assert lm.document_weight == weight and lm.header["document_weight"] == weight
    assert fit_document_weight(["too short"], 3, 1, None) == {"lam": 0.1, "beta": 100.0}


def test_set_text_after_random_edits_equals_counting_the_text_afresh():
    rng = np.random.default_rng(1)
    pieces = ["the ", "cat", ". ", "sat", " on", "\n\n", "mat", "! ", "do", "n't ", ", ", "a"]
    doc, text = DocumentWordCounts(), ""
    for _ in range(300):
        at = int(rng.integers(0, len(text) + 1))
        if rng.random() < 0.3 and text:
            text = text[:at] + text[at + int(rng.integers(1, 6)) :]  # delete
        else:
            text = text[:at] + "".join(rng.choice(pieces, int(rng.integers(1, 4)))) + text[at:]
        doc.set_text(text)
        fresh = DocumentWordCounts()
        fresh.set_text(text)
        assert doc.succ == fresh.succ and doc.vocab == fresh.vocab, repr(text)
