"""Recurrent architectures (gru, lstm, rnn_relu, rnn_tanh): the Gluon block and its numpy stepper.

The block is the tutorial's GluonRNNModel, as a HybridBlock so training can compile it:

    ids (seq, batch) --embed--> (seq, batch, E) --dropout--> rnn --> (seq, batch, H)
        --dropout--> dense --> logits (seq*batch, vocab)

Its child names (encoder, rnn, decoder) are the parameter names in saved checkpoints
("encoder.weight", "rnn.l0_i2h_weight", ...): renaming them breaks every checkpoint on disk.

The stepper re-implements one step in numpy for keystroke-speed decoding (`ghostpen eval speed`
measures both). Gate layouts follow MXNet's fused op
(LSTM columns are stored reordered to [i, f, o, g] so one sigmoid covers three gates):
    LSTM rows [i, f, g, o]:  c' = f*c + i*g,  h' = o*tanh(c')
    GRU  rows [r, z, n]:     n = tanh(Wn x + bn + r*(Un h + bhn)),  h' = (1-z)*n + z*h
    RNN:                     h' = act(W x + b + U h + bh)
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from ghostpen.model.archs.base import ArchitectureBase, State, block_arrays, sigmoid

if TYPE_CHECKING:
    from ghostpen.model.config import ModelConfig


@functools.cache
def _block_class():
    """The Gluon class, defined on first use so importing this module does not import MXNet."""
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()
    from mxnet import gluon
    from mxnet.gluon import nn, rnn

    layers = {
        "gru": lambda c: rnn.GRU(
            c.num_hidden, c.num_layers, layout="TNC", dropout=c.dropout, input_size=c.num_embed
        ),
        "lstm": lambda c: rnn.LSTM(
            c.num_hidden, c.num_layers, layout="TNC", dropout=c.dropout, input_size=c.num_embed
        ),
        "rnn_relu": lambda c: rnn.RNN(
            c.num_hidden, c.num_layers, "relu", "TNC", c.dropout, input_size=c.num_embed
        ),
        "rnn_tanh": lambda c: rnn.RNN(
            c.num_hidden, c.num_layers, "tanh", "TNC", c.dropout, input_size=c.num_embed
        ),
    }

    class CharRNN(gluon.HybridBlock):
        """embedding -> dropout -> stacked RNN -> dropout -> dense."""

        def __init__(self, config: ModelConfig, **kwargs):
            super().__init__(**kwargs)
            self.config = config
            with self.name_scope():
                self.drop = nn.Dropout(config.dropout)
                self.encoder = nn.Embedding(config.vocab_size, config.num_embed)
                self.rnn = layers[config.arch](config)
                self.decoder = nn.Dense(config.vocab_size, in_units=config.num_hidden)

        def hybrid_forward(self, F, inputs, state):
            emb = self.drop(self.encoder(inputs))  # (seq, batch, num_embed)
            output, state = self.rnn(emb, state)  # (seq, batch, num_hidden)
            output = self.drop(output).reshape((-1, self.config.num_hidden))  # (seq*batch, H)
            return self.decoder(output), state  # (seq*batch, vocab)

        def begin_state(self, batch_size: int, ctx=None):
            """Zero state: [h] for GRU/RNN, [h, c] for LSTM, each (num_layers, batch, H)."""
            return self.rnn.begin_state(
                batch_size=batch_size, func=mx.nd.zeros, ctx=ctx or mx.cpu()
            )

    return CharRNN


def _lstm_order(hidden: int) -> np.ndarray:
    """Column permutation [i, f, g, o] -> [i, f, o, g] of an LSTM's (.., 4H) gate block."""
    i, f, g, o = (np.arange(k * hidden, (k + 1) * hidden) for k in range(4))
    return np.concatenate([i, f, o, g])


class RecurrentStepper:
    """One step of a stacked GRU/LSTM/RNN in numpy, batched.

    State: (h,) or (h, c) for LSTM, each (num_layers, batch, num_hidden).
    """

    def __init__(self, config: ModelConfig, w: dict[str, np.ndarray]):
        self.arch, self.hidden, self.num_layers = config.arch, config.num_hidden, config.num_layers
        order = _lstm_order(config.num_hidden) if config.arch == "lstm" else slice(None)
        # the first layer's input projection is a lookup: E @ Wi2h^T + b -> (V, G*H)
        in_table = w["emb"] @ w["l0_i2h_weight"].T + w["l0_i2h_bias"]
        self.in_table = in_table.astype(np.float32)[:, order]
        # above layer 0, [x, h] @ [Wi; Wh] is one matrix product, not two
        self.layers = []
        for layer in range(config.num_layers):
            wi = w[f"l{layer}_i2h_weight"].T[:, order]  # (in, G*H)
            wh = w[f"l{layer}_h2h_weight"].T[:, order]  # (H, G*H)
            bi, bh = w[f"l{layer}_i2h_bias"][order], w[f"l{layer}_h2h_bias"][order]
            if config.arch == "gru":  # the n gate needs U_n h apart: keep both products
                self.layers.append((wi.copy(), bi, wh.copy(), bh))
            elif layer == 0:  # the input product is in in_table already
                self.layers.append((wh.copy(), bh))
            else:
                self.layers.append((np.ascontiguousarray(np.vstack([wi, wh])), bi + bh))
        self.dec_wt, self.dec_b = w["dec_w"].T.copy(), w["dec_b"]  # (H, V), (V,)
        self.cell = {
            "gru": self._gru,
            "lstm": self._lstm,
            "rnn_relu": self._simple,
            "rnn_tanh": self._simple,
        }[config.arch]

    def begin_state(self, batch: int) -> State:
        h = np.zeros((self.num_layers, batch, self.hidden), dtype=np.float32)
        return (h, h.copy()) if self.arch == "lstm" else (h,)

    def step(self, ids: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        new = tuple(np.empty_like(s) for s in state)  # (layers, batch, H) each
        x = None
        for layer in range(self.num_layers):
            x = self.cell(layer, ids, x, state, new)  # (batch, H)
        return x @ self.dec_wt + self.dec_b, new  # (batch, V)

    def _gates(self, layer: int, ids, x, h) -> np.ndarray:
        w, b = self.layers[layer]  # layer 0: Wh (H, G*H); above: [Wi; Wh] (in+H, G*H)
        if layer == 0:
            return self.in_table[ids] + (h @ w + b)  # (batch, G*H)
        return np.concatenate([x, h], axis=1) @ w + b  # (batch, G*H)

    def _lstm(self, layer, ids, x, state, new) -> np.ndarray:
        hidden = self.hidden
        g = self._gates(layer, ids, x, state[0][layer])
        ifo = sigmoid(g[:, : 3 * hidden])
        c = ifo[:, hidden : 2 * hidden] * state[1][layer]
        c += ifo[:, :hidden] * np.tanh(g[:, 3 * hidden :])
        h = ifo[:, 2 * hidden :] * np.tanh(c)
        new[0][layer], new[1][layer] = h, c
        return h

    def _simple(self, layer, ids, x, state, new) -> np.ndarray:
        g = self._gates(layer, ids, x, state[0][layer])
        h = np.maximum(g, 0) if self.arch == "rnn_relu" else np.tanh(g)
        new[0][layer] = h
        return h

    def _gru(self, layer, ids, x, state, new) -> np.ndarray:
        hidden, h = self.hidden, state[0][layer]
        wi, bi, wh, bh = self.layers[layer]
        gi = self.in_table[ids] if layer == 0 else x @ wi + bi  # (batch, 3H)
        gh = h @ wh + bh  # (batch, 3H)
        rz = sigmoid(gi[:, : 2 * hidden] + gh[:, : 2 * hidden])
        r, z = rz[:, :hidden], rz[:, hidden:]
        n = np.tanh(gi[:, 2 * hidden :] + r * gh[:, 2 * hidden :])
        h = (1.0 - z) * n + z * h
        new[0][layer] = h
        return h


class Recurrent(ArchitectureBase):
    """A registry entry: one of MXNet's fused recurrent layers under an embedding and a decoder."""

    hybridizable = True

    def __init__(self, name: str):
        self.name = name

    def build(self, config: ModelConfig):
        return _block_class()(config)

    def weights(self, net) -> dict[str, np.ndarray]:
        weights = block_arrays(net.rnn)  # l{k}_{i2h,h2h}_{weight,bias}
        dec = block_arrays(net.decoder)
        weights.update(
            emb=block_arrays(net.encoder)["weight"], dec_w=dec["weight"], dec_b=dec["bias"]
        )
        return weights

    def shapes(self, config: ModelConfig) -> dict[str, tuple[int, ...]]:
        gates = {"lstm": 4, "gru": 3}.get(self.name, 1) * config.num_hidden  # G*H rows
        vocab, embed, hidden = config.vocab_size, config.num_embed, config.num_hidden
        out = {"emb": (vocab, embed), "dec_w": (vocab, hidden), "dec_b": (vocab,)}
        for layer in range(config.num_layers):
            out[f"l{layer}_i2h_weight"] = (gates, embed if layer == 0 else hidden)
            out[f"l{layer}_h2h_weight"] = (gates, hidden)
            out[f"l{layer}_i2h_bias"] = out[f"l{layer}_h2h_bias"] = (gates,)
        return out

    def stepper(self, config: ModelConfig, weights: dict[str, np.ndarray]) -> RecurrentStepper:
        return RecurrentStepper(config, weights)
