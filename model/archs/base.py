"""What every architecture offers the rest of ghostpen (the registry's entries implement it).

An architecture is one object with four jobs, so the training loop, checkpoints, the numpy
decoder and the CLI never branch on its name:

- `build(config)`: a fresh, uninitialised Gluon block. It takes `(ids (seq, batch), state)` and
  returns `(logits (seq*batch, vocab), new state)`; its `begin_state(batch)` is the zero state.
- `weights(net)`: the block's weights as float32 numpy arrays, read through public Gluon API.
- `stepper(config, weights)`: a numpy `Stepper` with `begin_state(batch)` and
  `step(ids (batch,), state) -> (logits (batch, vocab), state)`, matching the block.
- `shapes(config)`: the shape of every array `weights` returns (the run-time weights file,
  `model/runtime.py`, is checked against it before decoding).
- `hybridizable`: whether the block is a HybridBlock (compiled for fast training).

MXNet is imported inside `build` / `weights` only, so config validation and the numpy stepper
stay MXNet-free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from ghostpen.model.config import ModelConfig

State = tuple[np.ndarray, ...]


class Stepper(Protocol):
    """A numpy forward step of one architecture with copied-out weights."""

    def begin_state(self, batch: int) -> State: ...

    def step(self, ids: np.ndarray, state: State) -> tuple[np.ndarray, State]: ...


class Architecture(Protocol):
    name: str
    hybridizable: bool

    def build(self, config: ModelConfig): ...

    def weights(self, net) -> dict[str, np.ndarray]: ...

    def shapes(self, config: ModelConfig) -> dict[str, tuple[int, ...]]: ...

    def stepper(self, config: ModelConfig, weights: dict[str, np.ndarray]) -> Stepper: ...


def block_arrays(block) -> dict[str, np.ndarray]:
    """A Gluon block's own parameters as float32 arrays, keyed by name without the prefix.

    e.g. an `rnn.LSTM` with prefix "lstm0_" -> {"l0_i2h_weight": ..., "l0_h2h_bias": ...};
    an `nn.Dense` -> {"weight": ..., "bias": ...}.
    """
    prefix = block.prefix
    return {
        name[len(prefix) :] if name.startswith(prefix) else name: p.data()
        .asnumpy()
        .astype(np.float32)
        for name, p in block.params.items()
    }


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # overflow-free logistic
