"""`ghostpen avatars`: draw avatars with a DCGAN generator (the shipped one by default).

    ghostpen avatars --out grid.png                      # 8 avatars, seed 0, one grid
    ghostpen avatars --style pixel-art --n 16 --seed 7 --out grid.png --scale 2
    ghostpen avatars --name "Ada Lovelace" --style personas --size 256 --out ada.png
    ghostpen avatars --seed 7 --separate faces/          # faces/avatar-7-00.png ...
    ghostpen avatars --interpolate 3 9 --steps 8 --out path.png
    ghostpen avatars --model runs/cc32 --export assets/models/avatars   # ship a generator

`--style` is one of the generator's styles (the shipped one: pixel-art, open-peeps, personas) or
"any". `--name` draws the one avatar of that name (the same on every machine, see
`model/avatars.py`) at `--size` pixels (64, 128, 256, 512; nearest neighbour for pixel-art,
smooth for the others). `--interpolate A B` slides (spherically) from avatar 0 of seed A to
avatar 0 of seed B. Every run says what it wrote. No MXNet is needed: the generator runs in
numpy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ghostpen.argtypes import non_negative_int, positive_int

MAX_N = 1024  # avatars in one run
MAX_STEPS = 256  # images on an interpolation path
MAX_SCALE = 16  # grid enlargement
MAX_COLS = 64
MAX_GRID_PIXELS = 64_000_000  # a grid PNG larger than this is refused before drawing


def _bounded(limit: int, what: str):
    def parse(text: str) -> int:
        value = positive_int(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"at most {limit} {what}, not {value}")
        return value

    return parse


def _size(text: str) -> int:
    from ghostpen.model.avatars import EXPORT_SIZES

    value = positive_int(text)
    if value not in EXPORT_SIZES:
        raise argparse.ArgumentTypeError(f"choose one of {', '.join(map(str, EXPORT_SIZES))}")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="generator checkpoint folder (default: the shipped one)")
    p.add_argument("--style", default="any",
                   help="pixel-art, open-peeps, personas or any (the default)")  # fmt: skip
    p.add_argument("--name", help="the avatar of this name (one PNG, see --size)")
    p.add_argument("--size", type=_size, default=256, help="--name's PNG: 64/128/256/512 (256)")
    p.add_argument("--n", type=_bounded(MAX_N, "avatars"), default=8, help="how many (8)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="same seed, same faces")
    p.add_argument("--out", help="PNG to write (a grid, or --name's avatar)")
    p.add_argument("--separate", metavar="DIR", help="write one PNG per avatar into DIR")
    p.add_argument("--interpolate", nargs=2, type=non_negative_int, metavar=("A", "B"),
                   help="a path from avatar 0 of seed A to avatar 0 of seed B")  # fmt: skip
    p.add_argument("--steps", type=_bounded(MAX_STEPS, "steps"), default=8,
                   help="images on the --interpolate path (8)")  # fmt: skip
    p.add_argument("--cols", type=_bounded(MAX_COLS, "columns"), default=8, help="columns (8)")
    p.add_argument("--scale", type=_bounded(MAX_SCALE, "times"), default=1,
                   help="enlarge the grid x N (nearest neighbour, at most 16)")  # fmt: skip
    p.add_argument("--export", metavar="DIR", help="copy the generator only (float16) to DIR")
    p.add_argument("--float32", action="store_true", help="with --export: keep float32")
    p.add_argument("--credit", default="", help="with --export: the data's attribution line")


def _fail(msg: str) -> int:
    print(f"ghostpen avatars: {msg}", file=sys.stderr)
    return 2


def _export(args) -> int:
    from ghostpen.model.gan_checkpoint import GanCheckpointError, export_generator

    if not args.model:
        return _fail("--export needs --model (the training checkpoint to copy from)")
    dst = Path(args.export)
    if dst.exists() and not dst.is_dir():
        return _fail(f"{dst} is a file; --export writes a folder (give a new folder's name)")
    if dst.is_dir() and any(p.name != "meta.json" and not p.name.startswith("generator-")
                            for p in dst.iterdir()):  # fmt: skip
        return _fail(f"{dst} holds other files; export into a new or generator-only folder")
    try:
        export_generator(args.model, dst, float16=not args.float32, credit=args.credit)
    except (GanCheckpointError, OSError) as exc:
        return _fail(str(exc))
    print(f"exported the generator to {dst}")
    return 0


def _draw(args, model) -> tuple[list, list[str], str]:
    """(images, file names, style) for the request; ValueError for a bad style or name."""
    if args.name:
        image, style = model.for_name(args.name, args.style)
        return [image], ["avatar.png"], style
    if args.interpolate:
        a, b = args.interpolate
        za, zb = model.latents(a, 1)[0], model.latents(b, 1)[0]
        images = model.interpolate(za, zb, args.steps, args.style)
        return list(images), [f"interp-{a}-{b}-{i:02d}.png" for i in range(len(images))], ""
    images = model.generate(args.seed, args.n, args.style)
    return list(images), [f"avatar-{args.seed}-{i:02d}.png" for i in range(len(images))], ""


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ghostpen.model.avatars import AvatarModel, export_image, grid_image
    from ghostpen.model.gan_checkpoint import GanCheckpointError

    if args.export:
        return _export(args)
    if not args.out and not args.separate:
        return _fail("say where to write: --out FILE.png and/or --separate DIR")
    if args.out and Path(args.out).suffix.lower() != ".png":
        return _fail(f"{args.out}: the image is written as PNG; name it FILE.png")
    count = args.steps if args.interpolate else 1 if args.name else args.n
    cols = min(args.cols, count)
    side = (66 * args.scale, 66 * args.scale * -(-count // cols))
    if not args.name and side[0] * cols * side[1] > MAX_GRID_PIXELS:
        size = f"{side[0] * cols} x {side[1]}"
        return _fail(f"a grid of {count} avatars at --scale {args.scale} would be {size} "
                     "pixels; use a smaller --n or --scale")  # fmt: skip
    try:
        model = AvatarModel.load(args.model)
        images, names, style = _draw(args, model)
    except GanCheckpointError as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc))
    written = []
    try:
        if args.out:
            out = Path(args.out)
            if args.name:
                img = export_image(images[0], args.size, style)
            else:
                img = grid_image(np.stack(images), cols=args.cols, scale=args.scale)
            img.save(out, format="PNG")
            written.append(str(out))
        if args.separate:
            from PIL import Image

            folder = Path(args.separate)
            folder.mkdir(parents=True, exist_ok=True)
            for im, name in zip(images, names, strict=True):
                img = Image.fromarray(im)
                if args.scale > 1:
                    img = img.resize((64 * args.scale, 64 * args.scale), Image.NEAREST)
                img.save(folder / name, format="PNG")
            written.append(f"{len(images)} PNG files in {folder}")
    except OSError as exc:
        return _fail(f"cannot write ({exc.strerror or exc}): {exc.filename or ''}".rstrip(": "))
    what = f"the avatar of {args.name!r} ({style})" if args.name else f"{len(images)} avatars"
    print(f"wrote {what}: {', '.join(written)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["avatars"], argv)


if __name__ == "__main__":
    sys.exit(main())
