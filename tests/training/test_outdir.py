"""The output folder of a training: claimed exclusively, never someone else's files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ghostpen.training.outdir import LOCK_NAME, OutputError, checkpoint_format, claim_output


def make_checkpoint(folder, fmt="ghostpen-charlm"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").write_text(json.dumps({"format": fmt}), encoding="utf-8")
    (folder / "model-1.params").write_bytes(b"weights")
    return folder


def files_of(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != LOCK_NAME}


def test_new_and_empty_folders_are_claimed(tmp_path):
    with claim_output(tmp_path / "a" / "b") as claim:
        assert claim.existing is None and (tmp_path / "a" / "b").is_dir()
    (tmp_path / "empty").mkdir()
    claim_output(tmp_path / "empty").release()
    assert files_of(tmp_path / "empty") == {}  # the write test left nothing behind


def test_an_existing_model_needs_resume_or_force(tmp_path):
    ckpt = make_checkpoint(tmp_path / "m")
    before = files_of(ckpt)
    with pytest.raises(OutputError, match="already holds a model; pass --resume .* --force"):
        claim_output(ckpt)
    assert files_of(ckpt) == before
    for flags in ({"resume": True}, {"force": True}):
        with claim_output(ckpt, **flags) as claim:
            assert claim.existing == "ghostpen-charlm"
    assert files_of(ckpt) == before


def test_someone_elses_folder_is_refused_whatever_the_flags(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    for name in ("weights.params", "moments.nd", "draft.tmp"):
        (theirs / name).write_bytes(name.encode())
    before = files_of(theirs)
    for flags in ({}, {"force": True}, {"resume": True}):
        with pytest.raises(OutputError, match="not empty and is not a ghostpen checkpoint|resume"):
            claim_output(theirs, **flags)
    assert files_of(theirs) == before


def test_files_and_paths_under_files(tmp_path):
    file = tmp_path / "f"
    file.write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        claim_output(file)
    with pytest.raises(OutputError, match=f"{file} is a file"):
        claim_output(file / "sub" / "m")
    assert file.read_text(encoding="utf-8") == "keep"


def test_resume_needs_a_model_of_the_same_kind(tmp_path):
    with pytest.raises(OutputError, match="no ghostpen model to resume"):
        claim_output(tmp_path / "new", resume=True)
    gan = make_checkpoint(tmp_path / "gan", fmt="ghostpen-dcgan")
    with pytest.raises(OutputError, match="holds a ghostpen-dcgan model"):
        claim_output(gan, resume=True, kind="ghostpen-charlm")
    assert checkpoint_format(gan) == "ghostpen-dcgan"
    assert checkpoint_format(tmp_path) is None


def test_read_only_folder(tmp_path):
    from ghostpen.evals.probe_mounts import NO_MOUNT, read_only_folder

    with read_only_folder(tmp_path / "ro", lambda folder: None) as ro:  # a read-only tmpfs as root
        if ro is None:
            pytest.skip(NO_MOUNT)
        with pytest.raises(OutputError, match="not writable|cannot be created"):
            claim_output(ro / "m")
        with pytest.raises(OutputError, match="not writable"):
            claim_output(ro)


def test_a_second_claim_is_refused_naming_the_holder(tmp_path):
    out = tmp_path / "m"
    with claim_output(out):
        with pytest.raises(OutputError, match=f"in use by another training \\(pid {os.getpid()}"):
            claim_output(out)
    claim_output(out).release()  # released: free again


def test_the_lock_holds_across_processes(tmp_path):
    out = tmp_path / "m"
    code = (
        "import sys; from ghostpen.training.outdir import claim_output\n"
        "c = claim_output(sys.argv[1]); print('held', flush=True); sys.stdin.readline()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(OutputError, match=f"pid {child.pid}"):
            claim_output(out)
    finally:
        child.communicate("\n", timeout=30)
    claim_output(out).release()  # the child exited: its lock is gone
