"""A network of "machines" on this one machine, for `ghostpen launch --hosts` tests and evals.

    with NetLab(hosts=3, root=tmp) as lab:        # as root, with `ip netns` and sshd
        lab.hosts_file(tmp / "hosts.txt")         # 10.247.163.11, .12, .13
        lab.run_on(0, [*ghostpen, "launch", "--ssh", lab.ssh, "--hosts", ...])

Each host is a network namespace with its own address on a private /24 (SUBNET, picked to be
unusual) and its own `sshd` (a throw-away host key and client key made in `root`). The hosts
are joined by a bridge in a further namespace of its own, so nothing is added to the machine's
own network: no interface, address or route outside the lab's namespaces, and no traffic
leaves them. A host can be "cut" (its link set down), its sshd killed, its link slowed
(`tc netem`), or its sshd restarted with some paths hidden from it (a bind mount in the sshd's
own mount namespace: what a machine without that file would look like). `close()` kills every
process left in the lab's namespaces and deletes them; it runs on any failure.

`unavailable()` says why a lab cannot be made here (not root, no `ip`, no sshd), or "".
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

SUBNET = "10.247.163"  # an unusual private /24; each lab's copy lives only in its namespaces
FIRST = 11  # host i gets SUBNET.(FIRST + i)
SSHD = "/usr/sbin/sshd"
WAIT_S = 10.0
ROUTER_MTU = 16000  # fewer, larger packets through the Python router


def unavailable() -> str:
    """Why no lab can be made here, or "" when it can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "network namespaces need root"
    for tool, package in (("ip", "iproute2"), ("ssh", "openssh-client"), ("ssh-keygen", "")):
        if shutil.which(tool) is None:
            return f"no `{tool}` here (apt-get install {package or 'openssh-client'})"
    if not Path(SSHD).exists():
        return f"no {SSHD} here (apt-get install openssh-server)"
    probe = f"gpmh-probe-{uuid.uuid4().hex[:6]}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` fails here: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return ""


def _is_sshd(argv: list[str]) -> bool:
    """An sshd listener or session ("sshd: root@notty", "/usr/sbin/sshd -D …")."""
    first = argv[0].split()[0] if argv and argv[0].strip() else ""
    return first.startswith("sshd") or Path(first).name == "sshd"


def _sh(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


@dataclass
class Host:
    """One lab machine: its namespace, address and sshd."""

    ns: str
    addr: str
    sshd: subprocess.Popen | None = None


class NetLab:
    """`hosts` namespaces on a private bridge, each with an sshd; a context manager."""

    def __init__(self, hosts: int, root: Path, router: bool = False):
        self.root = Path(root)
        self.router = router  # True: TUN links and a delaying router (netlab_router.py)
        self.router_proc: subprocess.Popen | None = None
        self.delay_ms = 0.0
        tag = uuid.uuid4().hex[:6]
        self.switch = f"gpmh-{tag}-sw"
        self.hosts = [
            Host(f"gpmh-{tag}-{i}", f"{SUBNET}.{FIRST + i}") for i in range(hosts)
        ]  # fmt: skip
        self.made: list[str] = []  # namespaces to delete
        self.ssh = ""  # the ssh command line that reaches the hosts: "ssh -F CONFIG"

    # --- set-up and tear-down ----------------------------------------------------------------
    def __enter__(self) -> NetLab:
        try:
            self._network()
            self._keys()
            for i in range(len(self.hosts)):
                self.start_sshd(i)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _network(self) -> None:
        if self.router:
            return self._routed()
        _sh("ip", "netns", "add", self.switch)
        self.made.append(self.switch)
        _sh("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
        _sh("ip", "-n", self.switch, "link", "set", "br0", "up")
        _sh("ip", "-n", self.switch, "link", "set", "lo", "up")
        for i, host in enumerate(self.hosts):
            _sh("ip", "netns", "add", host.ns)
            self.made.append(host.ns)
            _sh("ip", "-n", host.ns, "link", "add", "eth0", "type", "veth", "peer", "name",
                f"port{i}", "netns", self.switch)  # fmt: skip
            _sh("ip", "-n", self.switch, "link", "set", f"port{i}", "master", "br0", "up")
            _sh("ip", "-n", host.ns, "addr", "add", f"{host.addr}/24", "dev", "eth0")
            _sh("ip", "-n", host.ns, "link", "set", "eth0", "up")
            _sh("ip", "-n", host.ns, "link", "set", "lo", "up")

    def _routed(self) -> None:
        for host in self.hosts:
            _sh("ip", "netns", "add", host.ns)
            self.made.append(host.ns)
            _sh("ip", "-n", host.ns, "tuntap", "add", "dev", "eth0", "mode", "tun")
            _sh("ip", "-n", host.ns, "addr", "add", f"{host.addr}/24", "dev", "eth0")
            _sh("ip", "-n", host.ns, "link", "set", "eth0", "mtu", str(ROUTER_MTU), "up")
            _sh("ip", "-n", host.ns, "link", "set", "lo", "up")
        self._start_router()

    def _start_router(self) -> None:
        self._stop_router()
        specs = [f"{h.ns}={h.addr}" for h in self.hosts]
        argv = [sys.executable, "-m", "ghostpen.evals.netlab_router"]
        self.router_proc = subprocess.Popen(
            [*argv, "--delay-ms", f"{self.delay_ms:g}", *specs],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        if self.router_proc.stdout.readline().strip() != "routing":
            raise RuntimeError("the lab's router did not start")

    def _stop_router(self) -> None:
        if self.router_proc is not None and self.router_proc.poll() is None:
            self.router_proc.kill()
            self.router_proc.wait()

    def _keys(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        keys = self.root / "keys"
        keys.mkdir(mode=0o700, exist_ok=True)
        for name in ("host", "client"):
            _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"ghostpen-lab-{name}",
                "-f", str(keys / name))  # fmt: skip
        (keys / "authorized_keys").write_text((keys / "client.pub").read_text())
        host_key = (keys / "host.pub").read_text().split()[:2]
        (keys / "known_hosts").write_text(f"{SUBNET}.* {' '.join(host_key)}\n")
        config = self.root / "ssh_config"
        config.write_text(
            "Host *\n  User root\n"
            f"  IdentityFile {keys / 'client'}\n  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {keys / 'known_hosts'}\n  GlobalKnownHostsFile /dev/null\n"
            "  StrictHostKeyChecking yes\n  ConnectTimeout 5\n  LogLevel ERROR\n"
        )
        self.ssh = f"ssh -F {shlex.quote(str(config))}"
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation dir

    def _sshd_config(self, i: int) -> Path:
        keys = self.root / "keys"
        path = self.root / f"sshd_config.{i}"
        path.write_text(
            f"ListenAddress {self.hosts[i].addr}\nPort 22\nHostKey {keys / 'host'}\n"
            f"PidFile none\nAuthorizedKeysFile {keys / 'authorized_keys'}\nStrictModes no\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            "PermitRootLogin prohibit-password\nPrintMotd no\n"
        )
        return path

    def start_sshd(self, i: int, hide: tuple[Path, ...] = ()) -> None:
        """(Re)start host i's sshd; `hide`: paths that host's sessions see as empty folders."""
        self.kill_sshd(i)
        empty = self.root / "empty"
        empty.mkdir(exist_ok=True)
        mounts = [f"mount --bind {shlex.quote(str(empty))} {shlex.quote(str(p))}" for p in hide]
        script = " && ".join([*mounts, f"exec {SSHD} -D -e -f {self._sshd_config(i)}"])
        # `ip netns exec` gives the command a mount namespace of its own (slave to this
        # one), so the bind mounts are seen by this host's sshd and its sessions only
        log = open(self.root / f"sshd.{i}.log", "ab")  # noqa: SIM115 (kept by the Popen)
        self.hosts[i].sshd = subprocess.Popen(
            ["ip", "netns", "exec", self.hosts[i].ns, "sh", "-c", script],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            probe = self.run_on(i, ["ssh", *self.ssh.split()[1:], self.hosts[i].addr, "true"])
            if probe.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the sshd of {self.hosts[i].addr} did not answer in {WAIT_S:g} s")

    def kill_sshd(self, i: int) -> None:
        """Kill host i's sshd and every sshd session process in its namespace."""
        host = self.hosts[i]
        if host.sshd is not None and host.sshd.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(host.sshd.pid, signal.SIGKILL)
            host.sshd.wait()
        for pid, argv in self.processes(i):
            if _is_sshd(argv):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        """Kill every process in the lab's namespaces and delete the namespaces."""
        for i in range(len(self.hosts)):
            with contextlib.suppress(Exception):
                self.kill_sshd(i)
        for _ in range(50):
            left = [pid for i in range(len(self.hosts)) for pid, _ in self.processes(i)]
            if not left:
                break
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        self._stop_router()
        for ns in reversed(self.made):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.made.clear()

    # --- using the lab -------------------------------------------------------------------------
    def run_on(self, i: int, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        """Run `argv` on host i (in its namespace) and wait."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("timeout", 60)
        return subprocess.run(["ip", "netns", "exec", self.hosts[i].ns, *argv], **kwargs)

    def popen_on(self, i: int, argv: list[str], **kwargs) -> subprocess.Popen:
        return subprocess.Popen(["ip", "netns", "exec", self.hosts[i].ns, *argv], **kwargs)

    def hosts_file(self, path: Path, indices=None, lines: list[str] | None = None) -> Path:
        """A hosts file naming hosts `indices` (all by default), one address a line."""
        chosen = range(len(self.hosts)) if indices is None else indices
        body = ["# a ghostpen lab", *(self.hosts[i].addr for i in chosen), *(lines or [])]
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
        return path

    def processes(self, i: int) -> list[tuple[int, list[str]]]:
        """(pid, argv) of every live process in host i's network namespace."""
        try:
            want = os.stat(f"/run/netns/{self.hosts[i].ns}").st_ino
        except OSError:
            return []
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                if os.stat(f"/proc/{entry}/ns/net").st_ino != want:
                    continue
                raw = Path(f"/proc/{entry}/cmdline").read_bytes()
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                found.append((int(entry), [a.decode(errors="replace") for a in raw.split(b"\0")]))
        return found

    def workload(self, i: int) -> list[tuple[int, list[str]]]:
        """The processes on host i that are not the lab's own sshd (what a run left there)."""
        return [(p, a) for p, a in self.processes(i) if not _is_sshd(a)]

    def cut(self, i: int) -> None:
        """Pull host i's cable: its link goes down (packets to and from it are lost)."""
        _sh("ip", "-n", self.hosts[i].ns, "link", "set", "eth0", "down")

    def delay(self, ms: float) -> None:
        """Every host's link delays what it sends by `ms` (tc netem, or the lab's router when
        made with `router=True`; 0: no delay)."""
        self.delay_ms = ms
        if self.router:
            return self._start_router()
        for host in self.hosts:
            subprocess.run(["tc", "-n", host.ns, "qdisc", "del", "dev", "eth0", "root"],
                           capture_output=True)  # fmt: skip
            if ms > 0:
                _sh("tc", "-n", host.ns, "qdisc", "add", "dev", "eth0", "root", "netem",
                    "delay", f"{ms:g}ms")  # fmt: skip

    def link_bytes(self, i: int) -> int:
        """Bytes host i's link has sent and received so far."""
        out = _sh("ip", "-n", self.hosts[i].ns, "-s", "-j", "link", "show", "eth0")
        info = json.loads(out)[0]["stats64"]
        return int(info["rx"]["bytes"]) + int(info["tx"]["bytes"])
