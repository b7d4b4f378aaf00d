"""What `ghostpen train` shows of a run: its loop events as a tqdm bar, JSON lines, or nothing.

The events are `training/events.py`'s; `--progress json` prints them as they come (the editor's
training dialog reads those lines), `bar` draws a bar whose total follows the time budget.
"""

from __future__ import annotations

import json
import sys
import time

from ghostpen.training.events import parse

# tqdm's own remaining time assumes every epoch runs; "left" in the postfix is the loop's eta_s
BAR_FORMAT = {"bar_format": "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]"}


def _clock(seconds: float) -> str:
    """3725 -> '1:02:05', 75 -> '1:15'."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _expected_total(total: int, first: tuple[int, float], event) -> int:
    """The steps this run will end at: all epochs' steps, or fewer when the time budget
    (`eta_s`) ends first at the speed seen since the start."""
    step0, t0 = first
    elapsed = time.monotonic() - t0
    if event.step <= step0 or elapsed <= 0:
        return total
    by_time = event.step + round(event.eta_s * (event.step - step0) / elapsed)
    return max(event.step, min(total, by_time))


class Reporter:
    """Turns loop events into a tqdm bar, JSON lines, or nothing."""

    def __init__(self, mode: str):
        self.mode = mode
        self.bar = None

    def __call__(self, event: dict) -> None:
        if self.mode == "json":
            print(json.dumps(event), flush=True)
        elif self.mode == "bar":
            self._bar(parse(event))

    def _bar(self, event) -> None:
        from tqdm import tqdm

        if event.event == "start":
            total = event.epochs * event.chunks_per_epoch
            self.bar = tqdm(
                total=total, initial=event.step, unit="step", dynamic_ncols=True, **BAR_FORMAT
            )
            self.val, self.first, self.epochs_total = None, (event.step, time.monotonic()), total
        elif event.event == "step" and self.bar is not None:
            self.bar.total = _expected_total(self.epochs_total, self.first, event)
            self.bar.update(event.step - self.bar.n)
            post = {
                "left": _clock(event.eta_s),  # the loop's: epochs or --minutes, which ends first
                "loss": f"{event.loss:.3f}",
                "chars/s": f"{event.chars_per_s:.0f}",
                "epoch": event.epoch + 1,
            }
            if self.val is not None:
                post["val_bpc"] = f"{self.val:.3f}"
            self.bar.set_postfix(post, refresh=False)
        elif event.event == "valid" and self.bar is not None:
            self.val = event.val_bpc
            mark = "*" if event.improved else ""
            self.bar.write(
                f"epoch {event.epoch}: val bpc {event.val_bpc:.4f}{mark} "
                f"(best {event.best_val_bpc:.4f}, lr {event.lr:.2g})"
            )
        elif event.event == "done":
            if self.bar is not None:
                self.bar.close()
            best = "none" if event.best_val_bpc is None else f"{event.best_val_bpc:.4f}"
            print(
                f"{event.reason}: best validation bpc {best}; checkpoint {event.checkpoint}",
                file=sys.stderr,
            )
