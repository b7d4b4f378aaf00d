"""`ghostpen eval dist`: what a network between the machines costs a distributed training.

    ghostpen eval dist --corpus nietzsche.txt [--workers 1,2] [--delays 0,1,10] [--minutes 0.33]

As root, builds three "machines" on this one (network namespaces, each with its own sshd:
evals/netlab.py): the scheduler and one server on host 0 (where
`ghostpen launch` runs), workers on hosts 1 and 2, reached over real ssh. For every worker
count it first runs on the kernel's bridge without delay, then for every delay through the
lab's router (evals/netlab_router.py: TUN links, what `tc netem delay` does on each host's
link, for kernels without netem; a round trip between two hosts is twice the delay; the
router itself moves ~15 MB/s, a ~100 Mbit/s network) it runs `ghostpen launch -n W -s 1
--hosts … -- train …` for `--minutes` and prints one JSON line:

- steps_per_s: rank 0's steps over its training time (the done event's elapsed_s: start-up
  and the store's barriers before the first step excluded);
- chars_per_s_median: the median of rank 0's step events (all workers' characters);
- bytes_per_step_per_worker: the bytes every worker host's link carried (sent + received, ssh
  and its output lines included) over the run, divided by steps and workers; theory is
  parameters × 4 bytes × 2 (gradients out, summed gradients back);
- params: the model's parameter count (from the checkpoint's meta.json).

Then a summary object with the same rows. Traffic stays in the lab's namespaces, which are
removed at the end. `--repeats N` runs each setting N times and reports medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from ghostpen.argtypes import int_range, positive_float
from ghostpen.report import print_result

TRAIN = ("--hidden", "128", "--layers", "1", "--embed", "16", "--seq-len", "50",
         "--batch-size", "32", "--threads", "1", "--progress", "json")  # fmt: skip


def _numbers(kind, text: str) -> list:
    try:
        values = [kind(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be numbers separated by commas, not {text!r}"
        ) from None
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("must be 0 or more")
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", required=True, help="the training text (a file)")
    parser.add_argument("--workers", type=lambda t: _numbers(int, t), default=[1, 2],
                        help="worker counts, 1 or 2 (1,2)")  # fmt: skip
    parser.add_argument("--delays", type=lambda t: _numbers(float, t), default=[0.0, 1.0, 10.0],
                        help="tc netem delays in ms (0,1,10)")  # fmt: skip
    parser.add_argument("--minutes", type=positive_float, default=1 / 3,
                        help="training time of each run (0.33)")  # fmt: skip
    parser.add_argument("--repeats", type=int_range(1, 20), default=1, help="runs a setting (1)")
    parser.add_argument("--no-bridge", dest="bridge", action="store_false",
                        help="skip the first rows: the kernel's bridge, no delay")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="(always JSON; kept for symmetry)")


def _one_run(lab, root: Path, corpus: str, workers: int, minutes: float) -> dict:
    hosts = root / "hosts.txt"
    lines = [f"{lab.hosts[0].addr} scheduler server"]
    lines += [f"{lab.hosts[1 + i].addr} worker" for i in range(workers)]
    hosts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / f"m-{workers}"
    argv = [sys.executable, "-m", "ghostpen", "launch", "-n", str(workers), "-s", "1"]
    argv += ["--hosts", str(hosts), "--ssh", lab.ssh, "--", "train", "--corpus", corpus]
    argv += ["--out", str(out), "--force", *TRAIN, "--minutes", f"{minutes:g}"]
    before = [lab.link_bytes(1 + i) for i in range(workers)]
    done = lab.run_on(0, argv, text=True, timeout=minutes * 60 + 300)
    moved = sum(lab.link_bytes(1 + i) - b for i, b in enumerate(before))
    events = [json.loads(x.split("] ", 1)[1]) for x in done.stdout.splitlines()
              if '"event": ' in x]  # fmt: skip
    final = [e for e in events if e["event"] == "done"]
    if done.returncode != 0 or not final:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"the run with {workers} worker(s) failed: {tail}")
    steps, elapsed = final[0]["steps"], final[0]["elapsed_s"]
    speeds = [e["chars_per_s"] for e in events if e["event"] == "step"]
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    return {
        "steps": steps,
        "steps_per_s": steps / elapsed if elapsed else 0.0,
        "chars_per_s_median": statistics.median(speeds) if speeds else 0.0,
        "bytes_per_step_per_worker": moved / max(1, steps) / workers,
        "params": _count(meta),
    }


def _count(meta: dict) -> int | None:
    """The parameter count of an LSTM checkpoint's settings (embedding, LSTM, decoder)."""
    m = meta.get("model", {})
    try:
        v, e, h, n = m["vocab_size"], m["num_embed"], m["num_hidden"], m["num_layers"]
    except (KeyError, TypeError):
        return None
    lstm = sum(4 * h * ((e if i == 0 else h) + h + 2) for i in range(n))
    return v * e + lstm + h * v + v


def run(args: argparse.Namespace) -> int:
    from ghostpen.evals.netlab import unavailable

    why = unavailable()
    if why:
        print(f"ghostpen eval dist: needs network namespaces: {why}", file=sys.stderr)
        return 2
    if any(w not in (1, 2) for w in args.workers):
        print("ghostpen eval dist: --workers takes 1 and/or 2 (two worker hosts)", file=sys.stderr)
        return 2
    corpus = str(Path(args.corpus).resolve())
    try:
        rows = _measure(args, corpus)
    except (RuntimeError, OSError) as exc:
        print(f"ghostpen eval dist: {exc}", file=sys.stderr)
        return 1
    print_result({"minutes": args.minutes, "corpus": args.corpus, "rows": rows}, as_json=True)
    return 0


def _measure(args: argparse.Namespace, corpus: str) -> list[dict]:
    """The bridge (the kernel's own links) without delay, then the router with each delay."""
    from ghostpen.evals.netlab import NetLab

    rows = []
    settings = [(False, 0.0)] if args.bridge else []
    settings += [(True, d) for d in args.delays]
    with tempfile.TemporaryDirectory(prefix="ghostpen-eval-dist-") as tmp:
        for routed in sorted({r for r, _ in settings}):
            with NetLab(3, Path(tmp) / f"lab-{routed}", router=routed) as lab:
                for delay in [d for r, d in settings if r == routed]:
                    lab.delay(delay)
                    for workers in args.workers:
                        runs = [_one_run(lab, Path(tmp), corpus, workers, args.minutes)
                                for _ in range(args.repeats)]  # fmt: skip
                        row = {"link": "router" if routed else "bridge", "delay_ms": delay,
                               "workers": workers, "repeats": len(runs)}  # fmt: skip
                        for key in runs[0]:
                            values = [r[key] for r in runs if r[key] is not None]
                            row[key] = round(statistics.median(values), 2) if values else None
                        print(json.dumps(row), flush=True)
                        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "dist"], argv)


if __name__ == "__main__":
    sys.exit(main())
