"""Starting a distributed training: scheduler, servers and workers, and cleaning up after them.

`Launcher(...).run()` (the logic of `ghostpen launch`, see training/launch_cli.py) starts one
ps-lite scheduler, S servers and N workers, each a child process in its own process group
(`start_new_session`) with the `DMLC_*` environment MXNet's `dist_sync` / `dist_async` KVStore
reads: `DMLC_ROLE`, `DMLC_PS_ROOT_URI` / `DMLC_PS_ROOT_PORT` (the scheduler's address; loopback
and a free port by default), `DMLC_NUM_WORKER`, `DMLC_NUM_SERVER` and `DMLC_NODE_HOST` (the
address this process binds; loopback by default, so nothing listens on the network).

- Servers and the scheduler are `python -c "import mxnet"`: importing MXNet with that role
  runs the server loop until the workers finish. Workers run `python -m ghostpen ARGV…`.
- Every line a child prints comes out as `[worker 1] …` (`[scheduler]`, `[server 0]`); the
  number is the launch order, which need not be the worker's `kv.rank`.
- Ctrl+C (SIGINT) is forwarded to the workers (they stop together, rank 0 saves); a second
  Ctrl+C, or SIGTERM to the launcher, stops everything at once.
- If any child fails (a non-zero exit or a signal), every other one is terminated (SIGTERM
  to its group, SIGKILL after `grace_s`) and the launcher returns non-zero. On Linux each
  child also gets SIGKILL should the launcher itself die (PR_SET_PDEATHSIG): no orphan
  scheduler or server is left behind.
- `hosts`: processes go round-robin over the hosts (the scheduler on the first) and start
  through `ssh -tt -o BatchMode=yes HOST 'cd CWD && env DMLC_…=… PYTHON …'` — the same Python
  path and working directory on every machine. Tested here only on loopback.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
POLL_S = 0.05


# the import of MXNet (through ghostpen.mxcompat, like every import of it) that serves
_SERVE = "from ghostpen.mxcompat import require_mxnet; require_mxnet()"


class LaunchError(Exception):
    """The run cannot start (a busy port, a bad hosts file); the message says what to do."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def read_hosts(text: str) -> list[str]:
    """Host names, one a line; blank lines and `#` comments ignored."""
    hosts = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    hosts = [h for h in hosts if h]
    if not hosts:
        raise LaunchError("the hosts file names no host (one host name or address a line)")
    return hosts


@dataclass
class Child:
    """One process of the run: its role, name, command, environment and Popen."""

    role: str  # scheduler | server | worker
    name: str  # the output prefix, e.g. "worker 1"
    host: str  # where it runs (LOOPBACK: here)
    argv: list[str]
    env: dict = field(default_factory=dict)  # the DMLC_* variables
    proc: subprocess.Popen | None = None
    reader: threading.Thread | None = None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Launcher:
    """One distributed run: `run()` starts every child, streams, supervises and cleans up."""

    def __init__(
        self,
        argv: list[str],
        workers: int,
        servers: int = 1,
        *,
        hosts: list[str] | None = None,
        port: int | None = None,
        grace_s: float = 10.0,
        python: str = sys.executable,
        program: list[str] | None = None,
        out=None,
    ):
        if workers < 1 or servers < 1:
            raise LaunchError("a run needs at least one worker and one server")
        self.hosts = hosts or [LOOPBACK]
        self.remote = hosts is not None
        root = self.hosts[0]
        if port is None:
            port = free_port() if not self.remote else 9091
        elif not self.remote and not port_is_free(port):
            raise LaunchError(
                f"port {port} on {LOOPBACK} is in use: pick another --port, or leave it out "
                "to get a free one"
            )
        self.port, self.grace_s, self.python = port, grace_s, python
        self.out = out or sys.stdout
        self.lock = threading.Lock()
        self.interrupts = 0
        common = {
            "DMLC_PS_ROOT_URI": root,
            "DMLC_PS_ROOT_PORT": str(port),
            "DMLC_NUM_WORKER": str(workers),
            "DMLC_NUM_SERVER": str(servers),
        }
        serve = [python, "-c", _SERVE]  # with DMLC_ROLE set, the import serves
        work = [*(program or [python, "-m", "ghostpen"]), *argv]  # program: tests use a script
        specs = [("scheduler", "scheduler", root, serve)]
        place = self.hosts
        specs += [("server", f"server {i}", place[i % len(place)], serve) for i in range(servers)]
        specs += [("worker", f"worker {i}", place[i % len(place)], work) for i in range(workers)]
        self.children = [
            Child(role, name, host, cmd, {**common, "DMLC_ROLE": role, "DMLC_NODE_HOST": host})
            for role, name, host, cmd in specs
        ]

    def command(self, child: Child) -> tuple[list[str], dict]:
        """The argv and full environment that start `child` (through ssh when remote)."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if not self.remote:
            return child.argv, {**env, **child.env}
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in child.env.items())
        remote = f"cd {shlex.quote(os.getcwd())} && env PYTHONUNBUFFERED=1 {assigns} "
        remote += shlex.join(child.argv)
        return ["ssh", "-tt", "-o", "BatchMode=yes", child.host, remote], env

    def say(self, name: str, line: str) -> None:
        with self.lock:
            print(f"[{name}] {line}", file=self.out, flush=True)

    def _stream(self, child: Child) -> None:
        for raw in iter(child.proc.stdout.readline, b""):
            self.say(child.name, raw.decode("utf-8", "replace").rstrip("\r\n"))
        child.proc.stdout.close()

    def start(self) -> None:
        """Start every child (scheduler first), then one output reader thread per child."""
        self.say("launch", f"scheduler at {self.hosts[0]}:{self.port}")
        for child in self.children:
            argv, env = self.command(child)
            child.proc = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: signals reach all it started
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
            self.say("launch", f"{child.name}: pid {child.proc.pid} on {child.host}")
        for child in self.children:
            child.reader = threading.Thread(target=self._stream, args=(child,), daemon=True)
            child.reader.start()

    def _signal(self, child: Child, sig: int) -> None:
        if child.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.proc.pid, sig)

    def interrupt(self, *_args) -> None:
        """Ctrl+C: the first forwards SIGINT to the workers, the next stops everything."""
        self.interrupts += 1
        if self.interrupts == 1:
            self.say("launch", "Ctrl+C: asking the workers to stop (again to kill everything)")
            for child in self.children:
                if child.role == "worker":
                    self._signal(child, signal.SIGINT)

    def terminate_all(self) -> None:
        """SIGTERM to every live child's group, SIGKILL after `grace_s`; reap them all."""
        started = [c for c in self.children if c.proc is not None]
        for child in started:
            self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        while time.monotonic() < deadline and any(c.proc.poll() is None for c in started):
            time.sleep(POLL_S)
        for child in started:
            self._signal(child, signal.SIGKILL)
        for child in started:
            child.proc.wait()
            if child.reader is not None:
                child.reader.join(timeout=5)

    def _failure(self) -> tuple[Child, int] | None:
        """The first child that failed (a non-zero exit or a signal) and its code, if any."""
        for child in self.children:
            code = child.proc.poll()
            if code is not None and code != 0:
                return child, code
        return None

    def supervise(self) -> int:
        """Wait for the workers; on a failure (or a second Ctrl+C) stop everything."""
        workers = [c for c in self.children if c.role == "worker"]
        while True:
            failed = self._failure()
            if failed:
                child, code = failed
                how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
                self.say("launch", f"{child.name} {how}; stopping every other process")
                self.terminate_all()
                return 128 - code if code < 0 else code or 1
            if self.interrupts > 1:
                self.say("launch", "stopping every process")
                self.terminate_all()
                return 130
            if all(c.proc.poll() == 0 for c in workers):
                break
            time.sleep(POLL_S)
        deadline = time.monotonic() + self.grace_s  # the servers end once the workers have
        while time.monotonic() < deadline and any(c.proc.poll() is None for c in self.children):
            time.sleep(POLL_S)
        if any(c.proc.poll() is None for c in self.children):
            self.say("launch", f"servers still running {self.grace_s:g} s after the workers")
        self.terminate_all()  # reaps everything (a no-op for the finished ones)
        failed = [c for c in self.children if c.proc.returncode not in (0, -signal.SIGTERM)]
        return 1 if failed else 0

    def run(self) -> int:
        """Start, supervise, clean up; the exit status for `ghostpen launch`."""
        on_main = threading.current_thread() is threading.main_thread()
        previous = {}
        if on_main:
            previous[signal.SIGINT] = signal.signal(signal.SIGINT, self.interrupt)
            previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, self._stop_all)
        try:
            self.start()
            return self.supervise()
        finally:
            if any(c.proc is not None and c.proc.poll() is None for c in self.children):
                self.terminate_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop_all(self, *_args) -> None:
        self.interrupts = 2  # supervise() sees it and terminates everything
