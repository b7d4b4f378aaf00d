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

and, with defaults in `ArchitectureBase` (subclass it and override what differs):

- `settings`: its own hyper-parameters beyond the shared ones of `ModelConfig` (each a
  `Setting`: default, type, help); they live in `ModelConfig.options`, meta.json's
  `model.options`, and `ghostpen train --<name>` (flags are made from this table).
- `param_count(config)`: the number of weights (default: the sum over `shapes`).
- `size_label(config)`: the network's size in words for `ghostpen models` ("2x512").
- `input_blocks`: the child blocks whose weight rows are indexed by input ids; a fine-tune
  that grows the vocabulary gives those new rows like the old ones (`model/grow.py`).

MXNet is imported inside `build` / `weights` only, so config validation and the numpy stepper
stay MXNet-free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np

if TYPE_CHECKING:
    from ghostpen.model.config import ModelConfig

State = tuple[np.ndarray, ...]


class Stepper(Protocol):
    """A numpy forward step of one architecture with copied-out weights."""

    def begin_state(self, batch: int) -> State: ...

    def step(self, ids: np.ndarray, state: State) -> tuple[np.ndarray, State]: ...


@dataclass(frozen=True)
class Setting:
    """One hyper-parameter an architecture owns (stored in `ModelConfig.options`)."""

    default: int | float  # the value when neither a recipe nor a flag gives one
    help: str  # the `ghostpen train --NAME` help text
    minimum: float = 1  # the smallest allowed value (ints: positive by default)

    def check(self, name: str, value: object) -> int | float:
        """`value` as the default's type, or ValueError naming the setting."""
        kind = type(self.default)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and (kind is float or float(value).is_integer())
        if not ok:
            raise ValueError(f"{name} must be {'an integer' if kind is int else 'a number'}")
        if value < self.minimum:
            raise ValueError(f"{name} must be at least {self.minimum:g}")
        if abs(value) > 2**31:
            raise ValueError(f"{name} is out of range ({value})")
        return kind(value)


class Architecture(Protocol):
    name: str
    hybridizable: bool
    settings: dict[str, Setting]
    input_blocks: tuple[str, ...]

    def build(self, config: ModelConfig): ...

    def weights(self, net) -> dict[str, np.ndarray]: ...

    def shapes(self, config: ModelConfig) -> dict[str, tuple[int, ...]]: ...

    def stepper(self, config: ModelConfig, weights: dict[str, np.ndarray]) -> Stepper: ...

    def param_count(self, config: ModelConfig) -> int: ...

    def size_label(self, config: ModelConfig) -> str: ...


class ArchitectureBase:
    """The defaults of an architecture's optional parts (see the module docstring)."""

    hybridizable = True
    settings: ClassVar[dict[str, Setting]] = {}
    input_blocks: ClassVar[tuple[str, ...]] = ("encoder",)

    def shapes(self, config: ModelConfig) -> dict[str, tuple[int, ...]]:
        raise NotImplementedError

    def param_count(self, config: ModelConfig) -> int:
        """The number of weights: the sum over the run-time arrays' shapes."""
        return sum(int(np.prod(shape)) for shape in self.shapes(config).values())

    def size_label(self, config: ModelConfig) -> str:
        """e.g. "2x512": stacked layers x units per layer."""
        return f"{config.num_layers}x{config.num_hidden}"


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
