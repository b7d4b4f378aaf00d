"""Decoding rules on a scripted model (exact probabilities), and the shared word definition."""

import math

import numpy as np
import pytest

from ghostpen.model.vocab import Vocab
from ghostpen.suggest.adapt import DocumentCache
from ghostpen.suggest.decode import Decoder
from ghostpen.suggest.words import next_word_len

CHARS = list("abcdefghijklmnopqrstuvwxyz ,.\n")


class ScriptedModel:
    """A stand-in for FastModel: the next-character distribution is a function of the text.

    `script` maps a text suffix to {char: probability}; the longest matching suffix wins; the
    remaining mass is spread evenly over the other characters. The state is the text so far.
    """

    def __init__(self, vocab: Vocab, script: dict[str, dict[str, float]]):
        self.vocab = vocab
        self.vocab_size = len(vocab)
        self.script = script

    def logits(self, text: str) -> np.ndarray:
        rule = {}
        for suffix in sorted(self.script, key=len, reverse=True):
            if text.endswith(suffix):
                rule = self.script[suffix]
                break
        rest = (1.0 - sum(rule.values())) / (self.vocab_size - 1 - len(rule))
        p = np.full(self.vocab_size, max(rest, 1e-12))
        p[0] = 1e-12  # the unknown character
        for ch, q in rule.items():
            p[self.vocab.id(ch)] = q
        return np.log(p)[None, :]  # (1, V)

    def begin_state(self, batch=1):
        return ("",)

    def step(self, ids, state):
        text = state[0] + self.vocab.text(ids)
        return self.logits(text), (text,)


def decoder_for(script, context):
    vocab = Vocab(CHARS)
    model = ScriptedModel(vocab, script)
    return Decoder(model, vocab), (context,), model.logits(context)[0]


HELLO = {
    "hel": {"l": 0.9},
    "hell": {"o": 0.9},
    "hello": {",": 0.8},
    "hello,": {" ": 0.9},
    "hello, ": {"w": 0.95},
    "hello, w": {"o": 0.95},
    "hello, wo": {"r": 0.95},
    "hello, wor": {"l": 0.95},
    "hello, worl": {"d": 0.95},
    "hello, world": {"\n": 0.9},
    "hello, world\n": {"b": 0.9},
    "hello, world\nb": {"y": 0.9},
    "hello, world\nby": {"e": 0.9},
    "hello, world\nbye": {" ": 0.9},
}


def test_word_mode_completes_the_word_with_its_punctuation():
    dec, state, logits = decoder_for(HELLO, "say hel")
    out = dec.decode(state, logits, "say hel", stop_at="word")
    assert out.text == "lo,"
    assert math.isclose(out.confidence, 0.9 * 0.9 * 0.8, rel_tol=1e-6)
    assert not out.from_document


def test_word_mode_offers_the_next_word_after_a_word_end():
    dec, state, logits = decoder_for(HELLO, "hello,")
    assert dec.decode(state, logits, "hello,", stop_at="word").text == " world"
    dec, state, logits = decoder_for(HELLO, "hello, ")
    assert dec.decode(state, logits, "hello, ", stop_at="word").text == "world"


def test_line_mode_goes_on_to_the_end_of_the_line():
    dec, state, logits = decoder_for(HELLO, "hel")
    out = dec.decode(state, logits, "hel", stop_at="line", min_confidence=0.1)
    assert out.text == "lo, world"
    expected = 0.9 * 0.9 * 0.8 * 0.9 * 0.95**5
    assert math.isclose(out.confidence, expected, rel_tol=1e-6)


def test_none_mode_crosses_lines_and_ends_on_whole_words():
    dec, state, logits = decoder_for(HELLO, "hel")
    out = dec.decode(state, logits, "hel", stop_at="none", min_confidence=0.05)
    assert out.text == "lo, world\nbye"
    out = dec.decode(state, logits, "hel", stop_at="none", min_confidence=0.05, max_chars=6)
    assert out.text == "lo,"  # "lo, wo" would end inside a word (issue 17: "as t")
    for stop in ("line", "none"):
        out = dec.decode(state, logits, "hel", stop_at=stop, min_confidence=0.05, max_chars=8)
        assert out.text == "lo,", stop


def test_line_mode_offers_what_phrase_mode_offers():
    """End of line ranks the phrase's candidates too, so it is never less useful (issue 17:
    "as t" instead of "time")."""
    script = {
        "same ": {"t": 0.5, "a": 0.3},
        "same t": {"i": 0.9},
        "same ti": {"m": 0.95},
        "same tim": {"e": 0.95},
        "same time": {" ": 0.5, ",": 0.4},
        "same a": {"s": 0.95},
        "same as": {" ": 0.95},
        "same as ": {"t": 0.3},
    }
    for stop in ("phrase", "line"):
        dec, state, logits = decoder_for(script, "the same ")
        out = dec.decode(
            state, logits, "the same ", stop_at=stop, beam=2, rank="savings", separator=True,
            separator_min=0.3, min_confidence=0.01,
        )  # fmt: skip
        texts = {c.text for c in dec.candidates}
        assert "time " in texts and out.text.startswith("time"), (stop, out.text, texts)
        assert not any(t.endswith(" t") for t in texts)  # never a cut word


def test_min_confidence_prunes_and_line_mode_stops_early():
    dec, state, logits = decoder_for(HELLO, "hel")
    assert dec.decode(state, logits, "hel", stop_at="word", min_confidence=0.85) is None
    # "lo," (0.648) is below 0.7: the confident part of the word is offered instead
    assert dec.decode(state, logits, "hel", stop_at="word", min_confidence=0.7).text == "lo"
    out = dec.decode(state, logits, "hel", stop_at="line", min_confidence=0.6)
    assert out.text == "lo,"  # " world" would take it below 0.6


def test_best_first_search_finds_the_likelier_whole_word():
    # "a" (0.5) is the likelier first letter but every word after it is unlikely; "b" (0.4)
    # leads to "bc". The search pops the likeliest prefix first, so it finds "bc" with one
    # word kept as with three (the old greedy beam of 1 followed "a": this test asserted that)
    script = {
        "x ": {"a": 0.5, "b": 0.4},
        "x a": {"p": 0.2, "q": 0.2, "r": 0.2, "s": 0.2},
        "x b": {"c": 0.99},
        "x bc": {" ": 0.99},
        "x ap": {" ": 0.9},
        "x aq": {" ": 0.9},
        "x ar": {" ": 0.9},
        "x as": {" ": 0.9},
    }
    dec, state, logits = decoder_for(script, "x ")
    greedy = dec.decode(state, logits, "x ", stop_at="word", beam=1, min_confidence=0.01)
    beam = dec.decode(state, logits, "x ", stop_at="word", beam=3, min_confidence=0.01)
    assert greedy.text == beam.text == "bc"


def test_document_cache_supplies_unknown_characters_and_names():
    dec, state, logits = decoder_for({}, "met zar")
    cache = DocumentCache(weights=(6.0, 0.0, 0.0, 0.0, 0.0))  # trust the document fully
    cache.sync("we met zarqüz here. then zarqüz left. later we met zar")
    out = dec.decode(state, logits, "met zar", stop_at="word", cache=cache, min_confidence=0.3)
    assert out.text == "qüz"  # ü is not in the vocabulary: the cache names it
    assert out.from_document
    assert dec.decode(state, logits, "met zar", stop_at="word", min_confidence=0.3) is None


def test_savings_rank_prefers_a_confident_longer_text():
    script = {
        "go ": {"a": 0.6, "b": 0.3},
        "go a": {" ": 0.9},
        "go b": {"c": 0.99},
        "go bc": {"d": 0.99},
        "go bcd": {"e": 0.99},
        "go bcde": {" ": 0.99},
    }
    dec, state, logits = decoder_for(script, "go ")
    # "a" alone is too short to show: keeping one word finds nothing, keeping 2 finds "bcde"
    assert dec.decode(state, logits, "go ", stop_at="word", min_confidence=0.1) is None
    out = dec.decode(state, logits, "go ", stop_at="word", min_confidence=0.1, beam=2)
    assert out.text == "bcde"
    script["go a"] = {"x": 0.9}
    script["go ax"] = {" ": 0.9}
    dec, state, logits = decoder_for(script, "go ")
    word = dec.decode(state, logits, "go ", stop_at="word", min_confidence=0.1, beam=2)
    savings = dec.decode(
        state, logits, "go ", stop_at="word", min_confidence=0.1, beam=2, rank="savings"
    )
    assert word.text == "ax"  # 0.6*0.9*0.9 = 0.49 as a whole word
    assert savings.text == "bcde"  # 0.29 * 3 keystrokes > 0.54 * 1


def test_max_steps_bounds_the_work():
    dec, state, logits = decoder_for(HELLO, "hel")
    calls = []
    step = dec.model.step
    dec.model.step = lambda ids, s: (calls.append(1), step(ids, s))[1]
    out = dec.decode(state, logits, "hel", stop_at="none", min_confidence=0.05, max_steps=3)
    assert len(calls) <= 3 and out.text == "lo,"


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("", 0),
        ("hello world", 5),
        (" world", 6),
        ("  \n\tx", 5),
        ("don't go", 5),
        ("dog's", 5),
        ("'quoted'", 1),
        ("...and", 3),
        (", then", 1),
        ("x_1=2", 3),
        ("   ", 3),
        ("naïve café", 5),
        ("end.", 3),
        ("world ", 5),  # a trailing space is a word of its own: Ctrl+Right takes "world" first
        (" ", 1),
    ],
)
def test_next_word_len(text, n):
    assert next_word_len(text) == n


def test_words_accepted_one_by_one_cover_the_text():
    # Ctrl+Right and the simulated typist step through a text with next_word_len
    text = "  Hello, world -- it's 4:30pm.\nBye"
    words, rest = [], text
    while rest:
        k = next_word_len(rest)
        assert k > 0  # every step makes progress
        words.append(rest[:k])
        rest = rest[k:]
    assert "".join(words) == text
    assert words[:4] == ["  Hello", ",", " world", " --"]


# -- separators, phrases, ranking by the typist's savings, rejections, the word prior -------

SAME = {
    "x ": {"t": 0.9},
    "x t": {"h": 0.95},
    "x th": {"e": 0.95},
    "x the": {" ": 0.9},
    "x the ": {"s": 0.9},
    "x the s": {"a": 0.95},
    "x the sa": {"m": 0.95},
    "x the sam": {"e": 0.95},
    "x the same": {" ": 0.9},
    "x the same ": {"t": 0.9},
    "x the same t": {"i": 0.95},
    "x the same ti": {"m": 0.95},
    "x the same tim": {"e": 0.95},
    "x the same time": {" ": 0.9},
}


def test_separator_ends_a_word_with_its_space_in_prose_only():
    dec, state, logits = decoder_for(SAME, "x th")
    code = dec.decode(state, logits, "x th", stop_at="word", rank="savings")
    assert code is None  # "e": one character, too short to show
    prose = dec.decode(state, logits, "x th", stop_at="word", rank="savings", separator=True)
    assert prose.text == "e "
    assert math.isclose(prose.confidence, 0.95 * 0.9, rel_tol=1e-6)
    # taking "e" alone saves nothing: the gate reads P(all of "e ")
    assert math.isclose(prose.first_confidence, 0.95 * 0.9, rel_tol=1e-6)
    # not when the model is not sure enough of the space
    out = dec.decode(
        state, logits, "x th", stop_at="word", rank="savings", separator=True, separator_min=0.95
    )
    assert out is None


def test_phrase_continues_while_sure_and_ctrl_right_takes_it_word_by_word():
    dec, state, logits = decoder_for(SAME, "x ")
    kw = {"rank": "savings", "separator": True, "min_confidence": 0.1}
    word = dec.decode(state, logits, "x ", stop_at="word", **kw)
    assert word.text == "the "
    phrase = dec.decode(state, logits, "x ", stop_at="phrase", phrase_min=0.3, **kw)
    assert phrase.text == "the same time "
    texts = [c.text for c in dec.candidates]
    assert {"the", "the ", "the same", "the same ", "the same time"} <= set(texts)
    words, rest = [], phrase.text
    while rest:  # Ctrl+Right
        k = next_word_len(rest)
        words.append(rest[:k])
        rest = rest[k:]
    assert words == ["the", " same", " time", " "]
    # a higher bar stops the phrase earlier: P("the same ") = 0.9*0.95**2*0.9*0.9*0.95**3 =
    # 0.56, P("the same t") = 0.51
    short = dec.decode(state, logits, "x ", stop_at="phrase", phrase_min=0.55, **kw)
    assert short.text == "the same "
    # without separators (code) a phrase is one word
    code = dec.decode(state, logits, "x ", stop_at="phrase", rank="savings", min_confidence=0.1)
    assert code.text == "the"


def test_savings_model_the_typist():
    from ghostpen.suggest.savings import expected_savings, saved_keys, unit_ends, useful_logp

    assert unit_ends("the same ") == [3, 8, 9]
    lp = [math.log(p) for p in (0.9, 0.8, 0.5, 0.5)]  # cumulative: P("t")..P("the ")
    # "the " = units "the", " ": 2 keys saved when "the" is right, 1 more when all of it is
    assert math.isclose(expected_savings("the ", lp), 0.5 * 2 + 0.5 * 1)
    assert math.isclose(expected_savings("the", lp[:3]), 0.5 * 2)
    assert saved_keys("the same ", "the same time") == 8  # Tab
    assert saved_keys("the same ", "the other") == 2  # Ctrl+Right once
    assert saved_keys("the same ", "then") == 2  # "the" matches character by character
    assert saved_keys("xyz", "abc") == 0
    # the gate's probability: the first unit that saves a key ("the"), else all ("e ")
    assert useful_logp("the ", lp) == lp[2]
    assert useful_logp("e ", lp[:2]) == lp[1]
    lp9 = [math.log(1.0 - i / 20) for i in range(9)]
    assert useful_logp(", and the", lp9) == lp9[4]  # "," saves nothing, " and" does


def test_banned_words_are_not_offered():
    dec, state, logits = decoder_for(SAME, "x t")
    kw = {"rank": "savings", "separator": True, "stop_at": "word", "min_confidence": 0.001}
    assert dec.decode(state, logits, "x t", **kw).text == "he "
    out = dec.decode(state, logits, "x t", banned=frozenset({"the"}), ban_prefix="t", **kw)
    assert out is None or not ("t" + out.text).startswith("the")
    # a word that merely starts like the banned one is still offered
    script = dict(SAME, **{"x the": {"n": 0.5, " ": 0.4}, "x then": {" ": 0.9}})
    dec, state, logits = decoder_for(script, "x t")
    out = dec.decode(state, logits, "x t", banned=frozenset({"the"}), ban_prefix="t", **kw)
    assert out.text == "hen "


class FakePrior:
    """A word model that knows one phrase: after "x" comes "zebra"."""

    def __init__(self):
        self.asked = []

    def logprob(self, word, context_words):
        return math.log(0.9) if word == "zebra" else math.log(0.01)

    def top_continuations(self, context_words, prefix, k):
        self.asked.append((tuple(context_words), prefix))
        return [("zebra", math.log(0.9))] if "zebra".startswith(prefix) else []


def test_word_prior_adds_and_weighs_candidates():
    from ghostpen.suggest.prior import WordPrior, context_words

    prior = FakePrior()
    assert isinstance(prior, WordPrior)
    # the word model's own reading: a document start is <s>, punctuation is a token
    assert context_words("one two thr") == ["<s>", "one", "two"]
    assert context_words("Yes. one, two ") == ["one", ",", "two"]
    dec, state, logits = decoder_for(SAME, "x ")
    kw = {"rank": "savings", "separator": True, "stop_at": "word", "min_confidence": 0.05}
    assert dec.decode(state, logits, "x ", **kw).text == "the "  # the character model alone
    dec, state, logits = decoder_for(SAME, "x z")
    assert dec.decode(state, logits, "x z", **kw) is None
    out = dec.decode(state, logits, "x z", word_prior=prior, **kw)
    assert prior.asked == [(("<s>", "x"), "z")]
    # the character model finds no "z..." word above the gate; the prior's "zebra" is stepped
    # through it and scored with the mixture, so it is offered
    assert out is not None and out.text in ("ebra", "ebra ")
    assert 0.2 < out.first_confidence <= 1.0  # about the prior's share of the mixture
