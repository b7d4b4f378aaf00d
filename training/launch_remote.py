"""The machines of `ghostpen launch --hosts FILE`: the hosts file, the ssh commands, the checks.

A hosts file names one machine a line, `#` starts a comment:

    # ADDRESS [ROLE …]      ROLE: scheduler, server, worker (none: any)
    10.0.0.11 scheduler server
    10.0.0.12 worker
    10.0.0.13 worker

ADDRESS is what ssh connects to (`user@` in front is allowed) and the address the other
machines reach that one at (an IPv4 address, or a name that resolves to one here). The
scheduler runs on the first host that may take it; servers and workers go round-robin over
the hosts that may take them.

Before anything starts, `preflight` looks at every host at once through ssh (training/
hostguard.py `--check`): that ssh answers, that the same working directory and Python path
exist there, that it owns its address, that the scheduler's port is free on its host and that
the corpus is there. The first problem is one line naming the host; nothing was started.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ghostpen.smallfile import read_small

ROLES = ("scheduler", "server", "worker")
MAX_HOSTS_BYTES = 1 << 20  # a hosts file is a few lines; anything larger is not one
MAX_HOSTS = 4096  # lines naming a host
HOST_RE = re.compile(r"^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*$")
# ssh options of every connection: no password prompt, a dead link noticed in ~10 s
SSH_OPTIONS = ("-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
               "-o", "ServerAliveInterval=3", "-o", "ServerAliveCountMax=3")  # fmt: skip
PREFLIGHT_TIMEOUT_S = 60.0
SSH_FAILED = 255  # ssh's own exit status (could not connect, connection lost)
NOT_FOUND = 127  # the shell's "command not found"
NEEDS = ("--corpus", "--images")  # worker flags naming files every host must have


class LaunchError(Exception):
    """The run cannot start (a busy port, a bad hosts file); the message says what to do."""


@dataclass(frozen=True)
class HostLine:
    """One line of a hosts file."""

    target: str  # what ssh connects to: "10.0.0.12", "me@node2"
    roles: frozenset = frozenset(ROLES)  # what may run there

    @property
    def name(self) -> str:
        return self.target.rsplit("@", 1)[-1]


def parse_hosts(text: str) -> list[HostLine]:
    """The hosts of a hosts file's text; LaunchError naming the first bad line."""
    hosts = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        target, roles = words[0], words[1:]
        if not HOST_RE.match(target):
            raise LaunchError(f"hosts file line {number}: {target[:60]!r} is not a host name")
        bad = [r for r in roles if r not in ROLES]
        if bad:
            raise LaunchError(
                f"hosts file line {number}: {bad[0][:40]!r} is not a role (scheduler, server, "
                "worker)"
            )
        hosts.append(HostLine(target, frozenset(roles or ROLES)))
        if len(hosts) > MAX_HOSTS:
            raise LaunchError(f"the hosts file names more than {MAX_HOSTS} hosts")
    if not hosts:
        raise LaunchError("the hosts file names no host (one host name or address a line)")
    for role in ROLES:
        if not any(role in h.roles for h in hosts):
            raise LaunchError(f"no host in the hosts file may run the {role}")
    return hosts


def read_hosts_file(path: str) -> list[HostLine]:
    """`parse_hosts` of the file at `path` (a regular file, UTF-8, at most 1 MB)."""
    try:
        raw = read_small(path, MAX_HOSTS_BYTES)
    except OSError as exc:
        raise LaunchError(f"hosts file {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LaunchError(
            f"hosts file {path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    return parse_hosts(text)


def address_of(host: HostLine) -> str:
    """The IPv4 address the other machines reach `host` at (what ps-lite binds there)."""
    try:
        return str(ipaddress.IPv4Address(host.name))
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host.name, None, socket.AF_INET, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        infos = []
    if not infos:
        raise LaunchError(f"{host.name}: the name does not resolve to an IPv4 address here")
    return infos[0][4][0]


def ssh_argv(ssh: list[str], host: HostLine, remote: str) -> list[str]:
    """The argv that runs the shell line `remote` on `host`."""
    return [*ssh, *SSH_OPTIONS, host.target, remote]


def remote_line(python: str, env: dict, argv: list[str]) -> str:
    """`cd CWD && exec env K=V… PYTHON ARGV…`, quoted for the remote shell."""
    assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    cwd = shlex.quote(os.getcwd())
    return f"cd {cwd} && exec env PYTHONUNBUFFERED=1 {assigns} {shlex.join([python, *argv])}"


def needed_files(argv: list[str]) -> list[str]:
    """The files the workers' command names (`--corpus`, `--images`), as the workers see them."""
    found = []
    for i, word in enumerate(argv):
        for flag in NEEDS:
            if word == flag and i + 1 < len(argv):
                found.append(argv[i + 1])
            elif word.startswith(flag + "="):
                found.append(word.split("=", 1)[1])
    return found


def _check_one(ssh, python, host: HostLine, args: list[str]) -> str:
    """ "" when `host` is ready, else one line naming it and the problem."""
    cwd, py = shlex.quote(os.getcwd()), shlex.quote(python)
    script = (
        f"cd {cwd} 2>/dev/null || {{ echo 'no folder {os.getcwd()}'; exit 3; }}; "
        f"test -x {py} || {{ echo 'no {python}'; exit 3; }}; "
        f"exec {py} -m ghostpen.training.hostguard --check {shlex.join(args)}"
    )
    try:
        done = subprocess.run(
            ssh_argv(ssh, host, script), stdin=subprocess.DEVNULL, capture_output=True,
            text=True, errors="replace", timeout=PREFLIGHT_TIMEOUT_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"{host.name}: no answer through ssh in {PREFLIGHT_TIMEOUT_S:g} s"
    except OSError as exc:
        return f"{host.name}: cannot run {ssh[0]} here ({exc.strerror})"
    said = (done.stdout.strip().splitlines() or [""])[-1]
    err = (done.stderr.strip().splitlines() or [""])[-1]
    if done.returncode == 0:
        return ""
    if done.returncode == SSH_FAILED:
        return f"{host.name}: ssh cannot reach it ({err or 'exit 255'})"
    if said.startswith("no folder "):
        return f"{host.name}: {said} there (every host needs the same working directory)"
    if said.startswith("no /") or said.startswith("no "):
        return (
            f"{host.name}: {said[3:]} does not exist there (every host needs ghostpen at "
            "the same Python path as here, or give --python)"
        )
    if "No module named" in err:
        return f"{host.name}: {python} there has no ghostpen (install it in that Python)"
    if done.returncode == 3 and said:
        return f"{host.name}: {said}"
    return f"{host.name}: the check failed ({err or said or f'exit {done.returncode}'})"


def preflight(ssh: list[str], python: str, checks: dict[HostLine, list[str]]) -> None:
    """Check every host at once (`checks`: host -> hostguard --check arguments); LaunchError
    with the first host's problem (in the hosts file's order)."""
    with ThreadPoolExecutor(max_workers=min(32, len(checks))) as pool:
        found = list(pool.map(lambda h: _check_one(ssh, python, h, checks[h]), checks))
    problems = [p for p in found if p]
    if problems:
        more = f" (and {len(problems) - 1} more host(s))" if len(problems) > 1 else ""
        raise LaunchError(problems[0] + more)
