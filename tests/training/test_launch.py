"""`ghostpen launch`: 2-worker dist_sync runs (text and DCGAN), a killed worker, busy ports, ssh
command lines, hosts files and the launcher's bounds, the remote guard.

Every run here is on loopback; runs across hosts (real ssh between network namespaces) are in
test_multihost.py.
"""

import importlib.util
import io
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ghostpen.cli import main
from ghostpen.training import launch
from ghostpen.training.launch import Launcher, LaunchError
from ghostpen.training.launch_cli import worker_argv
from ghostpen.training.launch_remote import HostLine, parse_hosts

HERE = Path(__file__).parent
WORKER = [sys.executable, str(HERE / "dist_worker_tiny.py")]
GAN_WORKER = [sys.executable, str(HERE / "gan_worker_tiny.py")]
# a 2-worker run and one process with the same total batch agree to this: the gradients are
# summed in another order; measured max |difference| after 18 Adam steps: 1.3e-6
ATOL, RTOL = 1e-5, 1e-4


def _arrays(file: Path) -> list[np.ndarray]:
    with np.load(file) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


@pytest.mark.slow
def test_two_workers_dist_sync_match_one_process(tmp_path, fixtures_dir):
    spec = importlib.util.spec_from_file_location("dist_worker_tiny", WORKER[1])
    dist_worker_tiny = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dist_worker_tiny)
    corpus = fixtures_dir / "tiny.txt"
    out = io.StringIO()
    launcher = Launcher(
        [str(corpus), str(tmp_path), "dist_sync"], 2, 1, program=WORKER, grace_s=5, out=out
    )
    assert _run_bounded(launcher) == 0, out.getvalue()
    assert "[worker 1] rank " in out.getvalue()  # every line prefixed by its process
    ranks = [_arrays(tmp_path / f"rank{r}.npz") for r in (0, 1)]
    for a, b in zip(*ranks, strict=True):
        np.testing.assert_array_equal(a, b)  # dist_sync: identical parameters on both
    log = json.loads((tmp_path / "rank0.json").read_text())
    assert log["losses"][-1] < log["losses"][0]
    assert (tmp_path / "ckpt" / "meta.json").exists()  # rank 0 wrote the checkpoint

    single = tmp_path / "single"
    single.mkdir()
    dist_worker_tiny.train_tiny(corpus.read_text(encoding="utf-8") * 3, single)
    for a, b in zip(ranks[0], _arrays(single / "rank0.npz"), strict=True):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    one = json.loads((single / "rank0.json").read_text())
    np.testing.assert_allclose(log["valid"], one["valid"], rtol=1e-4)


@pytest.mark.slow
def test_dist_async_runs_past_an_epochs_short_last_chunk(tmp_path, fixtures_dir):
    # the optimizer is on the servers with the scale it was sent with; the short last chunk
    # of the epoch used to make MXNet refuse the step ("Possible change in the batch_size")
    out = io.StringIO()
    argv = [str(fixtures_dir / "tiny.txt"), str(tmp_path), "dist_async"]
    assert _run_bounded(Launcher(argv, 2, 1, program=WORKER, grace_s=5, out=out)) == 0, (
        out.getvalue()[-3000:]
    )
    assert (tmp_path / "rank1.npz").exists() and (tmp_path / "ckpt" / "meta.json").exists()


@pytest.mark.slow
def test_two_gan_workers_dist_sync_end_identical(tmp_path, face_npz):
    from ghostpen.model.archs import dcgan
    from ghostpen.model.archs.dcgan import GanConfig

    spec = importlib.util.spec_from_file_location("gan_worker_tiny", GAN_WORKER[1])
    gan_worker_tiny = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gan_worker_tiny)
    out = io.StringIO()
    launcher = Launcher([str(face_npz), str(tmp_path), "dist_sync"], 2, 1, program=GAN_WORKER,
                        grace_s=5, out=out)  # fmt: skip
    assert _run_bounded(launcher) == 0, out.getvalue()[-3000:]
    ranks = [np.load(tmp_path / f"rank{r}.npz") for r in (0, 1)]
    assert ranks[0].files == ranks[1].files
    assert {f[:2] for f in ranks[0].files} == {"g.", "d."}
    for name in ranks[0].files:  # weights and BatchNorm statistics, G and D
        np.testing.assert_array_equal(ranks[0][name], ranks[1][name], err_msg=name)
    start = dcgan.build_discriminator(GanConfig(**gan_worker_tiny.TINY))
    dcgan.init_weights(start, 1)  # the discriminator's initial weights (seed 0 + 1)
    changed = [
        k for k, v in dcgan.weights(start).items() if not np.array_equal(v, ranks[0][f"d.{k}"])
    ]
    assert len(changed) == len(dcgan.weights(start))  # every array trained (stats too)
    ckpt = tmp_path / "ckpt"
    assert (ckpt / "meta.json").exists()  # rank 0 wrote the checkpoint and the samples
    assert sorted(p.name for p in (ckpt / "samples").iterdir()) == [
        "epoch-001.png",
        "epoch-002.png",
    ]
    meta = json.loads((ckpt / "meta.json").read_text())
    assert meta["training"]["images"] == 2 * 64  # two epochs of all 64 images over both workers


@pytest.mark.slow
def test_launch_train_gan_cli_only_rank0_reports(tmp_path, face_npz):
    cmd = [sys.executable, "-m", "ghostpen", "launch", "-n", "2", "-s", "1", "--", "train-gan"]
    cmd += ["--images", str(face_npz), "--out", str(tmp_path / "av"), "--epochs", "1"]
    cmd += ["--ngf", "4", "--ndf", "4", "--latent", "8", "--batch-size", "16"]
    cmd += ["--progress", "json", "--threads", "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    events = [line for line in done.stdout.splitlines() if '"event": ' in line]
    # one worker reports: rank 0 (whose launch number is the store's choice)
    assert events and len({line[: line.index("]")] for line in events}) == 1
    kinds = [json.loads(line.split("] ", 1)[1])["event"] for line in events]
    assert kinds[0] == "start" and kinds.count("done") == 1 and "epoch" in kinds
    assert (tmp_path / "av" / "meta.json").exists()


def _run_bounded(launcher, limit_s: float = 150.0) -> int:
    """launcher.run() with a watchdog: a hung run is stopped (every child) and fails the test."""
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(rc=launcher.run()), daemon=True)
    thread.start()
    thread.join(limit_s)
    if thread.is_alive():
        launcher.terminate_all()
        thread.join(30)
        pytest.fail(f"the launched run did not finish in {limit_s:.0f} s (stopped)")
    return result["rc"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _with_port(port: int) -> list[int]:
    """Pids of live processes whose environment says DMLC_PS_ROOT_PORT=port."""
    mark = f"DMLC_PS_ROOT_PORT={port}\0".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                env = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if mark in env and _alive(int(entry)):
                found.append(int(entry))
    return found


def _launch_until_step(tmp_path, fixtures_dir):
    """Start `ghostpen launch -n 2 -- train …` (long) and read its output until a step event."""
    cmd = [sys.executable, "-m", "ghostpen", "launch", "-n", "2", "--grace", "3", "--"]
    cmd += ["train", "--corpus", str(fixtures_dir / "tiny.txt"), "--out", str(tmp_path / "m")]
    cmd += ["--embed", "8", "--hidden", "16", "--layers", "1", "--epochs", "100000"]
    cmd += ["--seq-len", "20", "--batch-size", "4", "--progress", "json", "--threads", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    proc.reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout])
    proc.reader.start()
    pids, port, stepping, deadline = {}, None, None, time.monotonic() + 60
    try:
        while stepping is None and time.monotonic() < deadline:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("[launch] scheduler at"):
                port = int(line.rsplit(":", 1)[1])
            elif line.startswith("[launch] ") and ": pid " in line:
                name, rest = line[len("[launch] ") :].split(": pid ")
                pids[name] = int(rest.split()[0])
            elif line.startswith("[worker") and '"event": "step"' in line:
                stepping = line[1 : line.index("]")]
    except BaseException:
        proc.kill()
        raise
    assert stepping, "no training step within 60 s"
    assert len(pids) == 4 and port
    return proc, lines, pids, port, stepping


def _nothing_left(proc, pids, port) -> None:
    if proc.poll() is None:
        proc.kill()
    assert not [p for p in pids.values() if _alive(p)]
    assert not _with_port(port)  # no scheduler, server or worker left behind


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_killed_worker_stops_everything(tmp_path, fixtures_dir):
    proc, _lines, pids, port, stepping = _launch_until_step(tmp_path, fixtures_dir)
    try:
        other = "worker 1" if stepping == "worker 0" else "worker 0"
        os.kill(pids[other], signal.SIGKILL)  # rank 1 dies; rank 0 waits for its gradients
        assert proc.wait(timeout=40) != 0  # bounded: terminate, 3 s grace, kill
    finally:
        _nothing_left(proc, pids, port)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_ctrl_c_stops_all_workers_together_and_rank0_saves(tmp_path, fixtures_dir):
    proc, lines, pids, port, _ = _launch_until_step(tmp_path, fixtures_dir)
    try:
        proc.send_signal(signal.SIGINT)  # what Ctrl+C in the terminal sends the launcher
        assert proc.wait(timeout=40) == 0
    finally:
        _nothing_left(proc, pids, port)
    proc.reader.join(timeout=10)  # every line read
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    done = [json.loads(x.split("] ", 1)[1]) for x in rest if '"event": "done"' in x]
    assert [d["reason"] for d in done] == ["interrupted"]  # only rank 0 reports
    assert (tmp_path / "m" / "meta.json").exists()


@pytest.mark.slow
def test_a_busy_port_is_refused_or_fails_cleanly(tmp_path, fixtures_dir, monkeypatch, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert launch.free_port() != port
        with pytest.raises(LaunchError, match=f"port {port} .* in use"):
            Launcher(["train"], 1, port=port)
        assert main(["launch", "-n", "1", "--port", str(port), "--", "train"]) == 2
        assert "in use" in capsys.readouterr().err
        # taken between the check and the scheduler's bind: the scheduler fails, all stop
        monkeypatch.setattr(launch, "port_is_free", lambda *a: True)
        out = io.StringIO()
        argv = [str(fixtures_dir / "tiny.txt"), str(tmp_path), "dist_sync"]
        launcher = Launcher(argv, 1, port=port, program=WORKER, grace_s=2, out=out)
        t0 = time.monotonic()
        assert _run_bounded(launcher, 60) != 0
        assert time.monotonic() - t0 < 40
        assert "scheduler on 127.0.0.1 exited with code" in out.getvalue()
        assert not [c for c in launcher.children if _alive(c.proc.pid)]


def test_worker_argv_hosts_and_ssh_command(tmp_path):
    assert worker_argv(["--", "train", "--out", "x"]) == [
        "train", "--out", "x", "--kvstore", "dist_sync",
    ]  # fmt: skip
    assert worker_argv(["train", "--kvstore=dist_async"]) == ["train", "--kvstore=dist_async"]
    assert worker_argv(["train-gan", "--out", "x"])[-2:] == ["--kvstore", "dist_sync"]
    assert worker_argv(["avatars", "--out", "x"]) == ["avatars", "--out", "x"]
    hosts = parse_hosts("# cluster\n10.0.0.1\n\n me@10.0.0.2  # second\n")
    assert [h.target for h in hosts] == ["10.0.0.1", "me@10.0.0.2"]
    assert [h.name for h in hosts] == ["10.0.0.1", "10.0.0.2"]
    with pytest.raises(LaunchError):
        parse_hosts("# nothing\n")
    launcher = Launcher(["train", "--out", "a b"], 2, 1, hosts=hosts, ssh=["ssh", "-F", "c"])
    worker = launcher.children[-1]
    argv, _env = launcher.command(worker)
    assert argv[:5] == ["ssh", "-F", "c", "-T", "-o"] and "BatchMode=yes" in argv
    assert argv[-2] == "me@10.0.0.2"
    assert "DMLC_ROLE=worker" in argv[-1] and "DMLC_PS_ROOT_URI=10.0.0.1" in argv[-1]
    assert "DMLC_NODE_HOST=10.0.0.2" in argv[-1] and "'a b'" in argv[-1]
    assert "-m ghostpen.training.hostguard" in argv[-1]  # never outlives the launcher
    assert launcher.children[0].host == "10.0.0.1"  # the scheduler on the first host


def test_hosts_file_roles_place_the_processes():
    hosts = parse_hosts("10.0.0.1 scheduler server\n10.0.0.2 worker\n10.0.0.3 worker\n")
    launcher = Launcher(["train"], 4, 2, hosts=hosts)
    placed = {c.name: c.host for c in launcher.children}
    assert placed["scheduler"] == placed["server 0"] == placed["server 1"] == "10.0.0.1"
    assert [placed[f"worker {i}"] for i in range(4)] == ["10.0.0.2", "10.0.0.3"] * 2
    assert launcher.children[-1].env["DMLC_NODE_HOST"] == "10.0.0.3"
    for bad, words in (
        ("10.0.0.1 chef\n", "not a role"),
        ("10.0.0.1 worker\n", "may run the scheduler"),
        ("-oProxyCommand=touch\n", "not a host name"),
        ("10.0.0.1;reboot\n", "not a host name"),
    ):
        with pytest.raises(LaunchError, match=words):
            parse_hosts(bad)
    with pytest.raises(LaunchError, match="does not resolve"):
        Launcher(["train"], 1, hosts=[HostLine("no-such-host.invalid")])


def test_launch_bounds_and_hosts_files_are_one_line_messages(tmp_path, capsys):
    bad_bytes = tmp_path / "latin1.txt"
    bad_bytes.write_bytes(b"caf\xe9-host\n")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"# x\n" * 300_000)  # 1.2 MB
    cases = [
        (["-n", "100000"], "must be from 1 to 4096"),
        (["-n", "1", "-s", "0"], "must be from 1 to 4096"),
        (["-n", "1", "--port", "70000"], "must be from 1 to 65535"),
        (["-n", "1", "--port", "0"], "must be from 1 to 65535"),
        (["-n", "40"], "at most 32 a machine"),
        (["-n", "1", "--hosts", str(bad_bytes)], "not UTF-8"),
        (["-n", "1", "--hosts", "/dev/zero"], "not a regular file"),
        (["-n", "1", "--hosts", str(huge)], "too large"),
        (["-n", "1", "--hosts", str(tmp_path / "none.txt")], "No such file"),
        (["-n", "1", "--ssh", " "], "--ssh is empty"),
    ]
    for args, words in cases:
        t0 = time.monotonic()
        try:
            code = main(["launch", *args, "--", "train", "--out", "x"])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
        err = capsys.readouterr().err
        assert code == 2 and words in err, (args, err)
        assert "Traceback" not in err and time.monotonic() - t0 < 5
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert main(["launch", "-n", "1", "--hosts", str(fifo), "--", "train"]) == 2  # no hang
    assert "not a regular file (a FIFO)" in capsys.readouterr().err


def _guard(*args: str, **kw) -> subprocess.Popen:
    argv = [sys.executable, "-m", "ghostpen.training.hostguard", *args]
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, **kw)


def test_the_remote_guard_stops_its_process_when_the_launcher_is_gone():
    sleeper = "import os,time; print(os.getpid(), flush=True); time.sleep(120)"
    # stdin closes (the ssh connection ended): the process is stopped at once
    guard = _guard("--grace", "1", "--", sys.executable, "-c", sleeper)
    pid = int(guard.stdout.readline())
    guard.stdin.close()
    assert guard.wait(timeout=10) == 128 + signal.SIGTERM and not _alive(pid)
    # silence (a cut network: no FIN, no word): stopped after --timeout
    guard = _guard("--timeout", "1", "--grace", "1", "--", sys.executable, "-c", sleeper)
    pid = int(guard.stdout.readline())
    assert guard.wait(timeout=10) != 0 and not _alive(pid)
    guard.stdin.close()
    # words keep it alive; `int` is Ctrl+C for the process; its status comes back
    code = "print('up', flush=True)\nimport time\ntry:\n    time.sleep(120)\n"
    code += "except KeyboardInterrupt:\n    raise SystemExit(7)"
    guard = _guard("--timeout", "1", "--", sys.executable, "-c", code)
    assert guard.stdout.readline().strip() == "up"
    for _ in range(3):  # 1.5 s of pings: past the timeout, still running
        guard.stdin.write("ping\n")
        guard.stdin.flush()
        time.sleep(0.5)
    assert guard.poll() is None
    guard.stdin.write("int\n")
    guard.stdin.flush()
    assert guard.wait(timeout=10) == 7


def test_the_host_check_says_what_is_missing(tmp_path):
    from ghostpen.training.hostguard import check

    assert check("127.0.0.1", None, [str(tmp_path)]) == ""
    assert "is missing there" in check(None, None, [str(tmp_path / "corpus.txt")])
    assert "does not own the address" in check("192.0.2.254", None, [])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert f"port {port} is taken" in check("127.0.0.1", port, [])


@pytest.mark.slow
def test_a_distributed_run_resumes_from_rank0s_checkpoint(tmp_path, fixtures_dir):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(fixtures_dir.joinpath("tiny.txt").read_text(encoding="utf-8") * 8)
    out = tmp_path / "ck"
    tiny = ["--hidden", "16", "--layers", "1", "--embed", "8", "--seq-len", "20"]
    tiny += ["--batch-size", "4", "--progress", "none", "--corpus", str(corpus), "--out", str(out)]

    def launch(*extra: str) -> int:
        argv = [sys.executable, "-m", "ghostpen", "launch", "-n", "2", "--", "train", *tiny]
        done = subprocess.run([*argv, *extra], capture_output=True, text=True, timeout=150)
        assert "Traceback" not in done.stdout + done.stderr, done.stderr[-2000:]
        return done.returncode

    assert launch("--epochs", "1") == 0
    first = json.loads((out / "meta.json").read_text())["training"]["steps"]
    assert launch("--resume", "--epochs", "2") == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["training"]["steps"] > first > 0  # continued from rank 0's checkpoint
    assert meta["resume"]["position"]["epoch"] == 2
