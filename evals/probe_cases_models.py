"""Probes of model folders and training (`ghostpen eval probes`): the folder lock against
`wordlm build` and *Manage models* during a training, bundled models left alone, SIGKILL then
`--resume`, full disks (a small tmpfs, as root), FIFOs and devices where a file is read, huge
corpora, absurd thread counts, a damaged vocabulary and a models folder in a system folder.

Trainings started in the background write their progress to a file (a pipe nobody reads would
stall them); a probe waits for a condition on that file with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ghostpen.evals.probe_cases import TINY, corpus, edit_meta, tiny_checkpoint
from ghostpen.evals.probe_mounts import NO_MOUNT, fill_up, small_disk
from ghostpen.evals.probes import (
    CHILD_TIMEOUT_S,
    Outcome,
    child_env,
    ghostpen,
    lost_files,
    probe,
    python,
    refused,
    skip,
    snapshot,
)

QUICK_S = 60.0  # a command that must not hang (a FIFO, a device) gets this long


class Training:
    """`ghostpen train … --progress json` in the background, its progress in a file."""

    def __init__(self, tmp: Path, out: Path, text: Path, *extra: str, env: dict | None = None):
        self.log, self.err = tmp / "progress.jsonl", tmp / "train.err"
        argv = [sys.executable, "-m", "ghostpen", "train", "--corpus", str(text), "--out",
                str(out), "--progress", "json", "--valid-every", "3", *TINY, *extra]  # fmt: skip
        with open(self.log, "wb") as log, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(argv, env=child_env(**(env or {})), stdout=log,
                                         stderr=err, stdin=subprocess.DEVNULL)  # fmt: skip

    def events(self) -> list[dict]:
        found = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                found.append(json.loads(line))
        return found

    def wait_for(self, event: str, count: int = 1, timeout: float = 120.0) -> bool:
        """Until `count` events of kind `event` are out (False: the run ended or timed out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(e.get("event") == event for e in self.events()) >= count:
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        """Send `sig`, wait for the end: (exit status, stderr)."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode, self.err.read_text(encoding="utf-8", errors="replace")


def _loads(model: Path | str, env: dict | None = None) -> tuple[bool, str]:
    """Whether `ghostpen sample --model MODEL` works (and its last line)."""
    run = ghostpen("sample", "--model", str(model), "--length", "10", env=env)
    return run.rc == 0 and not run.traceback, run.last_line or "sampled"


# --- the model folder's lock ------------------------------------------------------------------
@probe("wordlm-build-during-training", "wordlm build three times into a folder being trained")
def _wordlm_during_training(tmp: Path) -> Outcome:
    text, out = corpus(tmp / "c", chars=20000), tmp / "m"
    training = Training(tmp, out, text, "--minutes", "1")
    try:
        if not training.wait_for("valid", 2):
            return Outcome(False, f"the training did not start: {training.err.read_text()[-300:]}")
        runs = [ghostpen("wordlm", "build", "--model", str(out), "--corpus", str(text))
                for _ in range(3)]  # fmt: skip
    finally:
        rc, err = training.stop()
    said = all(r.rc != 0 and "in use" in r.err and not r.traceback for r in runs)
    loads, line = _loads(out)
    resumed = ghostpen("train", "--resume", "--corpus", str(text), "--out", str(out),
                       "--minutes", "0.05", "--progress", "none", *TINY)  # fmt: skip
    ok = said and loads and rc == 0 and resumed.rc == 0 and not resumed.traceback
    return Outcome(ok, f"refused while training: {said} ({runs[0].last_line!r}); sample: {line}; "
                       f"resume rc {resumed.rc}", [], any(r.traceback for r in runs))  # fmt: skip


def _manage_during_training(tmp: Path, action: str) -> Outcome:
    models = tmp / "models"
    text, env = corpus(tmp / "c", chars=20000), {"GHOSTPEN_MODELS_DIR": str(models)}
    training = Training(tmp, models / "tuned", text, "--minutes", "1", env=env)
    try:
        if not training.wait_for("valid", 2):
            return Outcome(False, f"the training did not start: {training.err.read_text()[-300:]}")
        call = "delete_model('tuned')" if action == "delete" else "rename_model('tuned', 'x')"
        run = python("-c", f"from ghostpen.model import library\ntry:\n    library.{call}\n"
                           "except ValueError as e:\n    print(e)\n    raise SystemExit(3)",
                     env=env)  # fmt: skip
    finally:
        rc, err = training.stop()
    said = run.rc == 3 and "a training is writing it" in run.out and not run.traceback
    loads, line = _loads(models / "tuned")
    ok = said and loads and rc == 0 and "is kept" not in err and not (models / "x").exists()
    return Outcome(ok, f"{run.out.strip() or run.last_line}; after the training: {line}", [],
                   run.traceback)  # fmt: skip


@probe("models-delete-during-training", "Manage models ▸ Delete of a model being trained")
def _delete_during_training(tmp: Path) -> Outcome:
    return _manage_during_training(tmp, "delete")


@probe("models-rename-during-training", "Manage models ▸ Rename of a model being trained")
def _rename_during_training(tmp: Path) -> Outcome:
    return _manage_during_training(tmp, "rename")


def _bundled_default() -> Path:
    from ghostpen.model.library import DEFAULT_NAME, bundled_models_dir

    return bundled_models_dir() / DEFAULT_NAME


@probe("wordlm-build-bundled", "wordlm build --model default (the bundled model)")
def _wordlm_bundled(tmp: Path) -> Outcome:
    bundled = _bundled_default()
    keep = {p: p.read_bytes() for p in bundled.iterdir() if p.is_file()}
    before = snapshot(bundled)
    run = ghostpen("wordlm", "build", "--model", "default", "--corpus", str(corpus(tmp / "c")),
                   env={"GHOSTPEN_MODELS_DIR": str(tmp / "models")})  # fmt: skip
    after = snapshot(bundled)
    outcome = refused(run, before, after, "bundled", "--out")
    if lost_files(before, after) or set(after) != set(before):  # put the shipped model back
        for p in bundled.iterdir():
            if p not in keep and p.is_file():
                p.unlink()
        for p, data in keep.items():
            p.write_bytes(data)
    return outcome


@probe("wordlm-build-bundled-copy", "wordlm build --model default --out NAME (a user copy)")
def _wordlm_bundled_copy(tmp: Path) -> Outcome:
    bundled, env = _bundled_default(), {"GHOSTPEN_MODELS_DIR": str(tmp / "models")}
    before = snapshot(bundled)
    run = ghostpen("wordlm", "build", "--model", "default", "--corpus", str(corpus(tmp / "c")),
                   "--out", "mine", env=env)  # fmt: skip
    lost = lost_files(before, snapshot(bundled))
    loads, line = _loads("mine", env)
    info = ghostpen("wordlm", "info", "--model", "mine", env=env)
    counted = '"tokens"' in info.out and (tmp / "models" / "mine" / "meta.json").is_file()
    ok = run.rc == 0 and not run.traceback and not lost and loads and counted
    return Outcome(ok, f"rc {run.rc}; the copy samples: {line}; word model: {counted}", lost,
                   run.traceback)  # fmt: skip


# --- crashes ----------------------------------------------------------------------------------
@probe("train-sigkill-resume", "SIGKILL a training after a checkpoint, then --resume it")
def _sigkill_resume(tmp: Path) -> Outcome:
    text, out = corpus(tmp / "c", chars=20000), tmp / "m"
    training = Training(tmp, out, text, "--minutes", "1")
    started = training.wait_for("valid", 3)
    rc, _ = training.stop(signal.SIGKILL)
    if not started:
        return Outcome(False, "the training did not reach a checkpoint")
    loads, line = _loads(out)
    run = ghostpen("train", "--resume", "--corpus", str(text), "--out", str(out),
                   "--minutes", "0.05", "--progress", "none", *TINY)  # fmt: skip
    again, line2 = _loads(out)
    ok = rc == -signal.SIGKILL and loads and run.rc == 0 and not run.traceback and again
    return Outcome(ok, f"after SIGKILL: {line}; resume rc {run.rc} {run.last_line!r}; "
                       f"after resume: {line2}", [], run.traceback)  # fmt: skip


# --- full disks (a small tmpfs; root only) ----------------------------------------------------
@probe("train-disk-full", "train --out a folder on a full disk")
def _train_disk_full(tmp: Path) -> Outcome:
    text = corpus(tmp / "c", chars=20000)
    with small_disk(tmp / "disk", 256) as disk:
        if disk is None:
            return skip(NO_MOUNT)
        fill_up(disk, leave_kb=8)
        run = ghostpen("train", "--corpus", str(text), "--out", str(disk / "m"),
                       "--minutes", "0.1", "--progress", "none", *TINY)  # fmt: skip
        left = sorted(p.name for p in (disk / "m").iterdir()) if (disk / "m").is_dir() else []
        outcome = refused(run, {}, {}, "disk full")
        stray = [n for n in left if n not in (".ghostpen.lock",)]
        if stray:
            outcome.ok, outcome.message = False, f"{outcome.message}; left behind: {stray}"
        if "fwrite" in run.err or "Errno" in run.err:
            outcome.ok = False
        return outcome


@probe("train-out-disk-full-at-start", "train --out a folder on a disk with no byte left")
def _train_disk_full_at_start(tmp: Path) -> Outcome:
    text = corpus(tmp / "c", chars=20000)
    with small_disk(tmp / "disk", 64) as disk:
        if disk is None:
            return skip(NO_MOUNT)
        fill_up(disk, leave_kb=0)
        before = snapshot(disk)
        run = ghostpen("train", "--corpus", str(text), "--out", str(disk / "m"), *TINY)
        outcome = refused(run, before, snapshot(disk), "disk full")
        if run.seconds > 60:  # found only after training: too late
            outcome.ok, outcome.message = False, f"{outcome.message} (after {run.seconds:.0f} s)"
        return outcome


@probe("train-resume-disk-full", "train --resume a checkpoint whose disk is full")
def _resume_disk_full(tmp: Path) -> Outcome:
    text = corpus(tmp / "c", chars=6000)
    with small_disk(tmp / "disk", 512) as disk:
        if disk is None:
            return skip(NO_MOUNT)
        ckpt = tiny_checkpoint(disk)
        fill_up(disk, leave_kb=4)
        before = snapshot(ckpt)
        run = ghostpen("train", "--resume", "--corpus", str(text), "--out", str(ckpt),
                       "--minutes", "0.1", "--progress", "none", *TINY)  # fmt: skip
        (disk / "filler").unlink()
        outcome = refused(run, {}, {}, "disk full", "is kept")
        loads, line = _loads(ckpt)
        named = {Path(f).name for f in before}
        stray = [p.name for p in ckpt.iterdir() if p.name not in named | {".ghostpen.lock"}]
        if not loads or stray:
            outcome.ok = False
            outcome.message += f"; afterwards: {line}; left behind: {stray}"
        return outcome


@probe("wordlm-build-disk-full", "wordlm build into a checkpoint whose disk is full")
def _wordlm_disk_full(tmp: Path) -> Outcome:
    text = corpus(tmp / "c", chars=20000)
    with small_disk(tmp / "disk", 512) as disk:
        if disk is None:
            return skip(NO_MOUNT)
        ckpt = tiny_checkpoint(disk)
        fill_up(disk, leave_kb=4)
        before = snapshot(ckpt)
        run = ghostpen("wordlm", "build", "--model", str(ckpt), "--corpus", str(text))
        (disk / "filler").unlink()
        after = {k: v for k, v in snapshot(ckpt).items() if not k.endswith(".ghostpen.lock")}
        before = {k: v for k, v in before.items() if not k.endswith(".ghostpen.lock")}
        outcome = refused(run, before, after, "disk full")
        if set(after) != set(before):
            outcome.ok = False
            outcome.message += f"; files now: {sorted(Path(f).name for f in after)}"
        return outcome


# --- FIFOs and devices where a small file or a corpus is read ---------------------------------
def _models_with(tmp: Path, name: str, make) -> tuple[Path, dict]:
    """A user models folder holding a good model and a model `name` whose meta.json is made by
    `make(path)`; returns (folder, environment)."""
    models = tmp / "models"
    tiny_checkpoint(models, "good")
    (models / name).mkdir()
    make(models / name / "meta.json")
    return models, {"GHOSTPEN_MODELS_DIR": str(models)}


def _odd_meta(tmp: Path, name: str, make, *words: str) -> Outcome:
    models, env = _models_with(tmp, name, make)
    listed = ghostpen("models", timeout=QUICK_S, env=env)
    run = ghostpen("sample", "--model", name, "--length", "5", timeout=QUICK_S, env=env)
    outcome = refused(run, {}, {}, *words)
    if listed.rc != 0 or listed.traceback or "good" not in listed.out:
        outcome.ok = False
        outcome.message = f"`ghostpen models`: rc {listed.rc} {listed.last_line!r}; " + (
            outcome.message
        )
    outcome.traceback = outcome.traceback or listed.traceback
    return outcome


@probe("models-meta-fifo", "a user model whose meta.json is a FIFO: `models`, then `sample`")
def _meta_fifo(tmp: Path) -> Outcome:
    return _odd_meta(tmp, "piped", os.mkfifo, "FIFO")


@probe("models-meta-dev-zero", "a user model whose meta.json links to /dev/zero")
def _meta_dev_zero(tmp: Path) -> Outcome:
    return _odd_meta(tmp, "zero", lambda p: p.symlink_to("/dev/zero"), "character device")


@probe("models-meta-too-large", "a user model with a 70 MB meta.json (sparse)")
def _meta_too_large(tmp: Path) -> Outcome:
    def make(path: Path) -> None:
        with open(path, "wb") as fh:
            fh.truncate(70 * 2**20)

    return _odd_meta(tmp, "huge", make, "too large")


@probe("params-fifo", "a checkpoint whose params file is a FIFO")
def _params_fifo(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    meta = json.loads((ckpt / "meta.json").read_text(encoding="utf-8"))
    params = ckpt / meta["files"]["params"]
    params.unlink()
    os.mkfifo(params)
    edit_meta(ckpt, lambda m: m.get("sha256", {}).clear())
    run = ghostpen("sample", "--model", str(ckpt), "--length", "5", timeout=QUICK_S)
    return refused(run, {}, {}, meta["files"]["params"], "not a regular file")


@probe("editor-start-meta-fifo", "the editor starts with a FIFO and /dev/zero as models' meta.json")
def _editor_meta_fifo(tmp: Path) -> Outcome:
    models, env = _models_with(tmp, "piped", os.mkfifo)
    (models / "zero").mkdir()
    (models / "zero" / "meta.json").symlink_to("/dev/zero")
    run = python("-m", "ghostpen.evals.probe_editor", "models-menu-lists", str(tmp),
                 timeout=QUICK_S, env=env)  # fmt: skip
    try:
        result = json.loads(run.out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return Outcome(False, f"no result (rc {run.rc}): {run.last_line}", [], run.traceback)
    ok = bool(result.get("ok")) and run.rc == 0 and not run.traceback
    return Outcome(ok, str(result.get("message", "")), [], run.traceback)


@probe("train-corpus-fifo", "train --corpus a FIFO")
def _corpus_fifo(tmp: Path) -> Outcome:
    fifo = tmp / "corpus.txt"
    os.mkfifo(fifo)
    run = ghostpen("train", "--corpus", str(fifo), "--out", str(tmp / "m"), *TINY,
                   timeout=QUICK_S)  # fmt: skip
    outcome = refused(run, {}, {}, "FIFO", str(fifo))
    if "no such file" in run.err:
        outcome.ok = False
    return outcome


@probe("train-corpus-dev-zero", "train --corpus /dev/zero")
def _corpus_dev_zero(tmp: Path) -> Outcome:
    run = ghostpen("train", "--corpus", "/dev/zero", "--out", str(tmp / "m"), *TINY,
                   timeout=QUICK_S)  # fmt: skip
    return refused(run, {}, {}, "character device")


@probe("wordlm-corpus-folder-with-fifo", "wordlm build --corpus a folder holding a FIFO .txt")
def _corpus_folder_fifo(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    folder = tmp / "docs"
    corpus(folder, chars=6000)
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    run = ghostpen("wordlm", "build", "--model", str(ckpt), "--corpus", str(folder),
                   timeout=QUICK_S)  # fmt: skip
    ok = run.rc == 0 and not run.traceback and '"tokens"' in run.out
    return Outcome(ok, f"rc {run.rc}: {run.last_line or run.out.strip()[:120]}", [], run.traceback)


# --- sizes ------------------------------------------------------------------------------------
@probe("train-corpus-40gb", "train --corpus a 40 GB .txt (sparse): sizes checked before reading")
def _corpus_40gb(tmp: Path) -> Outcome:
    big = tmp / "huge.txt"
    try:
        with open(big, "wb") as fh:
            fh.truncate(40 * 2**30)
    except OSError as exc:
        return skip(f"this file system holds no 40 GB sparse file ({exc.strerror})")
    run = ghostpen("train", "--corpus", str(big), "--out", str(tmp / "m"), *TINY, timeout=QUICK_S)
    outcome = refused(run, {}, {}, "40.0 GB", "512 MB")
    if "MemoryError" in run.err:
        outcome.ok = False
    return outcome


@probe("train-corpus-folder-over-cap", "train --corpus a folder: a text file and a 600 MB one")
def _corpus_folder_over(tmp: Path) -> Outcome:
    folder = tmp / "docs"
    corpus(folder, chars=6000, name="a.txt")
    with open(folder / "b.txt", "wb") as fh:
        fh.write(b"words and more words\n")
        fh.truncate(600 * 2**20)  # sparse: its size is what is checked, before any read
    run = ghostpen("train", "--corpus", str(folder), "--out", str(tmp / "m"), *TINY,
                   timeout=QUICK_S)  # fmt: skip
    return refused(run, {}, {}, "512 MB", "b.txt")


# --- flags and vocabularies -------------------------------------------------------------------
@probe("train-threads-huge", "train --threads 100000")
def _threads_huge(tmp: Path) -> Outcome:
    run = ghostpen("train", "--corpus", str(corpus(tmp / "c")), "--out", str(tmp / "m"),
                   "--threads", "100000", "--minutes", "0.05", "--progress", "none", *TINY,
                   env={"OMP_NUM_THREADS": ""})  # fmt: skip
    said = "--threads 100000" in run.err and "using" in run.err
    ok = run.rc == 0 and not run.traceback and said and (tmp / "m" / "meta.json").is_file()
    return Outcome(ok, f"rc {run.rc}: {run.last_line!r}", [], run.traceback)


@probe("sample-vocab-surrogate", "sample from a model whose vocabulary holds U+D800")
def _vocab_surrogate(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    edit_meta(ckpt, lambda m: m["vocab"].__setitem__(3, "\ud800"))
    before = snapshot(ckpt)
    run = ghostpen("sample", "--model", str(ckpt), "--length", "200")
    outcome = refused(run, before, snapshot(ckpt), "U+D800")
    if "UnicodeEncodeError" in run.err:
        outcome.ok = False
    return outcome


# --- where models are written -----------------------------------------------------------------
def _no_new_entries(root: Path, before: set[str]) -> list[str]:
    return sorted(set(os.listdir(root)) - before)


@probe("models-dir-root", "GHOSTPEN_MODELS_DIR=/ and wordlm build --out NAME")
def _models_dir_root(tmp: Path) -> Outcome:
    ckpt, name = tiny_checkpoint(tmp), f"ghostpen-probe-{os.getpid()}"
    listing = set(os.listdir("/"))
    run = ghostpen("wordlm", "build", "--model", str(ckpt), "--corpus", str(corpus(tmp / "c")),
                   "--out", name, env={"GHOSTPEN_MODELS_DIR": "/"})  # fmt: skip
    made = _no_new_entries(Path("/"), listing)
    outcome = refused(run, {}, {}, "system folder", "GHOSTPEN_MODELS_DIR")
    if made:
        outcome.ok, outcome.message = False, f"{outcome.message}; written into /: {made}"
        import shutil

        for entry in made:
            if entry == name:
                shutil.rmtree(Path("/") / entry, ignore_errors=True)
    return outcome


@probe("models-dir-system", "GHOSTPEN_MODELS_DIR=/usr/share and train --from … --out NAME")
def _models_dir_system(tmp: Path) -> Outcome:
    ckpt, name = tiny_checkpoint(tmp), f"ghostpen-probe-{os.getpid()}"
    run = ghostpen("train", "--from", str(ckpt), "--corpus", str(corpus(tmp / "c")), "--out",
                   name, "--minutes", "0.05", "--progress", "none",
                   env={"GHOSTPEN_MODELS_DIR": "/usr/share"})  # fmt: skip
    made = Path("/usr/share") / name
    outcome = refused(run, {}, {}, "system folder")
    if made.exists():
        import shutil

        shutil.rmtree(made, ignore_errors=True)
        outcome.ok, outcome.message = False, f"{outcome.message}; written into {made}"
    return outcome


# --- hostile things inside and around model folders -------------------------------------------
@probe("train-lock-symlink", "a model folder whose .ghostpen.lock links to a file of the user's")
def _lock_symlink(tmp: Path) -> Outcome:
    ckpt, victim = tiny_checkpoint(tmp), tmp / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (ckpt / ".ghostpen.lock").unlink(missing_ok=True)
    (ckpt / ".ghostpen.lock").symlink_to(victim)
    before = snapshot(victim, ckpt)
    run = ghostpen("train", "--resume", "--new-corpus", "--corpus", str(corpus(tmp / "c")),
                   "--out", str(ckpt), "--minutes", "0.05", "--progress", "none")  # fmt: skip
    return refused(run, before, snapshot(victim, ckpt), "is a link")


@probe("wordlm-build-lock-fifo", "wordlm build into a model folder whose .ghostpen.lock is a FIFO")
def _lock_fifo(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    (ckpt / ".ghostpen.lock").unlink(missing_ok=True)
    os.mkfifo(ckpt / ".ghostpen.lock")
    before = snapshot(*(p for p in ckpt.iterdir() if p.is_file()))
    run = ghostpen("wordlm", "build", "--model", str(ckpt), "--corpus", str(corpus(tmp / "c")),
                   timeout=QUICK_S)  # fmt: skip
    after = snapshot(*(p for p in ckpt.iterdir() if p.is_file()))
    return refused(run, before, after, "not a regular file")


@probe("train-resume-meta-fifo", "train --resume a folder whose meta.json is a FIFO")
def _resume_meta_fifo(tmp: Path) -> Outcome:
    out = tmp / "m"
    out.mkdir()
    os.mkfifo(out / "meta.json")
    run = ghostpen("train", "--resume", "--corpus", str(corpus(tmp / "c")), "--out", str(out),
                   *TINY, timeout=QUICK_S)  # fmt: skip
    return refused(run, {}, {}, "FIFO")


@probe("models-delete-bundled", "Manage models ▸ Delete of the bundled default model")
def _delete_bundled(tmp: Path) -> Outcome:
    bundled = _bundled_default()
    before = snapshot(bundled)
    run = python("-c", "from ghostpen.model import library\ntry:\n    library.delete_model("
                       "'default')\nexcept ValueError as e:\n    print(e)\n    raise SystemExit(3)",
                 env={"GHOSTPEN_MODELS_DIR": str(tmp / "models")})  # fmt: skip
    lost = lost_files(before, snapshot(bundled))
    ok = run.rc == 3 and "no such user model" in run.out and not lost and not run.traceback
    return Outcome(ok, run.out.strip() or run.last_line, lost, run.traceback)


@probe("wordlm-build-out-existing", "wordlm build --out NAME where NAME is a model already")
def _wordlm_out_existing(tmp: Path) -> Outcome:
    models = tmp / "models"
    theirs = tiny_checkpoint(models, "taken")
    before = snapshot(theirs)
    run = ghostpen("wordlm", "build", "--model", "default", "--corpus", str(corpus(tmp / "c")),
                   "--out", "taken", env={"GHOSTPEN_MODELS_DIR": str(models)})  # fmt: skip
    return refused(run, before, snapshot(theirs), "already holds a model")


@probe("models-dir-is-file", "GHOSTPEN_MODELS_DIR naming a file: `models`, then a fine-tune")
def _models_dir_file(tmp: Path) -> Outcome:
    file, env = tmp / "not-a-folder", {"GHOSTPEN_MODELS_DIR": str(tmp / "not-a-folder")}
    file.write_text("keep me\n", encoding="utf-8")
    before = snapshot(file)
    listed = ghostpen("models", env=env)
    run = ghostpen("train", "--from", str(tiny_checkpoint(tmp)), "--corpus",
                   str(corpus(tmp / "c")), "--out", "x", "--minutes", "0.05", env=env)  # fmt: skip
    outcome = refused(run, before, snapshot(file), "is a file")
    if listed.rc != 0 or listed.traceback:
        outcome.ok, outcome.message = False, f"`models`: {listed.last_line!r}; {outcome.message}"
    return outcome


@probe("train-out-dev-null", "train --out /dev/null")
def _out_dev_null(tmp: Path) -> Outcome:
    run = ghostpen("train", "--corpus", str(corpus(tmp / "c")), "--out", "/dev/null", *TINY,
                   timeout=QUICK_S)  # fmt: skip
    return refused(run, {}, {}, "/dev/null")


@probe("wordlm-corpus-link-loop", "wordlm build --corpus a folder with a link to its parent")
def _corpus_link_loop(tmp: Path) -> Outcome:
    ckpt, folder = tiny_checkpoint(tmp), tmp / "docs" / "a"
    corpus(folder, chars=6000)
    (folder / "loop").symlink_to("..")
    run = ghostpen("wordlm", "build", "--model", str(ckpt), "--corpus", str(tmp / "docs"),
                   timeout=QUICK_S)  # fmt: skip
    ok = run.rc == 0 and not run.traceback and '"tokens"' in run.out
    return Outcome(ok, f"rc {run.rc}: {run.last_line or run.out.strip()[:100]}", [], run.traceback)
