"""Avatars from names and styles: stable across machines, different names differ, the CLI."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from PIL import Image

from ghostpen.cli import main
from ghostpen.model.avatars import AvatarModel, export_image, name_latent, name_style

# Pinned: the latent of a name is part of the generator's contract (a user's avatar must not
# change with numpy or the machine). Changing how names are hashed changes these on purpose.
ADA_FIRST6 = [1.5712592601776123, -0.7714090347290039, -0.9967871308326721,
              -0.2002875655889511, 0.4373287260532379, -1.6742461919784546]  # fmt: skip
ADA_150_SHA256 = "368ff03ccddbc266e1d574240dc60bad255782f27903fddfaaaafb86306923fc"


def test_name_latent_is_pinned_and_normalised():
    assert name_latent("Ada Lovelace", 6).tolist() == ADA_FIRST6
    z = name_latent("  ＡＤＡ \t lovelace ", 150)  # fullwidth, case, spaces: the same name
    assert hashlib.sha256(z.tobytes()).hexdigest() == ADA_150_SHA256
    assert name_style("Ada Lovelace", 3) == 2


def test_names_differ_and_look_gaussian():
    zs = np.stack([name_latent(f"person {i}", 128) for i in range(200)])
    assert len({z.tobytes() for z in zs}) == 200
    assert abs(zs.mean()) < 0.02 and abs(zs.std() - 1.0) < 0.02
    with pytest.raises(ValueError, match="empty"):
        name_latent(" \t", 8)


def test_a_conditional_generator_draws_each_style(tiny_cgan):
    model = AvatarModel.load(tiny_cgan)
    assert model.styles == ("pixel-art", "open-peeps", "personas")
    a, style = model.for_name("Ada Lovelace", "pixel-art")
    assert style == "pixel-art" and a.shape == (64, 64, 3)
    b, _ = model.for_name("ada lovelace", "pixel-art")
    c, _ = model.for_name("Ada Lovelace", "personas")
    d, _ = model.for_name("Alan Turing", "pixel-art")
    assert np.array_equal(a, b) and not np.array_equal(a, c) and not np.array_equal(a, d)
    _, any_style = model.for_name("Ada Lovelace", "any")
    assert any_style == model.styles[name_style("Ada Lovelace", 3)]
    with pytest.raises(ValueError, match="unknown style 'cubism'"):
        model.generate(0, 2, "cubism")


def test_unconditional_generators_take_only_any(tiny_gan):
    model = AvatarModel.load(tiny_gan)
    assert model.styles == () and model.generate(1, 2, "any").shape == (2, 64, 64, 3)
    with pytest.raises(ValueError, match="no styles"):
        model.generate(1, 2, "personas")


def test_export_sizes_nearest_for_pixel_art():
    img = np.zeros((64, 64, 3), np.uint8)
    img[::2, ::2] = 255  # a checkerboard: nearest neighbour keeps only 0 and 255
    pix = np.asarray(export_image(img, 256, "pixel-art"))
    smooth = np.asarray(export_image(img, 256, "personas"))
    assert pix.shape == smooth.shape == (256, 256, 3)
    assert set(np.unique(pix)) == {0, 255} and len(np.unique(smooth)) > 2
    with pytest.raises(ValueError, match="64, 128, 256, 512"):
        export_image(img, 100, "personas")


def test_cli_name_style_and_size(tiny_cgan, tmp_path, capsys):
    out = tmp_path / "ada.png"
    args = ["avatars", "--model", str(tiny_cgan), "--name", "Ada Lovelace", "--out", str(out)]
    assert main([*args, "--style", "pixel-art", "--size", "512"]) == 0
    said = capsys.readouterr().out
    assert "wrote the avatar of 'Ada Lovelace' (pixel-art)" in said and str(out) in said
    first = np.asarray(Image.open(out))
    assert first.shape == (512, 512, 3)
    assert main([*args, "--style", "pixel-art", "--size", "512"]) == 0
    assert np.array_equal(first, np.asarray(Image.open(out)))
    grid = tmp_path / "g.png"
    assert main(["avatars", "--model", str(tiny_cgan), "--style", "open-peeps", "--n", "4",
                 "--out", str(grid)]) == 0  # fmt: skip
    assert "wrote 4 avatars" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--n", "1025"], "at most 1024"),
        (["--steps", "257"], "at most 256"),
        (["--scale", "17"], "at most 16"),
        (["--size", "300"], "choose one of 64, 128, 256, 512"),
        (["--n", "1024", "--scale", "16"], "use a smaller --n or --scale"),
        (["--style", "cubism"], "unknown style 'cubism'"),
        (["--name", "  "], "the name is empty"),
    ],
)
def test_cli_bounds_are_messages(tiny_cgan, tmp_path, capsys, extra, match):
    out = tmp_path / "x.png"
    try:
        rc = main(["avatars", "--model", str(tiny_cgan), "--out", str(out), *extra])
    except SystemExit as exc:  # argparse's usage error
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == 2 and match in err and "Traceback" not in err and not out.exists()


def test_cli_export_onto_a_file_says_so(tiny_cgan, tmp_path, capsys):
    target = tmp_path / "keep.txt"
    target.write_text("keep", encoding="utf-8")
    assert main(["avatars", "--model", str(tiny_cgan), "--export", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err and target.read_text() == "keep"
