"""`ghostpen avatars`: draw avatars with a DCGAN generator (the shipped one by default).

    ghostpen avatars --out grid.png                      # 8 avatars, seed 0, one grid
    ghostpen avatars --n 16 --seed 7 --out grid.png --scale 2
    ghostpen avatars --seed 7 --separate faces/          # faces/avatar-7-00.png ...
    ghostpen avatars --interpolate 3 9 --steps 8 --out path.png
    ghostpen avatars --model runs/cc32 --export assets/models/avatars   # ship a generator

`--interpolate A B` slides (spherically) from avatar 0 of seed A to avatar 0 of seed B. No
MXNet is needed: the generator runs in numpy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ghostpen.argtypes import non_negative_int, positive_int


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="generator checkpoint folder (default: the shipped one)")
    p.add_argument("--n", type=positive_int, default=8, help="how many avatars (8)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="same seed, same faces")
    p.add_argument("--out", help="grid PNG to write")
    p.add_argument("--separate", metavar="DIR", help="write one PNG per avatar into DIR")
    p.add_argument("--interpolate", nargs=2, type=non_negative_int, metavar=("A", "B"))
    p.add_argument("--steps", type=positive_int, default=8, help="images on the path (8)")
    p.add_argument("--cols", type=positive_int, default=8, help="grid columns (8)")
    p.add_argument("--scale", type=positive_int, default=1, help="enlarge (nearest) x N")
    p.add_argument("--export", metavar="DIR", help="copy the generator only (float16) to DIR")
    p.add_argument("--float32", action="store_true", help="with --export: keep float32")
    p.add_argument("--credit", default="", help="with --export: the data's attribution line")


def _fail(msg: str) -> int:
    print(f"ghostpen avatars: {msg}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from ghostpen.model.avatars import AvatarModel, grid_image
    from ghostpen.model.gan_checkpoint import GanCheckpointError, export_generator

    if args.export:
        if not args.model:
            return _fail("--export needs --model (the training checkpoint to copy from)")
        dst = Path(args.export)
        if dst.exists() and any(p.name != "meta.json" and not p.name.startswith("generator-")
                                for p in dst.iterdir()):  # fmt: skip
            return _fail(f"{dst} holds other files; export into a new or generator-only folder")
        try:
            export_generator(args.model, dst, float16=not args.float32, credit=args.credit)
        except (GanCheckpointError, OSError) as exc:
            return _fail(str(exc))
        print(f"exported the generator to {dst}", file=sys.stderr)
        return 0
    if not args.out and not args.separate:
        return _fail("say where to write: --out FILE.png and/or --separate DIR")
    try:
        model = AvatarModel.load(args.model)
    except GanCheckpointError as exc:
        return _fail(str(exc))
    if args.interpolate:
        a, b = args.interpolate
        images = model.interpolate(model.latents(a, 1)[0], model.latents(b, 1)[0], args.steps)
        names = [f"interp-{a}-{b}-{i:02d}.png" for i in range(len(images))]
    else:
        images = model.generate(args.seed, args.n)
        names = [f"avatar-{args.seed}-{i:02d}.png" for i in range(len(images))]
    try:
        if args.out:
            out = Path(args.out)
            if out.suffix.lower() != ".png":
                return _fail(f"{out}: the grid is written as PNG; name it FILE.png")
            grid_image(images, cols=args.cols, scale=args.scale).save(out, format="PNG")
        if args.separate:
            from PIL import Image

            folder = Path(args.separate)
            folder.mkdir(parents=True, exist_ok=True)
            for im, name in zip(images, names, strict=True):
                img = Image.fromarray(im)
                if args.scale > 1:
                    img = img.resize((64 * args.scale, 64 * args.scale), Image.NEAREST)
                img.save(folder / name, format="PNG")
    except OSError as exc:
        return _fail(f"cannot write ({exc.strerror or exc}): {exc.filename or ''}".rstrip(": "))
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["avatars"], argv)


if __name__ == "__main__":
    sys.exit(main())
