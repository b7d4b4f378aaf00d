"""Probes of the editor's own files for `ghostpen eval probes`: the typing history shared by
two editors, FIFOs and devices where ghostpen reads habits.json or a recovery copy, absurd
numbers and nesting, links, Restore Selected with nothing ticked, a same-size change in place,
extended attributes, and typing into a line of a megabyte.

Each scenario runs offscreen in a child process (`probe_editor_io.py`, or `probe_long_line.py`
for the typing one); a child that hangs is killed after CHILD_TIMEOUT_S and the probe fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ghostpen.evals.probes import Outcome, Run, child_env, probe, python, skip

CHILD_TIMEOUT_S = 90.0  # one editor scenario; the habits ones would hang forever unguarded


def _outcome(run: Run) -> Outcome:
    try:
        result = json.loads(run.out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return Outcome(False, f"no result (rc {run.rc}): {run.last_line}", [], run.traceback)
    message = str(result.get("message", ""))
    if message.startswith("skipped: ") and not run.traceback:
        return skip(message.removeprefix("skipped: "))
    ok = bool(result.get("ok")) and run.rc == 0 and not run.traceback
    return Outcome(ok, message, [], run.traceback)


def _scenario_probe(name: str) -> None:
    from ghostpen.evals.probe_editor_io import SCENARIOS

    def run_scenario(tmp: Path) -> Outcome:
        args = ("-m", "ghostpen.evals.probe_editor_io", name, str(tmp))
        return _outcome(python(*args, timeout=CHILD_TIMEOUT_S))

    probe(f"editor-{name}", (SCENARIOS[name].__doc__ or name).strip())(run_scenario)


for _name in (
    "habits-fifo",
    "habits-dev-zero",
    "habits-absurd-numbers",
    "habits-deep-nesting",
    "habits-symlink",
    "habits-excluded-through-link",
    "recovery-nothing-ticked",
    "recovery-fifo",
    "same-size-in-place",
    "save-keeps-xattrs",
):
    _scenario_probe(_name)


@probe("editor-habits-two-editors", "two editors save words into one typing history at once")
def _habits_two_editors(tmp: Path) -> Outcome:
    barrier = tmp / "shared"
    barrier.mkdir()
    children = []
    for word in ("Alphaword", "Betaword"):
        folder = tmp / word
        folder.mkdir()
        cmd = [sys.executable, "-m", "ghostpen.evals.probe_editor_io", "habits-writer"]
        children.append(
            subprocess.Popen(
                [*cmd, str(folder), word, str(barrier)],
                env=child_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
            )
        )
    runs = []
    for child in children:
        try:
            out, err = child.communicate(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
            err += f"\n(timed out after {CHILD_TIMEOUT_S:.0f} s)"
        runs.append(Run(child.returncode, out, err, 0.0))
    outcomes = [_outcome(run) for run in runs]
    try:
        words = json.loads((barrier / "habits.json").read_text(encoding="utf-8"))["words"]
    except (OSError, ValueError, KeyError):
        words = {}
    both = "Alphaword" in words and "Betaword" in words
    ok = both and all(o.ok for o in outcomes)
    lost = [] if both else [str(barrier / "habits.json")]
    message = f"words kept: {sorted(words)}; " + "; ".join(o.message for o in outcomes)
    return Outcome(ok, message, lost, any(o.traceback for o in outcomes))


@probe("editor-long-line-typing", "typing into a line of 1 MB and of 5 MB, wrapped and not")
def _long_line_typing(tmp: Path) -> Outcome:
    from ghostpen.evals.probe_long_line import KEY_BUDGET_MS

    args = ("-m", "ghostpen.evals.probe_long_line", "--mb", "1", "5", "--keys", "20")
    run = python(*args, "--wrap", "both", timeout=4 * CHILD_TIMEOUT_S)
    try:
        rows = [json.loads(line) for line in run.out.splitlines() if line.startswith("{")]
    except json.JSONDecodeError:
        rows = []
    if run.rc != 0 or len(rows) != 4:
        return Outcome(False, f"no result (rc {run.rc}): {run.last_line}", [], run.traceback)
    slow = [r for r in rows if max(r["median_ms"], r["p90_ms"]) >= KEY_BUDGET_MS]
    broken = [r for r in rows if not r["text_intact"]]
    said = "; ".join(
        f"{r['megabytes']:g} MB {'wrapped' if r['wrap'] else 'unwrapped'}: median "
        f"{r['median_ms']} ms, p90 {r['p90_ms']} ms"
        for r in rows
    )
    ok = not slow and not broken and not run.traceback
    return Outcome(ok, said + ("; text changed" if broken else ""), [], run.traceback)
