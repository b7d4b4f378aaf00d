"""Run the tiny launcher worker (dist_worker_tiny.py) across a test lab's hosts.

    python multihost_launch.py HOSTS_FILE SSH_COMMAND CORPUS OUT

The Launcher of `ghostpen launch --hosts` with `program` set to the tiny worker, so that every
worker writes its final parameters (OUT/rank<R>.npz) for the test to compare.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from ghostpen.training.launch import Launcher
    from ghostpen.training.launch_remote import read_hosts_file

    hosts, ssh, corpus, out = sys.argv[1:] if argv is None else argv
    worker = [sys.executable, str(Path(__file__).with_name("dist_worker_tiny.py"))]
    launcher = Launcher(
        [corpus, out, "dist_sync"], 2, 1, hosts=read_hosts_file(hosts), ssh=shlex.split(ssh),
        program=worker, grace_s=3,
    )  # fmt: skip
    code = launcher.run()
    if launcher.failure:
        print(f"failure: {launcher.failure}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
