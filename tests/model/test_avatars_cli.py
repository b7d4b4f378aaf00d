"""`ghostpen avatars`: grids, separate files, interpolation, export; messages for bad input."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ghostpen.cli import main
from ghostpen.model.gan_checkpoint import read_gan_checkpoint


def test_grid_separate_and_same_seed(tiny_gan, tmp_path):
    m = ["--model", str(tiny_gan)]
    assert main(["avatars", *m, "--seed", "3", "--out", str(tmp_path / "a.png")]) == 0
    assert main(["avatars", *m, "--seed", "3", "--out", str(tmp_path / "b.png")]) == 0
    a, b = (np.asarray(Image.open(tmp_path / f)) for f in ("a.png", "b.png"))
    assert a.shape == (2 + 66, 2 + 8 * 66, 3) and np.array_equal(a, b)
    assert main(["avatars", *m, "--n", "3", "--separate", str(tmp_path / "s")]) == 0
    files = sorted((tmp_path / "s").iterdir())
    assert [f.name for f in files] == [f"avatar-0-0{i}.png" for i in range(3)]
    assert Image.open(files[0]).size == (64, 64)


def test_interpolate_and_export(tiny_gan, tmp_path):
    m = ["--model", str(tiny_gan)]
    out = tmp_path / "path.png"
    assert main(["avatars", *m, "--interpolate", "1", "2", "--steps", "5", "--out", str(out)]) == 0
    assert Image.open(out).size == (2 + 5 * 66, 68)
    assert main(["avatars", *m, "--export", str(tmp_path / "ship"), "--credit", "by X"]) == 0
    shipped = read_gan_checkpoint(tmp_path / "ship")
    assert set(shipped.files) == {"generator"} and shipped.dataset["credit"] == "by X"
    assert main(["avatars", "--model", str(tmp_path / "ship"), "--out", str(out)]) == 0


def test_bad_arguments_are_messages(tiny_gan, tmp_path, capsys):
    assert main(["avatars", "--model", str(tiny_gan)]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["avatars", "--model", str(tmp_path), "--out", str(tmp_path / "x.png")]) == 2
    assert "meta.json" in capsys.readouterr().err
    bad = tmp_path / "no" / "such" / "dir" / "x.png"
    assert main(["avatars", "--model", str(tiny_gan), "--out", str(bad)]) == 2
    assert "cannot write" in capsys.readouterr().err
