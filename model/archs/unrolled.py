"""The tutorial's unrolled many-to-one net (`unrolled`): the Gluon block and its numpy stepper.

`context` characters in, the next one out, with shared layers as in the tutorial: dense1
(input -> hidden, ReLU) is applied to every character, dense2 (hidden -> hidden, ReLU) carries
the running sum forward:

    h = dense1(e1);  h = dense2(h) + dense1(e2);  h = dense2(h) + dense1(e3);  dense3(h)

Its "state" is the last `context-1` input ids of the previous block, so it sees exactly
`context` characters for every prediction, also across block boundaries. The block is a
HybridBlock (the windows are cut with `slice_axis` counted from both ends, so no shape is
needed). Child names (encoder, dense1, dense2, dense3) are the saved parameter names.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from ghostpen.model.archs.base import ArchitectureBase, State, block_arrays

if TYPE_CHECKING:
    from ghostpen.model.config import ModelConfig


@functools.cache
def _block_class():
    """The Gluon class, defined on first use so importing this module does not import MXNet."""
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()
    from mxnet import gluon
    from mxnet.gluon import nn

    class UnrolledRNN(gluon.HybridBlock):
        def __init__(self, config: ModelConfig, **kwargs):
            super().__init__(**kwargs)
            self.config = config
            with self.name_scope():
                self.encoder = nn.Embedding(config.vocab_size, config.num_embed)
                self.dense1 = nn.Dense(
                    config.num_hidden, activation="relu", in_units=config.num_embed, flatten=False
                )
                self.dense2 = nn.Dense(
                    config.num_hidden, activation="relu", in_units=config.num_hidden, flatten=False
                )
                self.drop = nn.Dropout(config.dropout)
                self.dense3 = nn.Dense(config.vocab_size, in_units=config.num_hidden)

        def hybrid_forward(self, F, inputs, state):
            (history,) = state  # (context-1, batch) ids of the previous characters
            back = self.config.context - 1
            full = F.concat(history, inputs, dim=0)  # (seq+context-1, batch)
            hidden = self.dense1(self.encoder(full))  # (seq+context-1, batch, num_hidden)

            def window(j):  # rows j .. j+seq: character j of every prediction's window
                return F.slice_axis(hidden, axis=0, begin=j, end=(j - back) or None)

            h = window(0)  # (seq, batch, num_hidden): the oldest character of each window
            for j in range(1, self.config.context):
                h = self.dense2(h) + window(j)
            h = self.drop(h).reshape((-1, self.config.num_hidden))  # (seq*batch, num_hidden)
            new_history = F.slice_axis(full, axis=0, begin=-back, end=None)  # (context-1, batch)
            return self.dense3(h), [new_history]  # (seq*batch, vocab)

        def begin_state(self, batch_size: int, ctx=None):
            """History of unknown characters: [(context-1, batch)]."""
            return [mx.nd.zeros((self.config.context - 1, batch_size), ctx=ctx or mx.cpu())]

    return UnrolledRNN


class UnrolledStepper:
    """One step in numpy. State: a 1-tuple holding the (context-1, batch) history ids."""

    def __init__(self, config: ModelConfig, w: dict[str, np.ndarray]):
        self.context = config.context
        # dense1 of every character is a table lookup: relu(E @ W1^T + b1) -> (V, H)
        self.table1 = np.maximum(w["emb"] @ w["d1_w"].T + w["d1_b"], 0).astype(np.float32)
        self.w2t, self.b2 = w["d2_w"].T.copy(), w["d2_b"]  # (H, H), (H,)
        self.dec_wt, self.dec_b = w["dec_w"].T.copy(), w["dec_b"]  # (H, V), (V,)

    def begin_state(self, batch: int) -> State:
        return (np.zeros((self.context - 1, batch), dtype=np.int64),)

    def step(self, ids: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        window = np.concatenate([state[0], ids[None, :]], axis=0)  # (context, batch)
        h = self.table1[window[0]]  # (batch, H)
        for j in range(1, window.shape[0]):
            h = np.maximum(h @ self.w2t + self.b2, 0) + self.table1[window[j]]
        return h @ self.dec_wt + self.dec_b, (window[1:],)  # (batch, V)


class Unrolled(ArchitectureBase):
    """The registry entry for `unrolled` (its `context` is a `ModelConfig` field: checkpoints
    have stored it there since the first format)."""

    name = "unrolled"
    hybridizable = True

    def size_label(self, config: ModelConfig) -> str:
        return f"{config.num_hidden}"  # one hidden layer; num_layers is not used

    def build(self, config: ModelConfig):
        return _block_class()(config)

    def weights(self, net) -> dict[str, np.ndarray]:
        d1, d2, d3 = (block_arrays(b) for b in (net.dense1, net.dense2, net.dense3))
        return {
            "emb": block_arrays(net.encoder)["weight"],
            "d1_w": d1["weight"],
            "d1_b": d1["bias"],
            "d2_w": d2["weight"],
            "d2_b": d2["bias"],
            "dec_w": d3["weight"],
            "dec_b": d3["bias"],
        }

    def shapes(self, config: ModelConfig) -> dict[str, tuple[int, ...]]:
        vocab, embed, hidden = config.vocab_size, config.num_embed, config.num_hidden
        return {
            "emb": (vocab, embed),
            "d1_w": (hidden, embed),
            "d1_b": (hidden,),
            "d2_w": (hidden, hidden),
            "d2_b": (hidden,),
            "dec_w": (vocab, hidden),
            "dec_b": (vocab,),
        }

    def stepper(self, config: ModelConfig, weights: dict[str, np.ndarray]) -> UnrolledStepper:
        return UnrolledStepper(config, weights)
