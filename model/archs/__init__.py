"""The architecture registry: one table from `ModelConfig.arch` names to architecture objects.

Everything that depends on the architecture goes through `get(name)`: `ModelConfig` validates
`arch` against `NAMES`, `build_model` builds the Gluon block, `FastModel` builds the numpy
stepper, `ghostpen train --arch` offers `NAMES`. See `base.Architecture` for what an entry does.

To add an architecture: write `model/archs/<name>.py` with a class offering `build`, `weights`,
`stepper` and `hybridizable` (the Gluon block and its numpy stepper side by side, as in
`unrolled.py`), then add its line to `REGISTRY` below. `tests/model/archs/test_registry.py`
then checks its stepper against its block without further edits. Importing this package does
not import MXNet.
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
        raise ValueError(f"unknown architecture {name!r}; choose one of {NAMES}") from None
