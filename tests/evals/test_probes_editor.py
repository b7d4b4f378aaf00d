"""The editor-file probes (`evals/probe_cases_editor.py`) are registered and pass here."""

from __future__ import annotations

import json

from ghostpen.evals import probes

MINE = {
    "editor-habits-two-editors", "editor-habits-fifo", "editor-habits-dev-zero",
    "editor-habits-absurd-numbers", "editor-habits-deep-nesting", "editor-habits-symlink",
    "editor-habits-excluded-through-link", "editor-recovery-nothing-ticked",
    "editor-recovery-fifo", "editor-same-size-in-place", "editor-save-keeps-xattrs",
    "editor-long-line-typing",
}  # fmt: skip


def test_the_editor_file_probes_are_registered(capsys):
    assert probes.main(["--list"]) == 0
    names = {line.split(":")[0] for line in capsys.readouterr().out.splitlines()}
    assert MINE <= names


def test_two_of_them_pass(capsys):
    rc = probes.main(["--only", "editor-habits-two-editors", "editor-recovery-fifo"])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert rc == 0 and all(o["ok"] for o in out[:2]), out
