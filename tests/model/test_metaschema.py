"""meta.json is checked against its schema before use: every bad value becomes a message."""

from __future__ import annotations

import json
import shutil

import pytest

from ghostpen.model.checkpoint import (
    FORMAT,
    FORMAT_VERSION,
    CheckpointError,
    default_model_path,
    read_checkpoint,
)
from ghostpen.model.config import ModelConfig
from ghostpen.model.metaschema import MetaError, parse_meta


def good_meta() -> dict:
    return json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))


def parse(meta) -> dict:
    raw = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    return parse_meta(raw, FORMAT, FORMAT_VERSION, ModelConfig)


def test_the_bundled_meta_passes():
    assert parse(good_meta())["model"]["arch"] == "lstm"


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda m: m.update(format_version="1"), "format_version must be an integer"),
        (lambda m: m.update(format_version=True), "format_version must be an integer"),
        (lambda m: m.update(format_version=7), "version 7 is not supported: this ghostpen reads 1"),
        (lambda m: m.update(vocab=42), "vocab must be a list"),
        (lambda m: m.update(vocab=["a", 3]), "vocab must be a list of strings"),
        (lambda m: m["model"].update(num_hidden="many"), "model.num_hidden must be an integer"),
        (lambda m: m["model"].update(num_hidden=2**40), "model.num_hidden is out of range"),
        (lambda m: m["model"].update(dropout=float("nan")), "model.dropout must be a finite"),
        (lambda m: m["model"].update(dropout=True), "model.dropout must be"),
        (lambda m: m["model"].update(colour="red"), "unknown setting 'colour'"),
        (lambda m: m.update(model=[1, 2]), "model must be an object"),
        (lambda m: m.update(files="model.params"), "files must be an object"),
        (lambda m: m["files"].update(params="../../outside.params"), "plain file name"),
        (lambda m: m["files"].update(params="/etc/passwd"), "plain file name"),
        (lambda m: m["files"].update(params="sub/x.params"), "plain file name"),
        (lambda m: m["files"].update(params=".."), "plain file name"),
        (lambda m: m["files"].update(params=5), "files.params must be a string"),
        (lambda m: m.update(sha256={"x.params": "abc"}), "64 lowercase hex"),
        (lambda m: m.update(training=[]), "training must be an object"),
        (lambda m: m.pop("vocab"), "lacks 'vocab'"),
    ],
)
def test_bad_values_are_named(change, words):
    meta = good_meta()
    change(meta)
    with pytest.raises(MetaError) as info:
        parse(meta)
    # the version sentence reads "this ghostpen reads version 1"
    assert words.replace("reads 1", f"reads version {FORMAT_VERSION}") in str(info.value)


@pytest.mark.parametrize(
    "raw, words",
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"{", "corrupt \\(not valid JSON"),
        (b"\xff\xfe", "corrupt \\(not UTF-8"),
        (b"[1, 2]", "must hold a JSON object, not list"),
        (b'{"format": "other"}', "not a ghostpen model"),
    ],
)
def test_bad_json_is_named(raw, words):
    with pytest.raises(MetaError, match=words):
        parse(raw)


def test_read_checkpoint_reports_the_file_and_the_key(tmp_path):
    ckpt = shutil.copytree(default_model_path(), tmp_path / "m")
    meta = good_meta()
    meta["files"]["params"] = "../../outside.params"
    (ckpt / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"meta.json: files.params must be a plain file"):
        read_checkpoint(ckpt)


def test_a_symlink_out_of_the_folder_is_not_read(tmp_path):
    ckpt = shutil.copytree(default_model_path(), tmp_path / "m")
    meta = good_meta()
    outside = tmp_path / "outside.params"
    shutil.copy(ckpt / meta["files"]["params"], outside)
    (ckpt / "evil.params").symlink_to(outside)
    meta["files"]["params"] = "evil.params"
    meta["sha256"].pop(next(iter(meta["sha256"])))
    (ckpt / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(CheckpointError, match="outside the checkpoint folder"):
        read_checkpoint(ckpt)


def test_truncated_params_say_why_not_traceback(tmp_path):
    from ghostpen.model.checkpoint import load_model

    ckpt = shutil.copytree(default_model_path(), tmp_path / "m")
    meta = good_meta()
    params = ckpt / meta["files"]["params"]
    params.write_bytes(params.read_bytes()[:3000])
    meta["sha256"] = {}
    (ckpt / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(CheckpointError) as info:
        load_model(ckpt)
    assert "Traceback" not in str(info.value)
    assert "truncated, or not a parameter file" in str(info.value)
