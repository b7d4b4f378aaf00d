"""--threads and OMP_NUM_THREADS are bounded (libgomp aborts when it cannot start them)."""

import logging

from ghostpen.training import step


def test_absurd_thread_counts_are_bounded_with_a_warning(caplog, monkeypatch):
    monkeypatch.setattr(step, "available_cores", lambda: 2)
    with caplog.at_level(logging.WARNING):
        assert step.default_threads(100_000) == 8
    assert "--threads 100000 is more than this machine can run (2 usable cores)" in caplog.text
    assert step.default_threads(3) == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "99999")
    assert step.default_threads(None) == 8
    monkeypatch.setattr(step, "available_cores", lambda: 512)
    assert step.max_threads() == 256
