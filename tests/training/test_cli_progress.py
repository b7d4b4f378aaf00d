"""`ghostpen train`'s progress bar and help: the time budget and the fine-tune defaults."""

from __future__ import annotations

import argparse

from ghostpen.training import finetune, reporter
from ghostpen.training import train_cli as cli
from ghostpen.training.events import StartEvent, StepEvent, to_json


def test_the_bar_ends_with_the_time_budget_not_all_epochs(monkeypatch, capsys):
    """Issue 17 item 6: `--minutes 0.5` showed `30/46000 … ETA 17:17:31`."""
    clock = [100.0]
    monkeypatch.setattr(reporter.time, "monotonic", lambda: clock[0])
    report = reporter.Reporter("bar")
    start = StartEvent(
        epochs=10, chunks_per_epoch=4600, train_chars=1, valid_chars=1, vocab=9,
        resumed=False, epoch=0, step=0,
    )  # fmt: skip
    report(to_json(start))
    clock[0] += 10.0  # 30 steps in 10 s, 20 s of the 30 s budget left
    step = StepEvent(
        epoch=0, chunk=30, chunks=4600, step=30, loss=2.0, chars_per_s=1.0, eta_s=20.0,
        lr=1e-3,
    )  # fmt: skip
    report(to_json(step))
    assert report.bar.total == 90  # 30 done + 20 s at 3 steps/s, not 46,000
    report.bar.refresh()
    last = capsys.readouterr().err.split("\r")[-1]
    assert "30/90 [00:00, left=0:20, loss=2.000" in last
    report.bar.close()


def test_help_shows_the_defaults_a_fine_tune_really_uses(capsys):
    parser = argparse.ArgumentParser(prog="ghostpen train")
    cli.add_arguments(parser)
    text = " ".join(parser.format_help().split())
    assert f"with --from: {finetune.DEFAULTS['minutes']:g}" in text
    assert f"Adam learning rate ({cli.DEFAULT_TRAIN.lr:g}; with --from: 0.001)" in text
    assert finetune.DEFAULTS["lr"] == 1e-3 and finetune.DEFAULTS["minutes"] == 10.0  # README
