"""`ghostpen launch --hosts` across real network hops: hosts that are network namespaces on
this machine, each with its own address and sshd (ghostpen.evals.netlab), real ssh between them.

The launcher runs on host 0 (the scheduler's machine), the workers on hosts 1 and 2. Checked:
the run trains and rank 0 writes the checkpoint; both workers end with identical parameters; a
worker's host cut (link down, or its sshd killed) stops everything everywhere with a message
naming that host; and four faults (a host that does not answer, no Python at the path, no
corpus, a busy port) are each one line naming the host, with nothing left running anywhere.
Skipped, saying why, where namespaces cannot be made (not root, no `ip`, no sshd: `.ci/
multihost.sh` installs them).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ghostpen.evals.netlab import NetLab, unavailable

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent
REPO = HERE.parent.parent
TINY = ["--embed", "8", "--hidden", "16", "--layers", "1", "--seq-len", "20", "--batch-size", "4"]
GONE_S = 10.0  # how long what a run started may outlive its launcher (sshd's own teardown)


@pytest.fixture
def lab(tmp_path):
    why = unavailable()
    if why:
        pytest.skip(f"no network namespaces here: {why}")
    with NetLab(3, tmp_path / "lab") as made:
        yield made


@pytest.fixture
def corpus(tmp_path, fixtures_dir) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "corpus.txt"
    path.write_text(fixtures_dir.joinpath("tiny.txt").read_text(encoding="utf-8") * 3)
    return path


def _hosts(lab, tmp_path, worker_hosts=(1, 2)) -> Path:
    """Scheduler and server on host 0, workers on `worker_hosts` (addresses or indices)."""
    lines = [f"{lab.hosts[0].addr} scheduler server"]
    lines += [f"{h if isinstance(h, str) else lab.hosts[h].addr} worker" for h in worker_hosts]
    path = tmp_path / "hosts.txt"
    path.write_text("# ghostpen test lab\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _launch_argv(lab, hosts: Path, corpus: Path, out: Path, *extra: str) -> list[str]:
    argv = [sys.executable, "-m", "ghostpen", "launch", "-n", "2", "-s", "1", "--grace", "3"]
    argv += ["--hosts", str(hosts), "--ssh", lab.ssh, "--", "train", "--corpus", str(corpus)]
    return [*argv, "--out", str(out), *TINY, "--threads", "1", "--progress", "json", *extra]


def _left(lab) -> dict[str, list]:
    """What runs on any host that is not the lab's own sshd."""
    return {h.addr: w for i, h in enumerate(lab.hosts) if (w := lab.workload(i))}


def _wait_nothing_left(lab, limit_s: float = GONE_S) -> None:
    deadline = time.monotonic() + limit_s
    while _left(lab) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _left(lab), f"left running: {_left(lab)}"


def _one_line_naming(stderr: str, addr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert addr in lines[0] and "Traceback" not in stderr
    return lines[0]


def test_two_hosts_train_and_rank0_writes_the_checkpoint(lab, tmp_path, corpus):
    out = tmp_path / "model"
    argv = _launch_argv(lab, _hosts(lab, tmp_path), corpus, out, "--epochs", "2")
    done = lab.run_on(0, argv, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    log = done.stdout
    assert f"scheduler at {lab.hosts[0].addr}:9091" in log
    for name, host in (("scheduler", 0), ("server 0", 0), ("worker 0", 1), ("worker 1", 2)):
        assert f"[launch] {name}: pid " in log and f" on {lab.hosts[host].addr}" in log
    reporting = {line[1 : line.index("]")] for line in log.splitlines() if '"event": ' in line}
    assert len(reporting) == 1  # only rank 0 reports (and saves)
    assert (out / "meta.json").exists()
    assert '"event": "done"' in log
    _wait_nothing_left(lab, 5)


def test_workers_on_two_hosts_end_with_identical_parameters(lab, tmp_path, corpus):
    out = tmp_path / "ranks"
    out.mkdir()
    helper = [sys.executable, str(HERE / "multihost_launch.py"), str(_hosts(lab, tmp_path))]
    done = lab.run_on(0, [*helper, lab.ssh, str(corpus), str(out)], text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    ranks = []
    for r in (0, 1):
        with np.load(out / f"rank{r}.npz") as data:
            ranks.append([data[f"arr_{i}"] for i in range(len(data.files))])
    assert len(ranks[0]) == len(ranks[1]) > 0
    for a, b in zip(*ranks, strict=True):
        np.testing.assert_array_equal(a, b)  # dist_sync across the hosts: bit-identical
    assert (out / "ckpt" / "meta.json").exists()
    _wait_nothing_left(lab, 5)


def _start_until_step(lab, argv) -> tuple[subprocess.Popen, queue.Queue]:
    proc = lab.popen_on(0, argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            assert proc.poll() is None, proc.stderr.read()
            continue
        if '"event": "step"' in line:
            return proc, lines
    proc.kill()
    pytest.fail("no training step within 90 s")


@pytest.mark.parametrize("how", ["link down", "sshd killed", "every process killed"])
def test_a_cut_worker_host_stops_everything_everywhere(lab, tmp_path, corpus, how):
    argv = _launch_argv(lab, _hosts(lab, tmp_path), corpus, tmp_path / "m", "--epochs", "100000")
    proc, lines = _start_until_step(lab, argv)
    try:
        assert lab.workload(2), "no worker runs on host 2"
        if how == "link down":
            lab.cut(2)
        elif how == "sshd killed":
            lab.kill_sshd(2)
        else:  # the machine dies: everything on it at once, sshd, guard and worker
            for pid, _ in lab.processes(2):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        assert proc.wait(timeout=90) != 0
        line = _one_line_naming(proc.stderr.read(), lab.hosts[2].addr)
        assert "worker" in line and "lost" in line
    finally:
        if proc.poll() is None:
            proc.kill()
    _wait_nothing_left(lab, 1)  # the launcher waited for the lost host's guard
    said = []
    with contextlib.suppress(queue.Empty):
        while True:
            said.append(lines.get(timeout=3))
    waited = [x for x in said if "not reachable through ssh" in x]
    assert waited and lab.hosts[2].addr in waited[0]


def test_ctrl_c_reaches_the_remote_workers_and_rank0_saves(lab, tmp_path, corpus):
    out = tmp_path / "m"
    argv = _launch_argv(lab, _hosts(lab, tmp_path), corpus, out, "--epochs", "100000")
    proc, lines = _start_until_step(lab, argv)
    try:
        proc.send_signal(signal.SIGINT)  # Ctrl+C to the launcher (`ip netns exec` exec'd it)
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    rest = []
    with contextlib.suppress(queue.Empty):
        while True:  # the reader thread has the last lines within moments of the exit
            rest.append(lines.get(timeout=3))
    done = [x for x in rest if '"event": "done"' in x]
    assert len(done) == 1 and '"reason": "interrupted"' in done[0]  # both stopped together
    assert (out / "meta.json").exists()
    _wait_nothing_left(lab, 10)


def test_a_host_that_does_not_answer_ssh(lab, tmp_path, corpus):
    absent = lab.hosts[0].addr.rsplit(".", 1)[0] + ".99"  # no machine has this address
    argv = _launch_argv(lab, _hosts(lab, tmp_path, (1, absent)), corpus, tmp_path / "m")
    done = lab.run_on(0, argv, text=True, timeout=120)
    assert done.returncode == 2
    assert "ssh cannot reach it" in _one_line_naming(done.stderr, absent)
    assert not (tmp_path / "m").exists()
    _wait_nothing_left(lab, 5)


def test_a_host_without_python_at_that_path(lab, tmp_path, corpus):
    lab.start_sshd(2, hide=(Path(sys.executable).parent,))  # host 2 has no such venv
    done = lab.run_on(0, _launch_argv(lab, _hosts(lab, tmp_path), corpus, tmp_path / "m"),
                      text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2
    line = _one_line_naming(done.stderr, lab.hosts[2].addr)
    assert f"{sys.executable} does not exist there" in line
    _wait_nothing_left(lab, 5)


def test_a_python_without_ghostpen(lab, tmp_path, corpus):
    bare = Path("/usr/bin/python3")
    probe = subprocess.run(
        [str(bare), "-c", "import ghostpen.training.hostguard"], capture_output=True
    )
    if not bare.exists() or probe.returncode == 0:
        pytest.skip("needs a Python without ghostpen at /usr/bin/python3")
    argv = _launch_argv(lab, _hosts(lab, tmp_path), corpus, tmp_path / "m")
    argv[argv.index("--ssh") : argv.index("--ssh")] = ["--python", str(bare)]
    done = lab.run_on(0, argv, text=True, timeout=120)
    assert done.returncode == 2
    line = _one_line_naming(done.stderr, lab.hosts[0].addr)  # the first host in the file
    assert f"{bare} there has no ghostpen" in line and "more host" in line
    _wait_nothing_left(lab, 5)


def test_a_host_without_the_corpus(lab, tmp_path, corpus):
    lab.start_sshd(1, hide=(corpus.parent,))  # host 1 lacks the corpus folder's files
    done = lab.run_on(0, _launch_argv(lab, _hosts(lab, tmp_path), corpus, tmp_path / "m"),
                      text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2
    line = _one_line_naming(done.stderr, lab.hosts[1].addr)
    assert f"{corpus} is missing there" in line
    _wait_nothing_left(lab, 5)


def test_a_host_whose_scheduler_port_is_taken(lab, tmp_path, corpus):
    addr = lab.hosts[0].addr
    hold = f"import socket,time; s=socket.socket(); s.bind(({addr!r}, 9091)); s.listen(); "
    hold += "print('bound', flush=True); time.sleep(600)"
    holder = lab.popen_on(0, [sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "bound"
        argv = _launch_argv(lab, _hosts(lab, tmp_path), corpus, tmp_path / "m")
        done = lab.run_on(0, argv, text=True, timeout=120)
        assert done.returncode == 2
        assert "port 9091 is taken" in _one_line_naming(done.stderr, addr)
        assert [p for p, _ in lab.workload(0)] == [holder.pid]  # only the port's holder
        assert not lab.workload(1) and not lab.workload(2)
    finally:
        holder.kill()
        holder.wait()
    _wait_nothing_left(lab, 5)


def test_nothing_of_the_lab_is_left_on_this_machine(tmp_path):
    why = unavailable()
    if why:
        pytest.skip(f"no network namespaces here: {why}")

    def mine() -> tuple[str, str]:  # this machine's own interfaces and addresses
        return tuple(
            subprocess.run(["ip", "-br", *what], capture_output=True, text=True).stdout
            for what in (["link"], ["addr"])
        )

    before = mine()
    with NetLab(2, tmp_path / "lab") as lab:
        names = [h.ns for h in lab.hosts] + [lab.switch]
        assert all(os.path.exists(f"/run/netns/{n}") for n in names)
        assert mine() == before  # nothing was added outside the lab's namespaces
        assert lab.hosts[0].addr.rsplit(".", 1)[0] not in before[1]
        assert lab.workload(0) == [] and len(lab.processes(0)) == 1  # its sshd
    assert not any(os.path.exists(f"/run/netns/{n}") for n in names)
    assert mine() == before
