"""Train a small character model with plain Gluon code, for tests and smoke runs of the evals.

The real trainer is `ghostpen train`; this is the minimum needed to get a checkpoint whose
predictions are better than chance on a short text, in seconds, without a corpus pipeline:
contiguous (seq, batch) windows cut at random offsets, Adam without clipping, no validation,
each step the one `TrainStep` of `ghostpen train`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ghostpen.model.config import ModelConfig
from ghostpen.model.vocab import Vocab


def train_tiny_model(
    path: str | os.PathLike,
    text: str,
    *,
    arch: str = "lstm",
    num_hidden: int = 64,
    num_layers: int = 1,
    num_embed: int = 16,
    steps: int = 300,
    seq: int = 32,
    batch: int = 16,
    lr: float = 1e-2,
    seed: int = 0,
    name: str = "tiny",
) -> Path:
    """Train a model on `text` for `steps` Adam steps and save a checkpoint at `path`."""
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()
    from mxnet import gluon

    from ghostpen.model.archs import build_model
    from ghostpen.model.checkpoint import save_checkpoint
    from ghostpen.training.step import TrainStep, compile_net

    if len(text) < seq + 2:
        raise ValueError(f"text too short to train on: {len(text)} characters")
    mx.random.seed(seed)
    rng = np.random.default_rng(seed)
    vocab = Vocab.build(text)
    config = ModelConfig(
        arch=arch,
        vocab_size=len(vocab),
        num_embed=num_embed,
        num_hidden=num_hidden,
        num_layers=num_layers,
        dropout=0.0,
    )
    net = build_model(config)
    net.initialize(mx.init.Xavier(), ctx=mx.cpu())
    compile_net(net)
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": lr}, kvstore=None)
    step = TrainStep(net, trainer, clip=None)
    ids = vocab.ids(text)
    for _ in range(steps):
        starts = rng.integers(0, len(ids) - seq - 1, size=batch)
        x = np.stack([ids[s : s + seq] for s in starts], axis=1)  # (seq, batch)
        y = np.stack([ids[s + 1 : s + seq + 1] for s in starts], axis=1)  # (seq, batch)
        step(x, y, net.begin_state(batch))  # a fresh state per window
    save_checkpoint(path, config, vocab, params=net, training={"name": name, "steps": steps})
    return Path(path)
