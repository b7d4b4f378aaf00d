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

from ghostpen.argtypes import int_range, non_negative_float
from ghostpen.cli import run_as
from ghostpen.training.launch import Launcher, LaunchError
from ghostpen.training.launch_remote import read_hosts_file

MAX_PROCESSES = 4096  # -n and -s; one machine takes at most 32 (training/launch.py)


def add_arguments(p: argparse.ArgumentParser) -> None:
    count = int_range(1, MAX_PROCESSES)
    p.add_argument("-n", "--workers", type=count, required=True,
                   help="worker processes (1 to 4096; at most 32 processes a machine)")  # fmt: skip
    p.add_argument("-s", "--servers", type=count, default=1, help="server processes (1)")
    p.add_argument(
        "--hosts",
        metavar="FILE",
        help="machines, one a line (ADDRESS [ROLE …]), reached with ssh (default: all "
        "processes here, on loopback); see docs/distributed.md",
    )
    p.add_argument(
        "--port",
        type=int_range(1, 65535),
        default=None,
        help="the scheduler's port (default: a free one; with --hosts 9091)",
    )
    p.add_argument(
        "--ssh",
        default="ssh",
        metavar="COMMAND",
        help='with --hosts: the ssh command, e.g. "ssh -F cluster.conf" (ssh)',
    )
    p.add_argument(
        "--python",
        metavar="PATH",
        default=None,
        help="with --hosts: the Python with ghostpen on every host (default: this one's path)",
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
    import shlex

    argv = worker_argv(args.command)
    if not argv:
        print(
            "ghostpen launch: give the command after --, e.g. -- train --corpus …", file=sys.stderr
        )
        return 2
    try:
        ssh = shlex.split(args.ssh)
        if not ssh:
            raise LaunchError("--ssh is empty")
        hosts = read_hosts_file(args.hosts) if args.hosts else None
        launcher = Launcher(
            argv, args.workers, args.servers, hosts=hosts, port=args.port, grace_s=args.grace,
            python=args.python or sys.executable, ssh=ssh,
        )  # fmt: skip
        code = launcher.run()
    except (LaunchError, OSError, ValueError) as exc:
        print(f"ghostpen launch: {exc}", file=sys.stderr)
        return 2
    if code != 0 and launcher.failure:
        print(f"ghostpen launch: {launcher.failure}; every process was stopped", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    return run_as(["launch"], argv)


if __name__ == "__main__":
    sys.exit(main())
