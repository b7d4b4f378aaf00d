"""The remote end of `ghostpen launch --hosts`: run one process, and never outlive the launcher.

    python -m ghostpen.training.hostguard [--timeout S] [--grace S] -- ARGV…
    python -m ghostpen.training.hostguard --check [--bind ADDR] [--port P] [--need PATH…]

`ghostpen launch` starts every remote process through ssh as `hostguard -- ARGV`. The guard runs
ARGV in a process group of its own (its output goes straight to ssh) and reads the launcher's
words on stdin, one a line: `ping` (every second), `int` (Ctrl+C: SIGINT to the group), `term`
(SIGTERM to the group). When stdin ends (the ssh connection closed: the launcher stopped, or
this host's sshd died) or no word came for `--timeout` seconds (the network between the hosts
is cut, so no FIN ever arrives), the guard stops the group itself: SIGTERM, SIGKILL after
`--grace`. So nothing a run started is left on a host the launcher can no longer reach. The
guard exits with ARGV's status (128 + N after signal N).

`--check` is the launcher's look at a host before anything starts (training/launch_remote.py):
it binds `--bind` (this host must own the address the hosts file gives it) and `--port` (the
scheduler's port must be free) and looks for each `--need` path (the corpus), then prints one
line, `ok` or the problem, and exits 0 or 3. Only the standard library is imported here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import time

CHECK_FAILED = 3  # --check: a problem on this host (the line printed says which)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _stop(proc: subprocess.Popen, grace_s: float, sig: int = signal.SIGTERM) -> None:
    """`sig` to the child's group, SIGKILL after `grace_s`; reaps the child."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
    deadline = time.monotonic() + grace_s
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # also what the child left in its group
    proc.wait()


def _status(code: int) -> int:
    return 128 - code if code < 0 else code


def guard(argv: list[str], timeout_s: float, grace_s: float) -> int:
    """Run `argv` until it ends, or until the launcher is gone; its exit status."""
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    stopping: list[int] = []
    for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
        signal.signal(sig, lambda s, _f: stopping.append(s))
    fd, pending, heard = sys.stdin.fileno(), b"", time.monotonic()
    why = ""
    while proc.poll() is None and not stopping and not why:
        try:
            ready, _, _ = select.select([fd], [], [], 0.2)
        except InterruptedError:
            continue
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                why = "the launcher's connection closed"
                break
            heard, pending = time.monotonic(), pending + chunk
            *words, pending = pending.split(b"\n")
            for word in words:
                if word.strip() == b"int":
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGINT)
                elif word.strip() == b"term":
                    _stop(proc, grace_s)
        elif time.monotonic() - heard > timeout_s:
            why = f"no word from the launcher for {timeout_s:g} s (the network is cut?)"
    if proc.poll() is None:
        if why:
            with contextlib.suppress(OSError):
                print(f"hostguard on {socket.gethostname()}: {why}; stopping", file=sys.stderr)
        _stop(proc, grace_s)
    return _status(proc.returncode)


def check(bind: str | None, port: int | None, need: list[str]) -> str:
    """ "" when this host can take its part, else the problem in a few words."""
    if bind:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((bind, 0))
            except OSError as exc:
                return f"it does not own the address {bind} ({exc.strerror})"
        if port:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                # as the scheduler's ZeroMQ socket does: a closed run's TIME_WAIT is no owner
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind((bind, port))
                except OSError as exc:
                    return f"the scheduler's port {port} is taken there ({exc.strerror})"
    for path in need:
        if not os.path.exists(path):
            return f"{path} is missing there (every host needs it at the same path)"
    try:
        import importlib.util

        if importlib.util.find_spec("mxnet") is None:
            return f"{sys.executable} there has no mxnet (pip install ghostpen's requirements)"
    except (ImportError, ValueError):
        return f"{sys.executable} there cannot import mxnet"
    return ""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ghostpen.training.hostguard")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds without a word (15)")
    p.add_argument("--grace", type=float, default=10.0, help="SIGTERM to SIGKILL (10)")
    p.add_argument("--check", action="store_true", help="check this host and exit")
    p.add_argument("--bind", help="--check: an address this host must own")
    p.add_argument("--port", type=int, help="--check: a port that must be free on --bind")
    p.add_argument("--need", action="append", default=[], help="--check: a path that must exist")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if args.check:
        problem = check(args.bind, args.port, args.need)
        print(problem or "ok", flush=True)
        return CHECK_FAILED if problem else 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        p.error("give the command after --")
    return guard(command, args.timeout, args.grace)


if __name__ == "__main__":
    sys.exit(main())
