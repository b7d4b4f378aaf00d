"""Keystroke-speed decoding in numpy: `FastModel` steps a trained network one character at a time.

MXNet's fused RNN op is slow for one batch-1 step; the same step as a few numpy matrix-vector
products is many times faster (`ghostpen eval speed` measures both). `FastModel` reads a
checkpoint's run-time weights (`model/runtime.py`, a plain .npz) or copies the weights out of a
Gluon network (through its architecture's `weights`, in training) and then steps with the
architecture's numpy stepper: no MXNet at run time, and any thread may use it. Its output
matches the Gluon forward pass (tests/model/archs compare them to 1e-5 for every architecture).
"""

from __future__ import annotations

import numpy as np

from ghostpen.model.archs import get
from ghostpen.model.checkpoint import read_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.model.weights import load_weights


class FastModel:
    """Step a trained network one character at a time, in numpy, with batched states.

    The state is a tuple of arrays whose axis 1 is the batch (rows can be picked with
    `s[:, rows]`): (h,) or (h, c), each (num_layers, batch, num_hidden), for recurrent models;
    the (context-1, batch) history ids for the unrolled model.
    """

    def __init__(self, config: ModelConfig, weights: dict[str, np.ndarray]):
        self.config = config
        self.vocab_size = config.vocab_size
        self.checkpoint = None  # the Checkpoint it was loaded from (from_checkpoint only)
        self.vocab = None  # its Vocab (from_checkpoint only)
        self._stepper = get(config.arch).stepper(config, weights)

    @classmethod
    def from_gluon(cls, net) -> FastModel:
        """Copy the weights out of a network built by `build_model` (call from the MXNet thread)."""
        return cls(net.config, get(net.config.arch).weights(net))

    @classmethod
    def from_checkpoint(cls, path) -> FastModel:
        """Load a checkpoint directory's run-time weights (`model/runtime.py`: numpy only, no
        MXNet); `.checkpoint` and `.vocab` are set on the result. CheckpointError (one line)
        for a checkpoint that cannot be decoded."""
        ckpt = read_checkpoint(path)
        model = cls(ckpt.config, load_weights(ckpt))
        model.checkpoint, model.vocab = ckpt, ckpt.vocab
        return model

    def begin_state(self, batch: int = 1) -> tuple[np.ndarray, ...]:
        return self._stepper.begin_state(batch)

    def step(self, ids: np.ndarray, state: tuple) -> tuple[np.ndarray, tuple]:
        """Feed one character per batch row: ids (batch,) -> logits (batch, V), new state."""
        return self._stepper.step(np.asarray(ids, dtype=np.int64), state)

    def feed(self, ids, state: tuple) -> tuple[np.ndarray | None, tuple]:
        """Feed a sequence of ids (batch 1); return the logits after the last one, new state."""
        logits = None
        for i in ids:
            logits, state = self.step(np.array([i]), state)
        return logits, state


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
