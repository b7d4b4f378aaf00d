"""Run-time weights (model/runtime.py): written with every save, read without MXNet, bad files
refused with their name, older checkpoints converted once (or a one-line message)."""

import json
import sys
import zipfile

import numpy as np
import pytest

from ghostpen.model import runtime
from ghostpen.model.checkpoint import CheckpointError, read_checkpoint, save_checkpoint
from ghostpen.model.fast import FastModel


def _copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def _replace_runtime(path, data: bytes):
    """Put `data` in place of the checkpoint's run-time file (and its sha256 in meta.json)."""
    import hashlib

    meta = json.loads((path / "meta.json").read_text())
    name = meta["files"]["runtime"]
    (path / name).write_bytes(data)
    meta["sha256"][name] = hashlib.sha256(data).hexdigest()
    (path / "meta.json").write_text(json.dumps(meta))
    return path / name


def _npz(**arrays) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_every_save_writes_runtime_weights_that_decode_like_the_network(tiny_model, tmp_path):
    from ghostpen.model.checkpoint import load_model

    ckpt = read_checkpoint(tiny_model)
    assert ckpt.runtime == {"file": ckpt.files["runtime"], "dtype": "float32"}
    net, _ = load_model(tiny_model)
    fast = FastModel.from_checkpoint(tiny_model)
    gluon = FastModel.from_gluon(net)
    ids = ckpt.vocab.ids("the quick brown fox")
    got, _ = fast.feed(ids, fast.begin_state(1))
    want, _ = gluon.feed(ids, gluon.begin_state(1))
    np.testing.assert_array_equal(got, want)
    # float16 weights are stored as float16, decoded as float32
    net.cast("float16")
    save_checkpoint(tmp_path / "half", ckpt.config, ckpt.vocab, params=net)
    half = read_checkpoint(tmp_path / "half")
    assert half.runtime["dtype"] == "float16"
    with np.load(tmp_path / "half" / half.files["runtime"], allow_pickle=False) as npz:
        assert all(npz[k].dtype == np.float16 for k in npz.files)
    logits, _ = FastModel.from_checkpoint(tmp_path / "half").feed(ids, fast.begin_state(1))
    assert logits.dtype == np.float32 and np.abs(logits - want).max() < 0.05


def test_a_resume_save_that_keeps_the_best_weights_keeps_their_runtime_file(tiny_model, tmp_path):
    path = _copy(tiny_model, tmp_path / "m")
    ckpt = read_checkpoint(path)
    files = save_checkpoint(path, ckpt.config, ckpt.vocab, keep={"params": ckpt.files["params"]})
    assert files["runtime"] == ckpt.files["runtime"]
    assert read_checkpoint(path).runtime["file"] == ckpt.files["runtime"]
    FastModel.from_checkpoint(path)


def _bad_files(ckpt):
    shapes = runtime.get(ckpt.config.arch).shapes(ckpt.config)
    good = {k: np.zeros(s, np.float32) for k, s in shapes.items()}
    wrong_shape = dict(good, emb=np.zeros((3, 3), np.float32))
    wrong_dtype = dict(good, emb=np.zeros(shapes["emb"], np.int32))
    objects = dict(good, emb=np.array([{"x": 1}] * shapes["emb"][0], dtype=object))
    full = _npz(**good)
    return {
        "shape": (_npz(**wrong_shape), "has shape"),
        "dtype": (_npz(**wrong_dtype), "int32"),
        "truncated": (full[: len(full) // 2], "truncated"),
        "pickled objects": (_npz(**objects), "pickled"),
        "a pickle": (b"\x80\x04\x95" + b"\x00" * 64, "not a valid weights file"),
        "missing array": (_npz(**{k: v for k, v in good.items() if k != "emb"}), "lacks"),
        "extra array": (_npz(**good, extra=np.zeros(2, np.float32)), "unexpected"),
        "one .npy": (_npy(good["emb"]), "single array"),
    }


def _npy(array) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "case",
    ["shape", "dtype", "truncated", "pickled objects", "a pickle", "missing array",
     "extra array", "one .npy"],
)  # fmt: skip
def test_a_bad_runtime_file_is_refused_with_its_name(tiny_model, tmp_path, case):
    path = _copy(tiny_model, tmp_path / "m")
    data, words = _bad_files(read_checkpoint(path))[case]
    file = _replace_runtime(path, data)
    before = {f.name: f.read_bytes() for f in path.iterdir()}
    with pytest.raises(CheckpointError) as info:
        FastModel.from_checkpoint(path)
    message = str(info.value)
    assert str(file) in message and words in message and "\n" not in message
    assert {f.name: f.read_bytes() for f in path.iterdir()} == before  # nothing changed


def test_a_truncated_runtime_file_is_caught_by_its_checksum_too(tiny_model, tmp_path):
    path = _copy(tiny_model, tmp_path / "m")
    file = path / read_checkpoint(path).files["runtime"]
    file.write_bytes(file.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        FastModel.from_checkpoint(path)


def _strip_runtime(path):
    """Make `path` look like a checkpoint saved before the run-time format."""
    meta = json.loads((path / "meta.json").read_text())
    name = meta["files"].pop("runtime")
    meta["sha256"].pop(name)
    meta.pop("runtime")
    (path / name).unlink()
    (path / "meta.json").write_text(json.dumps(meta))


def test_an_older_checkpoint_is_converted_once_with_mxnet(tiny_model, tmp_path):
    path = _copy(tiny_model, tmp_path / "old")
    base = FastModel.from_checkpoint(tiny_model)
    want, _ = base.feed([3, 4, 5], base.begin_state(1))
    _strip_runtime(path)
    model = FastModel.from_checkpoint(path)
    ckpt = read_checkpoint(path)
    assert "runtime" in ckpt.files and ckpt.runtime["dtype"] == "float32"
    got, _ = model.feed([3, 4, 5], model.begin_state(1))
    np.testing.assert_array_equal(got, want)
    name = ckpt.files["runtime"]
    FastModel.from_checkpoint(path)  # once: the second load reads the file
    assert read_checkpoint(path).files["runtime"] == name


def test_an_older_read_only_checkpoint_decodes_from_memory(tiny_model, tmp_path, monkeypatch):
    path = _copy(tiny_model, tmp_path / "old")
    _strip_runtime(path)

    def refuse(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("ghostpen.model.checkpoint.attach_runtime", refuse)
    FastModel.from_checkpoint(path)
    assert "runtime" not in read_checkpoint(path).files


def test_an_older_checkpoint_without_mxnet_says_which_model_and_how(tiny_model, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    path = _copy(tiny_model, tmp_path / "old")
    _strip_runtime(path)
    monkeypatch.setitem(sys.modules, "mxnet", None)  # MXNet unimportable
    with pytest.raises(CheckpointError) as info:
        FastModel.from_checkpoint(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert "no run-time weights" in message and "MXNet" in message and "convert" in message


def test_runtime_files_hold_no_pickle(tiny_model):
    file = tiny_model / read_checkpoint(tiny_model).files["runtime"]
    with zipfile.ZipFile(file) as zf:
        assert all(name.endswith(".npy") for name in zf.namelist())
    with np.load(file, allow_pickle=False) as npz:
        assert all(npz[k].dtype == np.float32 for k in npz.files)


def test_export_half_ships_float16_runtime_weights(tiny_model, tmp_path):
    from ghostpen.training.export import export_checkpoint

    export_checkpoint(tiny_model, tmp_path / "shipped", half=True)
    ckpt = read_checkpoint(tmp_path / "shipped")
    assert set(ckpt.files) == {"params", "runtime"} and ckpt.runtime["dtype"] == "float16"
    model = FastModel.from_checkpoint(tmp_path / "shipped")
    logits, _ = model.feed([3, 4], model.begin_state(1))
    assert logits.dtype == np.float32 and np.isfinite(logits).all()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m["runtime"].update(file="other.npz"), "is not the file files.runtime names"),
        (lambda m: m["runtime"].update(dtype="float64"), "runtime.dtype must be"),
        (lambda m: m["runtime"].update(file="../x.npz"), "plain file name"),
        (lambda m: m.update(runtime=[]), "runtime must be an object"),
    ],
)
def test_meta_json_runtime_entry_is_checked(tiny_model, tmp_path, change, words):
    path = _copy(tiny_model, tmp_path / "m")
    meta = json.loads((path / "meta.json").read_text())
    change(meta)
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match=words):
        FastModel.from_checkpoint(path)


def test_an_older_checkpoint_in_use_is_not_written(tiny_model, tmp_path):
    """A training (or wordlm build) holding the folder's lock: decoded from memory instead."""
    from ghostpen.model.folderlock import hold_folder

    path = _copy(tiny_model, tmp_path / "old")
    _strip_runtime(path)
    with hold_folder(path):
        FastModel.from_checkpoint(path)
        assert "runtime" not in read_checkpoint(path).files
        assert not any(f.name.startswith("weights-") for f in path.iterdir())
    FastModel.from_checkpoint(path)  # free again: converted now
    assert "runtime" in read_checkpoint(path).files
