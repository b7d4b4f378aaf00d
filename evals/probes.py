"""`ghostpen eval probes`: try every known bad input and check that ghostpen loses nothing.

Each probe (in `probe_cases.py`) prepares files in a scratch folder, runs a real `ghostpen`
command in a child process (or a small editor session, offscreen), and checks three things:

- no traceback reached the user (stdout/stderr hold no "Traceback (most recent call last)");
- the exit status is the expected one (non-zero for a refused input) and the message says why;
- every file the probe watches has the same bytes afterwards (or the expected new ones).

One JSON line per probe, then a summary line: `{"probes": N, "ok": K, "tracebacks": T,
"lost": L, "skipped": S}`. Exit status 0 when every probe passed or was skipped. A probe that
cannot be made here (a mount needs root) says so and why ("skipped"); it never counts as ok, so
a probe cannot pass without testing.

    ghostpen eval probes [--only NAME …] [--list]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ghostpen.report import print_result

TRACEBACK = "Traceback (most recent call last)"
CHILD_TIMEOUT_S = 180.0  # one probe's child process; a hang is a failed probe


@dataclass
class Outcome:
    """What a probe found: `ok` when nothing was lost, no traceback, the expected status."""

    ok: bool
    message: str
    lost: list[str] = field(default_factory=list)  # watched files whose bytes changed or vanished
    traceback: bool = False
    skipped: str = ""  # why the probe could not be made here (e.g. not root for a mount)


Probe = Callable[[Path], Outcome]
PROBES: dict[str, tuple[str, Probe]] = {}  # name -> (what it tries, function)


def probe(name: str, what: str) -> Callable[[Probe], Probe]:
    """Register a probe under `name`."""

    def register(fn: Probe) -> Probe:
        PROBES[name] = (what, fn)
        return fn

    return register


@dataclass
class Run:
    """One finished child process."""

    rc: int
    out: str
    err: str
    seconds: float

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.out or TRACEBACK in self.err

    @property
    def last_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


def skip(reason: str) -> Outcome:
    """A probe that cannot be made on this machine: counted apart, never as passed."""
    return Outcome(False, f"skipped: {reason}", skipped=reason)


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="0")
    env.update(extra)
    return env


def ghostpen(
    *args: str, cwd: Path | None = None, timeout: float = CHILD_TIMEOUT_S, env: dict | None = None
) -> Run:
    """Run `ghostpen ARGS…` in a child process (`env`: extra environment variables)."""
    return python("-m", "ghostpen", *args, cwd=cwd, timeout=timeout, env=env)


def python(
    *args: str, cwd: Path | None = None, timeout: float = CHILD_TIMEOUT_S, env: dict | None = None
) -> Run:
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=cwd,
            env=child_env(**(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        return Run(-1, out, err + f"\n(timed out after {timeout:.0f} s)", timeout)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - start)


def snapshot(*roots: Path) -> dict[str, str]:
    """sha256 of every file under `roots` (a file root is itself), keyed by path."""
    found: dict[str, str] = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            found[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return found


def lost_files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Files of `before` that are gone or changed in `after`."""
    return [f for f, digest in before.items() if after.get(f) != digest]


def refused(run: Run, before: dict[str, str], after: dict[str, str], *words: str) -> Outcome:
    """The usual check: non-zero exit, no traceback, nothing lost, message names `words`."""
    lost = lost_files(before, after)
    message = run.last_line
    said = all(w.lower() in (run.err + run.out).lower() for w in words)
    ok = run.rc not in (0, -1) and not run.traceback and not lost and said and bool(message)
    if not said:
        message = f"expected a message naming {words!r}; got: {message!r}"
    return Outcome(ok, message, lost, run.traceback)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these probes")
    parser.add_argument("--list", action="store_true", help="list the probes and exit")


def run(args: argparse.Namespace) -> int:
    from ghostpen.evals import probe_cases, probe_cases_models  # registers the probes

    del probe_cases, probe_cases_models
    names = list(PROBES) if not args.only else args.only
    unknown = [n for n in names if n not in PROBES]
    if unknown:
        print(f"ghostpen eval probes: unknown probe(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.list:
        for name in names:
            print(f"{name}: {PROBES[name][0]}")
        return 0
    results = []
    for name in names:
        what, fn = PROBES[name]
        with tempfile.TemporaryDirectory(prefix=f"ghostpen-probe-{name}-") as tmp:
            try:
                outcome = fn(Path(tmp))
            except Exception as exc:  # a broken probe is a failed probe, not a crash
                outcome = Outcome(False, f"probe failed: {type(exc).__name__}: {exc}")
        line = {"probe": name, "ok": outcome.ok, "message": outcome.message, "tries": what}
        if outcome.lost:
            line["lost"] = outcome.lost
        if outcome.traceback:
            line["traceback"] = True
        if outcome.skipped:
            line["skipped"] = outcome.skipped
        print(json.dumps(line), flush=True)
        results.append(outcome)
    summary = {
        "probes": len(results),
        "ok": sum(r.ok for r in results),
        "tracebacks": sum(r.traceback for r in results),
        "lost": sum(bool(r.lost) for r in results),
        "skipped": sum(bool(r.skipped) for r in results),
    }
    print_result(summary, as_json=True)
    return 0 if summary["ok"] + summary["skipped"] == summary["probes"] else 1


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "probes"], argv)


if __name__ == "__main__":
    sys.exit(main())
