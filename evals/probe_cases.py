"""The bad inputs `ghostpen eval probes` tries, one function each (registered with `@probe`).

Every probe builds what it needs in its own scratch folder: a small corpus, a tiny checkpoint
trained by the real `ghostpen train`, files that are not ghostpen's. The tiny checkpoint is
trained once per run and copied into each probe that needs it.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from pathlib import Path

from ghostpen.evals.probes import Outcome, ghostpen, probe, refused, snapshot

SENTENCES = (
    "The quick brown fox jumps over the lazy dog. ",
    "A journey of a thousand miles begins with a single step. ",
    "To be, or not to be, that is the question. ",
)
TINY = ("--hidden", "16", "--layers", "1", "--embed", "8", "--seq-len", "20", "--batch-size", "4")


def corpus(folder: Path, chars: int = 6000, name: str = "corpus.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = ("".join(SENTENCES) * (chars // sum(map(len, SENTENCES)) + 1))[:chars]
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@functools.lru_cache(maxsize=1)
def _trained() -> Path:
    root = Path(tempfile.mkdtemp(prefix="ghostpen-probe-model-"))
    run = ghostpen(
        "train", "--corpus", str(corpus(root)), "--out", str(root / "model"),
        "--epochs", "1", "--progress", "none", *TINY,
    )  # fmt: skip
    if run.rc != 0:
        raise RuntimeError(f"could not train the probes' tiny model: {run.last_line}")
    return root / "model"


def tiny_checkpoint(tmp: Path, name: str = "model") -> Path:
    """A copy of the run's tiny trained checkpoint inside `tmp`."""
    return Path(shutil.copytree(_trained(), tmp / name))


def edit_meta(ckpt: Path, change) -> None:
    meta_file = ckpt / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    change(meta)
    meta_file.write_text(json.dumps(meta), encoding="utf-8")


# --- training never destroys a model ------------------------------------------------------------
@probe("train-into-checkpoint", "train --out an existing checkpoint without --resume")
def _train_into_checkpoint(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    before = snapshot(ckpt)
    run = ghostpen("train", "--corpus", str(corpus(tmp / "c")), "--out", str(ckpt), *TINY)
    return refused(run, before, snapshot(ckpt), "already holds a model", "--resume", "--force")


@probe("train-into-foreign-folder", "train --out a folder of someone else's .params/.nd/.tmp")
def _train_into_foreign(tmp: Path) -> Outcome:
    out = tmp / "theirs"
    out.mkdir()
    for name in ("weights.params", "moments.nd", "draft.tmp", "notes.txt"):
        (out / name).write_bytes(b"not ghostpen's " + name.encode())
    before = snapshot(out)
    run = ghostpen("train", "--corpus", str(corpus(tmp / "c")), "--out", str(out), *TINY)
    return refused(run, before, snapshot(out), "not a ghostpen checkpoint")


@probe("train-out-is-file", "train --out naming a file")
def _train_out_file(tmp: Path) -> Outcome:
    out = tmp / "a-file"
    out.write_text("keep me", encoding="utf-8")
    before = snapshot(out)
    run = ghostpen("train", "--corpus", str(corpus(tmp / "c")), "--out", str(out), *TINY)
    return refused(run, before, snapshot(out), str(out))


@probe("train-out-read-only", "train --out a folder in a read-only folder (read-only for root too)")
def _train_out_read_only(tmp: Path) -> Outcome:
    from ghostpen.evals.probe_mounts import NO_MOUNT, read_only_folder
    from ghostpen.evals.probes import skip

    text = corpus(tmp / "c")

    def fill(folder: Path) -> None:
        (folder / "keep.txt").write_text("keep", encoding="utf-8")

    with read_only_folder(tmp / "ro", fill) as parent:
        if parent is None:
            return skip(NO_MOUNT)
        before = snapshot(parent)
        run = ghostpen(
            "train", "--corpus", str(text), "--out", str(parent / "m"),
            "--epochs", "1", "--progress", "none", *TINY,
        )  # fmt: skip
        outcome = refused(run, before, snapshot(parent), str(parent / "m"))
        if "read-only" not in run.err.lower() and "permission" not in run.err.lower():
            outcome.ok = False
            outcome.message = f"expected 'read-only' or 'permission denied'; got {run.last_line!r}"
        return outcome


@probe("train-out-under-file", "train --out a folder whose parent is a file")
def _train_out_under_file(tmp: Path) -> Outcome:
    blocker = tmp / "blocker"
    blocker.write_text("keep me", encoding="utf-8")
    before = snapshot(blocker)
    run = ghostpen("train", "--corpus", str(corpus(tmp / "c")), "--out", str(blocker / "m"), *TINY)
    outcome = refused(run, before, snapshot(blocker), str(blocker))
    if run.seconds > 60:  # found only after training: too late
        outcome.ok = False
        outcome.message += f" (after {run.seconds:.0f} s)"
    return outcome


@probe("train-lr-nan", "train --lr nan")
def _train_lr_nan(tmp: Path) -> Outcome:
    out = tmp / "m"
    run = ghostpen("train", "--corpus", str(corpus(tmp / "c")), "--out", str(out), "--lr", "nan")
    ok_rc = run.rc == 2 and not run.traceback and not (out / "meta.json").exists()
    return Outcome(ok_rc, run.last_line, [], run.traceback)


@probe("train-batch-zero", "train --batch-size 0")
def _train_batch_zero(tmp: Path) -> Outcome:
    run = ghostpen("train", "--corpus", str(corpus(tmp / "c")), "--out", str(tmp / "m"),
                   "--batch-size", "0")  # fmt: skip
    return refused(run, {}, {}, "batch")


@probe("train-tiny-corpus", "train on a 200-character corpus")
def _train_tiny_corpus(tmp: Path) -> Outcome:
    src = corpus(tmp / "c", chars=200)
    run = ghostpen("train", "--corpus", str(src), "--out", str(tmp / "m"))
    return refused(run, {}, {}, "too small")


@probe("train-resume-other-corpus", "train --resume with a --corpus unlike the checkpoint's")
def _train_resume_other(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    before = snapshot(ckpt)
    other = corpus(tmp / "other", chars=7000, name="other.txt")
    other.write_text(other.read_text(encoding="utf-8").upper(), encoding="utf-8")
    run = ghostpen("train", "--resume", "--corpus", str(other), "--out", str(ckpt), *TINY)
    return refused(run, before, snapshot(ckpt), "corpus")


# --- checkpoints that lie ----------------------------------------------------------------------
def _bad_model(tmp: Path, change, *words: str) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    edit_meta(ckpt, change)
    before = snapshot(ckpt)
    text = corpus(tmp / "c", chars=3000)
    run = ghostpen("eval", "bpc", "--model", str(ckpt), "--text", str(text))
    return refused(run, before, snapshot(ckpt), *words)


@probe("meta-params-outside", "meta.json naming ../../outside.params")
def _meta_outside(tmp: Path) -> Outcome:
    return _bad_model(
        tmp,
        lambda m: m["files"].update(params="../../outside.params"),
        "files.params must be a plain file name inside the checkpoint folder",
        "../../outside.params",
    )


@probe("meta-params-absolute", "meta.json naming an absolute path")
def _meta_absolute(tmp: Path) -> Outcome:
    return _bad_model(
        tmp,
        lambda m: m["files"].update(params="/etc/passwd"),
        "files.params must be a plain file name inside the checkpoint folder",
        "/etc/passwd",
    )


@probe("meta-deeply-nested", "meta.json nested 100,000 levels deep")
def _meta_nested(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    (ckpt / "meta.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    before = snapshot(ckpt)
    run = ghostpen("eval", "bpc", "--model", str(ckpt), "--text", str(corpus(tmp / "c", 3000)))
    return refused(run, before, snapshot(ckpt), "meta.json")


@probe("meta-mistyped", "meta.json with a number where the vocabulary should be")
def _meta_mistyped(tmp: Path) -> Outcome:
    return _bad_model(tmp, lambda m: m.update(vocab=42), "vocab")


@probe("meta-model-mistyped", "meta.json with a string for num_hidden")
def _meta_model_mistyped(tmp: Path) -> Outcome:
    return _bad_model(tmp, lambda m: m["model"].update(num_hidden="many"), "num_hidden")


@probe("meta-version", "meta.json from a future format version")
def _meta_version(tmp: Path) -> Outcome:
    return _bad_model(tmp, lambda m: m.update(format_version=99), "version 99")


@probe("meta-version-string", 'meta.json with format_version "1" (a string)')
def _meta_version_string(tmp: Path) -> Outcome:
    outcome = _bad_model(tmp, lambda m: m.update(format_version="1"), "format_version")
    if "version 1 is not supported" in outcome.message:  # the old self-contradicting message
        outcome.ok = False
    return outcome


@probe("params-truncated", "an older checkpoint (no run-time weights), params cut in half")
def _params_truncated(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    meta = json.loads((ckpt / "meta.json").read_text(encoding="utf-8"))
    params = ckpt / meta["files"]["params"]
    params.write_bytes(params.read_bytes()[: params.stat().st_size // 2])
    (ckpt / meta["files"]["runtime"]).unlink()  # as saved before the run-time format

    def older(m: dict) -> None:
        m.get("sha256", {}).clear()
        m["files"].pop("runtime")
        m.pop("runtime")

    edit_meta(ckpt, older)
    return _bpc_refused(tmp, ckpt, "cannot load")


@probe("weights-truncated", "run-time weights (.npz) cut in half (no hash in meta.json)")
def _weights_truncated(tmp: Path) -> Outcome:
    ckpt = tiny_checkpoint(tmp)
    meta = json.loads((ckpt / "meta.json").read_text(encoding="utf-8"))
    weights = ckpt / meta["files"]["runtime"]
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    edit_meta(ckpt, lambda m: m.get("sha256", {}).clear())
    return _bpc_refused(tmp, ckpt, weights.name)


@probe("weights-pickled", "run-time weights replaced by an .npz holding pickled objects")
def _weights_pickled(tmp: Path) -> Outcome:
    import numpy as np

    ckpt = tiny_checkpoint(tmp)
    meta = json.loads((ckpt / "meta.json").read_text(encoding="utf-8"))
    weights = ckpt / meta["files"]["runtime"]
    with np.load(weights) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["emb"] = np.array([{"x": 1}] * len(arrays["emb"]), dtype=object)
    with open(weights, "wb") as fh:
        np.savez(fh, **arrays)
    edit_meta(ckpt, lambda m: m.get("sha256", {}).clear())
    return _bpc_refused(tmp, ckpt, "pickled")


def _bpc_refused(tmp: Path, ckpt: Path, words: str) -> Outcome:
    """`eval bpc` on `ckpt`: refused with `words` in one message, no traceback, nothing changed."""
    before = snapshot(ckpt)
    run = ghostpen("eval", "bpc", "--model", str(ckpt), "--text", str(corpus(tmp / "c", 3000)))
    outcome = refused(run, before, snapshot(ckpt), words)
    if "Traceback" in outcome.message:
        outcome.ok = False
    return outcome


# --- evals with bad flags or files ---------------------------------------------------------------
@probe("eval-ksr-missing-text", "eval ksr --text of a file that does not exist")
def _ksr_missing(tmp: Path) -> Outcome:
    run = ghostpen("eval", "ksr", "--text", str(tmp / "missing.txt"))
    return refused(run, {}, {}, "missing.txt")


@probe("eval-ksr-habits-missing", "eval ksr --habits-from a file that does not exist")
def _ksr_habits_missing(tmp: Path) -> Outcome:
    text = corpus(tmp / "c", chars=3000)
    run = ghostpen("eval", "ksr", "--text", str(text), "--habits-from", str(tmp / "gone.md"))
    return refused(run, {}, {}, "gone.md")


@probe("eval-speed-empty-text", "eval speed --text of an empty file")
def _speed_empty(tmp: Path) -> Outcome:
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    run = ghostpen("eval", "speed", "--text", str(empty))
    return refused(run, {}, {}, "empty")


@probe("eval-speed-train-batch-zero", "eval speed --train-batch 0")
def _speed_batch_zero(tmp: Path) -> Outcome:
    run = ghostpen("eval", "speed", "--train-batch", "0")
    return refused(run, {}, {}, "train-batch")


@probe("eval-latency-non-ascii", "eval latency typing é, ß, €, emoji, CJK and combining marks")
def _latency_non_ascii(tmp: Path) -> Outcome:
    text = tmp / "unicode.txt"
    text.write_text("Grüße, café € 😀 日本語 e\u0301 naïve\tend\n" * 20, encoding="utf-8")
    run = ghostpen("eval", "latency", "--fake-engine", "--text", str(text), "--chars", "60",
                   "--prefix", "100", "--cps", "50", "--json")  # fmt: skip
    try:
        result = json.loads(run.out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return Outcome(False, f"no JSON (rc {run.rc}): {run.last_line}", [], run.traceback)
    ok = run.rc == 0 and result.get("typed_exactly") is True and not run.traceback
    return Outcome(ok, f"rc {run.rc}, typed exactly: {result.get('typed_exactly')}")


@probe("eval-ksr-beam-negative", "eval ksr --beam -1")
def _ksr_beam(tmp: Path) -> Outcome:
    text = corpus(tmp / "c", chars=3000)
    run = ghostpen("eval", "ksr", "--text", str(text), "--beam", "-1")
    return refused(run, {}, {}, "beam")


@probe("train-twice-one-folder", "two trainings into one --out at the same time")
def _train_twice(tmp: Path) -> Outcome:
    import signal
    import subprocess
    import sys

    from ghostpen.evals.probes import CHILD_TIMEOUT_S, child_env

    text, out = corpus(tmp / "c", chars=20000), tmp / "m"
    first = subprocess.Popen(
        [sys.executable, "-m", "ghostpen", "train", "--corpus", str(text), "--out", str(out),
         "--progress", "json", "--minutes", "2", *TINY],
        env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = first.stdout.readline()  # the first progress line: it holds the folder now
        if not line:
            return Outcome(False, f"the first training did not start: {first.stderr.read()[-300:]}")
        run = ghostpen("train", "--corpus", str(text), "--out", str(out), *TINY)
        outcome = refused(run, {}, {}, str(first.pid))
    finally:
        first.send_signal(signal.SIGINT)
        try:
            _, err = first.communicate(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            first.kill()
            _, err = first.communicate()
    if first.returncode != 0 or "Traceback" in err:
        outcome.ok = False
        outcome.message += f"; the first training ended badly (rc {first.returncode})"
    return outcome


# --- the editor, offscreen in a child process (evals/probe_editor.py) -------------------------
def _editor_probe(name: str) -> None:
    from ghostpen.evals.probe_editor import SCENARIOS
    from ghostpen.evals.probes import python

    def run_scenario(tmp: Path) -> Outcome:
        run = python("-m", "ghostpen.evals.probe_editor", name, str(tmp))
        try:
            result = json.loads(run.out.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            return Outcome(False, f"no result (rc {run.rc}): {run.last_line}", [], run.traceback)
        ok = bool(result.get("ok")) and run.rc == 0 and not run.traceback
        return Outcome(ok, str(result.get("message", "")), [], run.traceback)

    probe(f"editor-{name}", (SCENARIOS[name].__doc__ or name).strip())(run_scenario)


for _name in ("unedited-save", "hard-link-save", "changed-on-disk", "deleted-on-disk",
              "recovery-root-is-a-file", "stray-bytes", "binary-file",
              "habits-corrupt-store"):  # fmt: skip
    _editor_probe(_name)


# --- ghostpen launch: hosts files, bounds, hosts ssh cannot reach (evals/probe_launch.py) -------
def _launch_probes() -> None:
    from ghostpen.evals import probe_launch  # registers them

    del probe_launch


_launch_probes()


# --- GAN training and avatars (their probes live in evals/probe_gan.py) ------------------------
from ghostpen.evals import probe_gan  # noqa: E402, F401  (importing registers them)
