"""`ghostpen launch`: run a ghostpen command (a training) on MXNet's distributed KVStore.

    ghostpen launch -n 2 -- train --corpus notes/ --out runs/notes --kvstore dist_sync
    ghostpen launch -n 4 -s 2 --hosts hosts.txt -- train --corpus /shared/corpus ...

Starts the ps-lite scheduler, `-s` servers and `-n` workers (training/launch.py), on loopback
unless `--hosts FILE` names machines to reach through ssh. A `train` or `train-gan` command
without `--kvstore` gets `--kvstore dist_sync`. Exits 0 when every worker did; otherwise non-zero,
after stopping every process it started.
"""

from __future__ import annotations

import argparse
import sys

from ghostpen.argtypes import non_negative_float, positive_int


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-n", "--workers", type=positive_int, required=True, help="worker processes")
    p.add_argument("-s", "--servers", type=positive_int, default=1, help="server processes (1)")
    p.add_argument(
        "--hosts",
        metavar="FILE",
        help="machines, one a line, reached with ssh (default: all processes here, on loopback)",
    )
    p.add_argument(
        "--port",
        type=positive_int,
        default=None,
        help="the scheduler's port (default: a free one; with --hosts 9091)",
    )
    p.add_argument(
        "--grace",
        type=non_negative_float,
        default=10.0,
        help="seconds a process gets after SIGTERM before SIGKILL (10)",
    )
    p.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        help="after --: the ghostpen command each worker runs, e.g. train --corpus …",
    )


def worker_argv(command: list[str]) -> list[str]:
    """The workers' ghostpen argv: without a leading "--"; `train` and `train-gan` get a dist
    KVStore."""
    argv = command[1:] if command[:1] == ["--"] else list(command)
    if argv[:1] in (["train"], ["train-gan"]) and not any(
        a == "--kvstore" or a.startswith("--kvstore=") for a in argv
    ):
        argv += ["--kvstore", "dist_sync"]
    return argv


def run(args: argparse.Namespace) -> int:
    from ghostpen.training.launch import Launcher, LaunchError, read_hosts

    argv = worker_argv(args.command)
    if not argv:
        print(
            "ghostpen launch: give the command after --, e.g. -- train --corpus …", file=sys.stderr
        )
        return 2
    try:
        hosts = None
        if args.hosts:
            with open(args.hosts, encoding="utf-8") as f:
                hosts = read_hosts(f.read())
        launcher = Launcher(
            argv, args.workers, args.servers, hosts=hosts, port=args.port, grace_s=args.grace
        )
    except (LaunchError, OSError) as exc:
        print(f"ghostpen launch: {exc}", file=sys.stderr)
        return 2
    return launcher.run()


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["launch"], argv)


if __name__ == "__main__":
    sys.exit(main())
