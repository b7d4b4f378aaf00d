"""A tiny DCGAN training for the launcher tests: one worker of `ghostpen launch` (or one process).

    python gan_worker_tiny.py IMAGES.npz OUT [KVSTORE]

Trains a DCGAN with ngf = ndf = 4 for two epochs and writes OUT/rank<R>.npz (its final
generator "g.*" and discriminator "d.*" arrays, BatchNorm statistics included); rank 0 also
writes the checkpoint OUT/ckpt with its sample grids.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

TINY = dict(latent=8, ngf=4, ndf=4)
FAST = dict(batch_size=16, epochs=2, report_every=1)


def train_tiny(images: Path, out: Path, dist=None) -> int:
    """Train, write the rank's arrays; returns the rank."""
    from ghostpen.model.archs import dcgan
    from ghostpen.model.archs.dcgan import GanConfig
    from ghostpen.training.dist import Dist
    from ghostpen.training.gan import GanTrainConfig, train_gan
    from ghostpen.training.images import load_images

    dist = dist or Dist()
    nets: list = []
    build = dcgan.build_generator, dcgan.build_discriminator
    try:  # keep the two nets train_gan builds, to read their final weights
        dcgan.build_generator = lambda c: nets.append(build[0](c)) or nets[-1]
        dcgan.build_discriminator = lambda c: nets.append(build[1](c)) or nets[-1]
        train_gan(GanConfig(**TINY), GanTrainConfig(**FAST), load_images(images), out / "ckpt",
                  dist=dist)  # fmt: skip
    finally:
        dcgan.build_generator, dcgan.build_discriminator = build
    arrays = {
        f"{n}.{k}": v
        for n, net in zip("gd", nets, strict=True)
        for k, v in dcgan.weights(net).items()
    }
    np.savez(out / f"rank{dist.rank}.npz", **arrays)
    return dist.rank


def main(argv: list[str] | None = None) -> int:
    from ghostpen.training.dist import Dist

    args = sys.argv[1:] if argv is None else argv
    rank = train_tiny(Path(args[0]), Path(args[1]), Dist(args[2] if len(args) > 2 else None))
    print(f"rank {rank} done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
