"""The architecture registry: one table from `ModelConfig.arch` names to architecture objects.

Everything that depends on the architecture goes through `get(name)`: `ModelConfig` validates
`arch` (and its own `settings`) against it, `build_model` builds the Gluon block, `FastModel`
builds the numpy stepper, `model/runtime.py` checks the run-time weights against its `shapes`,
`ghostpen models` shows its `param_count` and `size_label`, `model/grow.py` grows its
`input_blocks`, and `ghostpen train` offers `NAMES` and a flag per setting. See
`base.Architecture` for what an entry does.

To add an architecture: write `model/archs/<name>.py` with a subclass of `base.ArchitectureBase`
offering `build`, `weights`, `shapes` and `stepper` (the Gluon block and its numpy stepper side
by side, as in `unrolled.py`), then add its line to `REGISTRY` below. Nothing else changes:
`tests/model/archs/test_registry.py` then checks its stepper against its block, and
`tests/model/archs/test_toy_arch.py` shows one trained, exported and decoded from one file.
Importing this package does not import MXNet.
"""

from __future__ import annotations

from ghostpen.model.archs.base import Architecture
from ghostpen.model.archs.rnn import Recurrent
from ghostpen.model.archs.unrolled import Unrolled

REGISTRY: dict[str, Architecture] = {
    "gru": Recurrent("gru"),
    "lstm": Recurrent("lstm"),
    "rnn_relu": Recurrent("rnn_relu"),
    "rnn_tanh": Recurrent("rnn_tanh"),
    "unrolled": Unrolled(),
}
NAMES = tuple(REGISTRY)


def get(name: str) -> Architecture:
    """The registry entry for `name` (ValueError naming the choices for an unknown one)."""
    try:
        return REGISTRY[name]
    except KeyError:
        choices = tuple(REGISTRY)
        raise ValueError(f"unknown architecture {name!r}; choose one of {choices}") from None


def build_model(config):
    """A fresh, uninitialised Gluon block for `config` (a `ModelConfig`).

    Every block takes a (seq, batch) block of character ids plus a state and returns
    next-character logits for every position plus the new state, so one training loop, one
    evaluator and one generator serve every architecture.
    """
    if config.vocab_size < 2:
        raise ValueError("vocab_size must be set (at least the unknown id and one character)")
    return get(config.arch).build(config)


def detach(state):
    """Cut the graph between BPTT chunks."""
    return [s.detach() for s in state]
