"""The `ghostpen launch` probes of `ghostpen eval probes` (registered when probe_cases.py loads).

Hosts files that are not text or not files, flags out of range, a worker count that would fork
without end, a host name that is an ssh option, a host ssh cannot reach (on loopback: a port
nobody listens on). Each must end at once with one line that names the problem, and no
traceback; none starts a process it leaves behind.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ghostpen.evals.probes import Outcome, Run, ghostpen, probe, refused, snapshot

QUICK_S = 30.0  # every launch probe must be refused well within this (a hang fails it)


def _launch(tmp: Path, *args: str) -> Run:
    """`ghostpen launch ARGS -- train --corpus MISSING` (so a run that starts fails fast)."""
    train = ["--", "train", "--corpus", str(tmp / "no-corpus.txt"), "--out", str(tmp / "m")]
    return ghostpen("launch", *args, *train, timeout=QUICK_S)


def _refused_quickly(tmp: Path, run: Run, *words: str) -> Outcome:
    before = snapshot(tmp)
    outcome = refused(run, before, snapshot(tmp), *words)
    if outcome.ok and (tmp / "m").exists():
        outcome = Outcome(False, "an output folder was made for a run that never started")
    return outcome


@probe("launch-hosts-not-utf8", "launch --hosts a Latin-1 file")
def _hosts_not_utf8(tmp: Path) -> Outcome:
    hosts = tmp / "hosts.txt"
    hosts.write_bytes(b"caf\xe9-node\n")
    return _refused_quickly(tmp, _launch(tmp, "-n", "1", "--hosts", str(hosts)), "not UTF-8")


@probe("launch-hosts-dev-zero", "launch --hosts /dev/zero (endless bytes)")
def _hosts_dev_zero(tmp: Path) -> Outcome:
    run = _launch(tmp, "-n", "1", "--hosts", "/dev/zero")
    return _refused_quickly(tmp, run, "/dev/zero", "not a regular file")


@probe("launch-hosts-fifo", "launch --hosts a FIFO nobody writes")
def _hosts_fifo(tmp: Path) -> Outcome:
    fifo = tmp / "hosts.fifo"
    os.mkfifo(fifo)
    run = _launch(tmp, "-n", "1", "--hosts", str(fifo))
    return _refused_quickly(tmp, run, "not a regular file")


@probe("launch-port-70000", "launch --port 70000")
def _port_out_of_range(tmp: Path) -> Outcome:
    return _refused_quickly(tmp, _launch(tmp, "-n", "1", "--port", "70000"), "--port", "65535")


@probe("launch-workers-100000", "launch -n 100000 (would fork until killed)")
def _too_many_workers(tmp: Path) -> Outcome:
    return _refused_quickly(tmp, _launch(tmp, "-n", "100000"), "workers", "4096")


@probe("launch-workers-one-machine", "launch -n 40 -s 2 on one machine")
def _too_many_here(tmp: Path) -> Outcome:
    run = _launch(tmp, "-n", "40", "-s", "2")
    return _refused_quickly(tmp, run, "43 processes", "at most 32 a machine")


@probe("launch-host-is-ssh-option", "launch --hosts naming '-oProxyCommand=touch FILE'")
def _host_is_option(tmp: Path) -> Outcome:
    hosts, marker = tmp / "hosts.txt", tmp / "pwned"
    hosts.write_text(f"-oProxyCommand=touch {marker}\n", encoding="utf-8")
    outcome = _refused_quickly(tmp, _launch(tmp, "-n", "1", "--hosts", str(hosts)), "line 1")
    if marker.exists():
        return Outcome(False, "the host name ran as an ssh option (the marker file exists)")
    return outcome


@probe("launch-host-ssh-refused", "launch --hosts a host whose ssh does not answer (loopback)")
def _host_unreachable(tmp: Path) -> Outcome:
    hosts = tmp / "hosts.txt"
    hosts.write_text("127.0.0.1 scheduler server worker\n", encoding="utf-8")
    ssh = "ssh -p 1 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"  # port 1: closed
    run = _launch(tmp, "-n", "1", "--hosts", str(hosts), "--ssh", ssh)
    said = "ssh cannot reach it" if shutil.which("ssh") else "cannot run ssh here"
    return _refused_quickly(tmp, run, "127.0.0.1", said)
