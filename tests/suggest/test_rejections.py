"""Remembered rejections (`suggest/rejections.py`) and the prose/code rule (`suggest/prose.py`)."""

import pytest

from ghostpen.suggest.prose import is_prose
from ghostpen.suggest.rejections import RejectionMemory, is_banned, typed_past, unit_start


@pytest.mark.parametrize(
    ("before", "start"),
    [("", 0), ("say hel", 4), ("hello,", 5), ("hello ", 6), ("one two\n", 8), ("don't", 0)],
)
def test_unit_start(before, start):
    assert unit_start(before) == start


def test_typed_past_and_acceptances():
    # typing another letter, or the suggestion's own first letter instead of taking it
    assert typed_past("", "the ", "x") == (0, "the")
    assert typed_past("", "the ", "t") == (0, "the")
    assert typed_past("th", "e same ", "i") == (0, "the")  # the whole word, typed part included
    assert typed_past("hello", " world", " ") == (6, "world")
    assert typed_past("hello", ", and ", ".") == (5, ",")
    # what Tab or Ctrl+Right take, or all of it typed, rejects nothing
    assert typed_past("", "the ", "the") is None
    assert typed_past("", "the ", "the ") is None
    assert typed_past("", "the same ", "the same") is None
    assert typed_past("", "the ", "the x") is None
    assert typed_past("hello", " world", "\n") is None  # diverged before the word began


def test_is_banned_needs_the_suggestion_to_complete_the_word():
    banned = frozenset({"the"})
    assert is_banned("t", "he ", banned) and is_banned("", "the", banned)
    assert not is_banned("t", "hen ", banned)
    assert not is_banned("the", ", ", banned)  # the user typed that word themselves
    assert not is_banned("", " the", banned)  # another position (after a space)


def test_memory_lasts_while_the_word_is_typed():
    mem = RejectionMemory()
    assert mem.observe("We saw ") == ("", frozenset())
    mem.shown("We saw ", 0, "the ")
    assert mem.observe("We saw t") == ("t", frozenset({"the"}))  # typed past "the"
    mem.shown("We saw t", 0, "o ")
    assert mem.observe("We saw th") == ("th", frozenset({"the", "to"}))
    mem.shown("We saw th", 0, None)
    assert mem.observe("We saw thr") == ("thr", frozenset({"the", "to"}))
    # the word ends: the next word starts with an empty memory
    assert mem.observe("We saw three ") == ("", frozenset())
    mem.shown("We saw three ", 0, "the ")
    assert mem.observe("We saw three the") == ("the", frozenset())  # typed it all: no rejection


def test_memory_follows_the_cursor_and_window_moves():
    mem = RejectionMemory()
    mem.observe("abc d")
    mem.shown("abc d", 0, "eep ")
    assert mem.observe("abc dx")[1] == frozenset({"deep"})
    assert mem.observe("other text d")[1] == frozenset()  # the cursor went elsewhere
    assert mem.observe("abc dx")[1] == frozenset()  # back: cleared with the move
    # the window dropped its first 4 characters: the same word at the same document offset
    filler = "x" * 40 + " abc "
    mem.observe("0123" + filler + "d")
    mem.shown("0123" + filler + "d", 0, "og ")
    assert mem.observe("0123" + filler + "dr", 0)[1] == frozenset({"dog"})
    assert mem.observe(filler + "dr", 4)[1] == frozenset({"dog"})
    assert mem.observe(filler[:-3] + "yz dr", 4)[1] == frozenset()  # an edit before the word


@pytest.mark.parametrize(
    ("path", "prose"),
    [
        (None, True),
        ("", True),
        ("notes.txt", True),
        ("/home/u/README.md", True),
        ("README", True),
        ("paper.TeX", True),
        ("main.py", False),
        ("lib.rs", False),
        ("page.html", False),
        ("data.json", False),
        ("table.csv", False),
        (".bashrc", False),
    ],
)
def test_prose_by_file_name(path, prose):
    assert is_prose(path) is prose
