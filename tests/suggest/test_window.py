"""The text window (`ghostpen.suggest.window`): aligned, bounded, plain vs markup, one
definition (the engine re-exports it for the evals)."""

from __future__ import annotations

from ghostpen.suggest import engine, window
from ghostpen.suggest.window import ALIGN, MARKUP_WINDOW, WINDOW, before_size, cut, window_start


def test_one_definition_re_exported_by_the_engine():
    assert engine.window_start is window.window_start
    assert (engine.WINDOW, engine.ALIGN, engine.MAX_AFTER) == (WINDOW, ALIGN, window.AFTER)


def test_window_start_is_aligned_and_at_least_size_back():
    assert window_start(0) == 0 and window_start(WINDOW + ALIGN - 1) == 0
    assert window_start(WINDOW + ALIGN) == ALIGN
    for cursor in (0, 1, 4095, 16384, 20479, 20480, 99_999, 3_000_001):
        start = window_start(cursor)
        assert start % ALIGN == 0
        assert start <= max(0, cursor - WINDOW)
        assert cursor - start <= WINDOW + ALIGN - 1 or start == 0
    assert window_start(30_000, 100) == 28_672  # any size, same alignment
    assert window_start(100, -5) == 0  # a negative size reads as 0


def test_cut_for_plain_and_markup_documents():
    text = "".join(chr(97 + i % 26) for i in range(60_000))
    start, before = cut(text, 50_000)
    assert (start, before) == (window_start(50_000), text[start:50_000])
    assert 16_384 <= len(before) < 16_384 + ALIGN
    assert cut(text, 50_000, markup=True) == (0, text[:50_000])  # the tag closer reads it all
    assert before_size(False) == WINDOW and before_size(True) == MARKUP_WINDOW
    assert cut(text, 0) == (0, "")
