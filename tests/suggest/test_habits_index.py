"""The habits index (next words, completions, the context at the cursor) and the engine
suggesting from it in a new, empty document."""

from __future__ import annotations

import pytest

from ghostpen.suggest.engine import SuggestionEngine
from ghostpen.suggest.habits import HabitsStore
from ghostpen.suggest.habits_index import Habits, context
from ghostpen.suggest.types import EngineSettings


def index(*texts: str) -> Habits:
    store = HabitsStore()
    for t in texts:
        store.feed(t)
    return store.snapshot()


def test_context_is_the_word_being_typed_and_the_words_before_it():
    assert context("we met in Quetz") == (("met", "in"), "Quetz")
    assert context("we met in ") == (("met", "in"), "")
    assert context("end. Then ") == (("Then",), "")
    assert context("one\n\ntwo ") == (("two",), "")  # a blank line ends the phrase
    assert context("one\ntwo ") == (("one", "two"), "")
    assert context("") == ((), "")
    assert context("x" * 300 + " a b") == (("a",), "b")


def test_next_word_after_a_phrase_then_completion_without_one():
    habits = index("we met in Quetzalbrook. " * 3 + "we met in Paris. then in Rome.")
    word, p = habits.complete(("met", "in"), "")
    assert word == "Quetzalbrook" and p == pytest.approx(3 / (4 + 1))
    assert habits.complete(("in",), "Ro") == ("Rome", pytest.approx(1 / (1 + 1)))
    word, p = habits.complete((), "Quet")  # no context: the stored words
    assert word == "Quetzalbrook" and p == pytest.approx(3 / (3 + 1))
    assert habits.complete((), "Q") is None  # too short without a context
    assert habits.complete((), "Zz") is None


def test_a_suggestion_adds_at_least_two_characters():
    habits = index("let mut s let mut s let mut guess")
    s = habits.suggestion("let mut ", 40)
    assert s.text == "guess" and s.source == "habits"  # "s" adds one character only
    assert index("Rusty Rust Rust").suggestion("Rust", 40) is None  # "Rusty": one more
    assert index("alphabet").suggestion("alp", 3).text == "hab"  # max_chars


def test_the_word_typed_counts_against_longer_ones():
    habits = index("the the the theory")
    assert habits.complete((), "the") == ("theory", pytest.approx(1 / (4 + 1)))


def test_five_letter_prefixes_filter_the_four_letter_bucket():
    habits = index("Quetzalbrook Quetzxy Quetzalcoatl Quetzalcoatl")
    assert habits.complete((), "Quetza")[0] == "Quetzalcoatl"
    assert habits.complete((), "Quetzal") == ("Quetzalcoatl", pytest.approx(2 / (3 + 1)))
    assert habits.complete((), "Quetzalb")[0] == "Quetzalbrook"


@pytest.fixture
def engine(tiny_model):
    return SuggestionEngine.from_checkpoint(tiny_model, EngineSettings(min_confidence=0.2))


@pytest.fixture
def no_model(engine, monkeypatch):
    """The engine's model has no suggestion of its own (so the fallbacks are seen)."""
    monkeypatch.setattr(engine._decoder, "decode", lambda *a, **k: None)
    return engine


def test_a_habits_word_is_suggested_in_a_new_empty_document(engine):
    store = HabitsStore()
    store.feed("I wrote to Xyrelwick today. Dear Xyrelwick, thanks. " * 30)
    engine.set_habits(store.snapshot())
    s = engine.suggest("Hello Xyr", "")
    assert (s.text, s.source) == ("elwick", "habits")
    s = engine.suggest("Dear ", "", path="/elsewhere/letter.txt")
    assert (s.text, s.source) == ("Xyrelwick", "habits")
    engine.set_habits(None)  # forgotten: no more suggestions from it
    s = engine.suggest("Hello Xyr", "")
    assert s is None or s.source != "habits"


def test_forgetting_the_store_stops_its_suggestions(no_model, tmp_path):
    engine = no_model
    store = HabitsStore(tmp_path / "h.json")
    store.feed("Xyrelwick Xyrelwick Xyrelwick")
    store.save()
    engine.set_habits(store.snapshot())
    assert engine.suggest("Hi Xyr").source == "habits"
    store.forget()
    engine.set_habits(store.snapshot())
    assert engine.suggest("Hi Xyr") is None


def test_document_words_come_before_habits(no_model):
    engine = no_model
    store = HabitsStore()
    store.feed("Xyrelwick " * 20)
    engine.set_habits(store.snapshot())
    s = engine.suggest("Xyrabc met Xyrabc and Xyr", "")
    assert (s.text, s.source) == ("abc", "document")
    assert engine.suggest("a new one: Xyr", "").source == "habits"


def test_habits_below_the_confidence_threshold_are_not_shown(no_model):
    engine = no_model
    store = HabitsStore()
    store.feed("Xyrelwick Xyrabcdef Xyrmnopq Xyrstuvw")  # each 1 / (4 + 1) = 0.2
    engine.set_habits(store.snapshot())
    engine.settings.min_confidence = 0.25
    assert engine.suggest("so Xyr") is None


def test_no_habits_inside_a_word(engine):
    store = HabitsStore()
    store.feed("Xyrelwick " * 5)
    engine.set_habits(store.snapshot())
    assert engine.suggest("Xyr", "el") is None
