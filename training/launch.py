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
- `hosts` (training/launch_remote.py: the hosts file, roles, the checks): every host is first
  checked through ssh (nothing starts if one is not ready: a one-line message names it); then
  each process starts through `ssh -T -o BatchMode=yes … HOST 'cd CWD && exec env DMLC_…=…
  PYTHON -m ghostpen.training.hostguard -- …'` — the same Python path and working directory on
  every machine. The launcher sends each remote guard a word a second on its stdin (`ping`,
  `int` for Ctrl+C, `term`); the guard stops its process when the connection closes or goes
  silent (a cut network), so nothing is left on a host the launcher lost. A lost connection
  (ssh's exit status 255) stops the whole run with a message naming the host. Tested across
  network namespaces in tests/training/test_multihost.py.
- Bounds: at most MAX_PER_HOST processes on one machine (each is an MXNet process of a few
  hundred MB): `-n 100000` is refused, not forked.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from ghostpen.training.launch_remote import (
    SSH_FAILED,
    HostLine,
    LaunchError,
    address_of,
    needed_files,
    preflight,
    remote_line,
    ssh_argv,
)

LOOPBACK = "127.0.0.1"
POLL_S = 0.05
HEARTBEAT_S = 1.0  # the launcher's `ping` to every remote guard
GUARD_TIMEOUT_S = 15.0  # a remote guard that heard nothing this long stops its process
MAX_PER_HOST = 32  # processes (scheduler, servers, workers) on one machine
REMOTE_PORT = 9091  # the scheduler's port with --hosts unless --port says otherwise

__all__ = ["LaunchError", "Launcher", "free_port", "port_is_free"]

# the import of MXNet (through ghostpen.mxcompat, like every import of it) that serves
_SERVE = "from ghostpen.mxcompat import require_mxnet; require_mxnet()"


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


def _place(hosts: list[HostLine], workers: int, servers: int) -> list[tuple[str, str, HostLine]]:
    """(role, name, host) of every process: the scheduler on the first host that may run it,
    servers and workers round-robin over the hosts that may run them."""

    def may(role: str) -> list[HostLine]:
        return [h for h in hosts if role in h.roles]

    placed = [("scheduler", "scheduler", may("scheduler")[0])]
    placed += [("server", f"server {i}", may("server")[i % len(may("server"))])
               for i in range(servers)]  # fmt: skip
    placed += [("worker", f"worker {i}", may("worker")[i % len(may("worker"))])
               for i in range(workers)]  # fmt: skip
    return placed


def _check_bounds(placed: list[tuple[str, str, HostLine]]) -> None:
    """LaunchError when one machine would get more than MAX_PER_HOST processes."""
    counts: dict[str, int] = {}
    for _role, _name, host in placed:
        counts[host.name] = counts.get(host.name, 0) + 1
    name, most = max(counts.items(), key=lambda kv: kv[1])
    if most > MAX_PER_HOST:
        raise LaunchError(
            f"{most} processes (scheduler, servers, workers) on {name}: at most {MAX_PER_HOST} "
            "a machine; lower -n/-s or spread them over more hosts (--hosts)"
        )


class Launcher:
    """One distributed run: `run()` starts every child, streams, supervises and cleans up."""

    def __init__(
        self,
        argv: list[str],
        workers: int,
        servers: int = 1,
        *,
        hosts: list[HostLine | str] | None = None,
        port: int | None = None,
        grace_s: float = 10.0,
        python: str = sys.executable,
        program: list[str] | None = None,
        ssh: list[str] | None = None,
        out=None,
    ):
        if workers < 1 or servers < 1:
            raise LaunchError("a run needs at least one worker and one server")
        self.remote = hosts is not None
        self.hosts = [h if isinstance(h, HostLine) else HostLine(h) for h in hosts or [LOOPBACK]]
        if not self.hosts:
            raise LaunchError("the hosts list is empty")
        self.ssh = list(ssh or ["ssh"])
        self.argv = argv
        placed = _place(self.hosts, workers, servers)
        _check_bounds(placed)
        root = placed[0][2]
        if port is None:
            port = free_port() if not self.remote else REMOTE_PORT
        elif not self.remote and not port_is_free(port):
            raise LaunchError(
                f"port {port} on {LOOPBACK} is in use: pick another --port, or leave it out "
                "to get a free one"
            )
        self.port, self.grace_s, self.python = port, grace_s, python
        self.out = out or sys.stdout
        self.lock = threading.Lock()
        self.interrupts = 0
        self.failure: str | None = None  # the one line that says why the run failed
        self.addresses = {h: address_of(h) if self.remote else LOOPBACK for h in self.hosts}
        self.root = root
        common = {
            "DMLC_PS_ROOT_URI": self.addresses[root],
            "DMLC_PS_ROOT_PORT": str(port),
            "DMLC_NUM_WORKER": str(workers),
            "DMLC_NUM_SERVER": str(servers),
        }
        serve = [python, "-c", _SERVE]  # with DMLC_ROLE set, the import serves
        work = [*(program or [python, "-m", "ghostpen"]), *argv]  # program: tests use a script
        self.children = [
            Child(role, name, host.name, serve if role != "worker" else work,
                  {**common, "DMLC_ROLE": role, "DMLC_NODE_HOST": self.addresses[host]})
            for role, name, host in placed
        ]  # fmt: skip
        self._lines = {id(c): host for c, (_r, _n, host) in zip(self.children, placed, strict=True)}
        self._beat = threading.Event()

    def command(self, child: Child) -> tuple[list[str], dict]:
        """The argv and full environment that start `child` (through ssh when remote)."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if not self.remote:
            return child.argv, {**env, **child.env}
        guard = ["-m", "ghostpen.training.hostguard", "--timeout", f"{GUARD_TIMEOUT_S:g}"]
        guard += ["--grace", f"{self.grace_s:g}", "--", *child.argv]
        line = remote_line(self.python, child.env, guard)
        return ssh_argv(self.ssh, self._lines[id(child)], line), env

    def check_hosts(self) -> None:
        """Look at every host through ssh before anything starts; LaunchError naming the
        first that is not ready."""
        need = needed_files(self.argv)
        checks: dict[HostLine, list[str]] = {}
        for host in self.hosts:
            roles = {c.role for c in self.children if self._lines[id(c)] == host}
            if not roles:
                continue
            args = ["--bind", self.addresses[host]]
            if host == self.root:
                args += ["--port", str(self.port)]
            if "worker" in roles:
                args += [a for path in need for a in ("--need", path)]
            checks[host] = args
        preflight(self.ssh, self.python, checks)

    def say(self, name: str, line: str) -> None:
        with self.lock:
            print(f"[{name}] {line}", file=self.out, flush=True)

    def _stream(self, child: Child) -> None:
        for raw in iter(child.proc.stdout.readline, b""):
            self.say(child.name, raw.decode("utf-8", "replace").rstrip("\r\n"))
        child.proc.stdout.close()

    def start(self) -> None:
        """Start every child (scheduler first), then one output reader thread per child."""
        self.say("launch", f"scheduler at {self.addresses[self.root]}:{self.port}")
        for child in self.children:
            argv, env = self.command(child)
            child.proc = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.PIPE if self.remote else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: signals reach all it started
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
            self.say("launch", f"{child.name}: pid {child.proc.pid} on {child.host}")
        for child in self.children:
            child.reader = threading.Thread(target=self._stream, args=(child,), daemon=True)
            child.reader.start()
        if self.remote:
            threading.Thread(target=self._heartbeat, daemon=True).start()

    def tell(self, child: Child, word: str) -> None:
        """Send a remote child's guard one word (`ping`, `int`, `term`); never blocks."""
        pipe = child.proc.stdin if child.proc is not None else None
        if pipe is None or child.proc.poll() is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            os.set_blocking(pipe.fileno(), False)
            os.write(pipe.fileno(), word.encode() + b"\n")

    def _heartbeat(self) -> None:
        while not self._beat.wait(HEARTBEAT_S):
            for child in self.children:
                self.tell(child, "ping")

    def _signal(self, child: Child, sig: int) -> None:
        if self.remote and sig in (signal.SIGINT, signal.SIGTERM):
            self.tell(child, "int" if sig == signal.SIGINT else "term")
            return  # the remote guard passes it on; the ssh connection stays
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
        """SIGTERM to every live child's group (a remote guard: `term`), SIGKILL after
        `grace_s` (remote: the ssh client, once its guard had the time to stop its process);
        reap them all."""
        started = [c for c in self.children if c.proc is not None]
        for child in started:
            self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s + (3.0 if self.remote else 0.0)
        while time.monotonic() < deadline and any(c.proc.poll() is None for c in started):
            time.sleep(POLL_S)
        self._beat.set()
        for child in started:
            if self.remote and child.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(child.proc.pid, signal.SIGTERM)  # the ssh client; its guard
                with contextlib.suppress(subprocess.TimeoutExpired):  # hears the EOF
                    child.proc.wait(timeout=1.0)
            self._signal(child, signal.SIGKILL)
        for child in started:
            child.proc.wait()
            if child.reader is not None:
                child.reader.join(timeout=5)
            if child.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    child.proc.stdin.close()

    def _describe(self, child: Child, code: int) -> str:
        """What happened to `child`, naming its host: "worker 1 on 10.0.0.12 …"."""
        where = f"{child.name} on {child.host}"
        if self.remote and code == SSH_FAILED:
            return (
                f"{where}: lost (ssh ended with 255: {child.host} or the connection to it went "
                "away, or its process was killed)"
            )
        if self.remote and 128 < code < 160:  # the guard's status for a signal
            return f"{where} was killed by signal {code - 128}"
        if code < 0:
            return f"{where} was killed by signal {-code}"
        return f"{where} exited with code {code}"

    def _failure(self) -> tuple[Child, int] | None:
        """The first child that failed (a non-zero exit or a signal) and its code, if any."""
        for child in self.children:
            code = child.proc.poll()
            if code is not None and code != 0:
                return child, code
        return None

    def _wait_for_lost_hosts(self, since: float) -> None:
        """Hosts whose ssh connection was lost cannot be told `term`: their guards stop what
        runs there once they have heard nothing for GUARD_TIMEOUT_S. Wait that long (from the
        loss, plus the grace), so that when the launcher returns nothing of the run is left."""
        lost = sorted({c.host for c in self.children if c.proc.returncode == SSH_FAILED})
        if not self.remote or not lost:
            return
        until = since + GUARD_TIMEOUT_S + self.grace_s + 1.0
        self.say(
            "launch",
            f"{', '.join(lost)}: not reachable through ssh; its guard stops what runs there "
            f"within {max(0.0, until - time.monotonic()):.0f} s, waiting for that",
        )
        while time.monotonic() < until and self.interrupts < 3:
            time.sleep(POLL_S)

    def supervise(self) -> int:
        """Wait for the workers; on a failure (or a second Ctrl+C) stop everything."""
        workers = [c for c in self.children if c.role == "worker"]
        while True:
            failed = self._failure()
            if failed:
                child, code = failed
                self.failure = self._describe(child, code)
                self.say("launch", f"{self.failure}; stopping every other process")
                lost_at = time.monotonic()
                self.terminate_all()
                self._wait_for_lost_hosts(lost_at)
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
        stopped = (0, -signal.SIGTERM, 128 + signal.SIGTERM)  # 128 + 15: a guard's SIGTERM
        failed = [c for c in self.children if c.proc.returncode not in stopped]
        if failed:
            self.failure = self._describe(failed[0], failed[0].proc.returncode)
        return 1 if failed else 0

    def run(self) -> int:
        """Start, supervise, clean up; the exit status for `ghostpen launch`."""
        on_main = threading.current_thread() is threading.main_thread()
        previous = {}
        if on_main:
            previous[signal.SIGINT] = signal.signal(signal.SIGINT, self.interrupt)
            previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, self._stop_all)
        try:
            if self.remote:
                self.check_hosts()
            self.start()
            return self.supervise()
        finally:
            if any(c.proc is not None and c.proc.poll() is None for c in self.children):
                self.terminate_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop_all(self, *_args) -> None:
        self.interrupts = 2  # supervise() sees it and terminates everything
