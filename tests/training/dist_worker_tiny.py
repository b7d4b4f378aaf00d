"""A tiny training for the launcher tests: one worker of `ghostpen launch` (or one process).

    python dist_worker_tiny.py CORPUS OUT [KVSTORE]

Trains a tiny LSTM for one epoch and writes OUT/rank<R>.npz (its final parameters, in order)
and OUT/rank<R>.json (its step losses and last validation bpc); rank 0 also the checkpoint.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

TINY = dict(num_embed=8, num_hidden=16, num_layers=1, dropout=0.0)
FAST = dict(seq_len=20, batch_size=4, lr=1e-2, valid_fraction=0.2, epochs=1)


def train_tiny(text: str, out: Path, dist=None, **overrides) -> int:
    """Train, write the rank's files; returns the rank."""
    from ghostpen.model.config import ModelConfig
    from ghostpen.training.config import TrainConfig
    from ghostpen.training.dist import Dist
    from ghostpen.training.loop import StopFlag, _Run
    from ghostpen.training.plan import plan_run

    seen: list[dict] = []
    config = TrainConfig(**{**FAST, **overrides})
    run = _Run(plan_run(ModelConfig(**TINY), config, text, out / "ckpt"), dist or Dist())
    run.run(seen.append, StopFlag())
    rank = run.dist.rank
    params = [p.data().asnumpy() for p in run.net.collect_params().values()]
    np.savez(out / f"rank{rank}.npz", *params)
    losses = [e["loss"] for e in seen if e["event"] == "step"]
    valid = [e["val_bpc"] for e in seen if e["event"] == "valid"]
    (out / f"rank{rank}.json").write_text(json.dumps({"losses": losses, "valid": valid}))
    return rank


def main(argv: list[str] | None = None) -> int:
    from ghostpen.training.dist import Dist

    args = sys.argv[1:] if argv is None else argv
    text = Path(args[0]).read_text(encoding="utf-8") * 3
    epochs = int(args[3]) if len(args) > 3 else 1
    rank = train_tiny(text, Path(args[1]), Dist(args[2] if len(args) > 2 else None), epochs=epochs)
    print(f"rank {rank} done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
