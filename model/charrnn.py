"""Building networks: `build_model(config)` asks the architecture registry for the Gluon block.

Every block takes a (seq, batch) block of character ids plus a state and returns
next-character logits for every position plus the new state, so one training loop, one
evaluator and one generator serve every architecture. The blocks themselves live in
`ghostpen.model.archs` (one file per architecture).
"""

from __future__ import annotations

from ghostpen.model.archs import get
from ghostpen.model.config import ModelConfig


def build_model(config: ModelConfig):
    """A fresh, uninitialised Gluon block for `config`."""
    if config.vocab_size < 2:
        raise ValueError("vocab_size must be set (at least the unknown id and one character)")
    return get(config.arch).build(config)


def detach(state):
    """Cut the graph between BPTT chunks."""
    return [s.detach() for s in state]
