"""A numpy re-implementation of the networks' forward step, for keystroke-speed decoding.

MXNet's fused RNN op costs ~46 ms for one batch-1 step on these machines; the same step as a
few numpy matrix-vector products takes a fraction of a millisecond. `FastModel` copies the
weights out of a Gluon network once and then steps without MXNet, so it can run in any thread.
Its output matches the Gluon forward pass (tests compare them to 1e-5).

Gate layouts follow MXNet's fused RNN op (LSTM columns are stored reordered to [i, f, o, g]):
    LSTM rows [i, f, g, o]:  c' = f*c + i*g,  h' = o*tanh(c')
    GRU  rows [r, z, n]:     n = tanh(Wn x + bn + r*(Un h + bhn)),  h' = (1-z)*n + z*h
    RNN:                     h' = act(W x + b + U h + bh)
"""

from __future__ import annotations

import numpy as np

from ghostpen.model.config import ModelConfig


def _lstm_order(hidden: int) -> np.ndarray:
    """Column permutation [i, f, g, o] -> [i, f, o, g] of an LSTM's (.., 4H) gate block."""
    i, f, g, o = (np.arange(k * hidden, (k + 1) * hidden) for k in range(4))
    return np.concatenate([i, f, o, g])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # overflow-free logistic


def _np(param) -> np.ndarray:
    return param.data().asnumpy().astype(np.float32)


class FastModel:
    """Step a trained network one character at a time, in numpy, with batched states.

    State for recurrent models: a tuple of arrays (num_layers, batch, num_hidden) — (h,) or
    (h, c) for LSTM. For the unrolled model: a tuple holding the (context-1, batch) history ids.
    """

    def __init__(self, config: ModelConfig, weights: dict[str, np.ndarray]):
        self.config = config
        self.vocab_size = config.vocab_size
        self.checkpoint = None  # the Checkpoint it was loaded from (from_checkpoint only)
        self.vocab = None  # its Vocab (from_checkpoint only)
        w = weights
        if config.arch == "unrolled":
            # dense1 of every character is a table lookup: relu(E @ W1^T + b1) -> (V, H)
            self.table1 = np.maximum(w["emb"] @ w["d1_w"].T + w["d1_b"], 0).astype(np.float32)
            self.w2t, self.b2 = w["d2_w"].T.copy(), w["d2_b"]
        else:
            # the first layer's input projection is a lookup too: E @ Wi2h^T + b -> (V, G*H)
            self.in_table = (w["emb"] @ w["l0_i2h_weight"].T + w["l0_i2h_bias"]).astype(np.float32)
            # LSTM gate columns are reordered [i, f, g, o] -> [i, f, o, g] so one sigmoid covers
            # three gates; above layer 0, [x, h] @ [Wi; Wh] is one matrix product, not two
            order = _lstm_order(config.num_hidden) if config.arch == "lstm" else slice(None)
            self.in_table = self.in_table[:, order]
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

    @classmethod
    def from_gluon(cls, net) -> FastModel:
        """Copy the weights out of a CharRNN or UnrolledRNN (call from the MXNet thread)."""
        config = net.config
        if config.arch == "unrolled":
            weights = {
                "emb": _np(net.encoder.weight),
                "d1_w": _np(net.dense1.weight),
                "d1_b": _np(net.dense1.bias),
                "d2_w": _np(net.dense2.weight),
                "d2_b": _np(net.dense2.bias),
                "dec_w": _np(net.dense3.weight),
                "dec_b": _np(net.dense3.bias),
            }
        else:
            weights = {
                k: v.data().asnumpy().astype(np.float32) for k, v in net.rnn._reg_params.items()
            }
            weights.update(
                emb=_np(net.encoder.weight),
                dec_w=_np(net.decoder.weight),
                dec_b=_np(net.decoder.bias),
            )
        return cls(config, weights)

    @classmethod
    def from_checkpoint(cls, path) -> FastModel:
        """Load a checkpoint directory; `.checkpoint` and `.vocab` are set on the result."""
        from ghostpen.model.checkpoint import load_model

        net, ckpt = load_model(path)
        model = cls.from_gluon(net)
        model.checkpoint, model.vocab = ckpt, ckpt.vocab
        return model

    def begin_state(self, batch: int = 1) -> tuple[np.ndarray, ...]:
        c = self.config
        if c.arch == "unrolled":
            return (np.zeros((c.context - 1, batch), dtype=np.int64),)
        h = np.zeros((c.num_layers, batch, c.num_hidden), dtype=np.float32)
        return (h, h.copy()) if c.arch == "lstm" else (h,)

    def step(self, ids: np.ndarray, state: tuple) -> tuple[np.ndarray, tuple]:
        """Feed one character per batch row: ids (batch,) -> logits (batch, V), new state."""
        ids = np.asarray(ids, dtype=np.int64)
        if self.config.arch == "unrolled":
            return self._step_unrolled(ids, state)
        arch, hidden = self.config.arch, self.config.num_hidden
        hs = np.empty_like(state[0])  # (layers, batch, H)
        cs = np.empty_like(state[1]) if arch == "lstm" else None
        x = None
        for layer, weights in enumerate(self.layers):
            h = state[0][layer]  # (batch, H)
            if arch == "gru":
                wi, bi, wh, bh = weights
                gi = self.in_table[ids] if layer == 0 else x @ wi + bi  # (batch, 3H)
                gh = h @ wh + bh  # (batch, 3H)
                rz = _sigmoid(gi[:, : 2 * hidden] + gh[:, : 2 * hidden])
                r, z = rz[:, :hidden], rz[:, hidden:]
                n = np.tanh(gi[:, 2 * hidden :] + r * gh[:, 2 * hidden :])
                h = (1.0 - z) * n + z * h
            else:
                w, b = weights  # layer 0: Wh (H, G*H); above: [Wi; Wh] (in+H, G*H)
                if layer == 0:
                    g = self.in_table[ids] + (h @ w + b)  # (batch, G*H)
                else:
                    g = np.concatenate([x, h], axis=1) @ w + b  # (batch, G*H)
                if arch == "lstm":
                    ifo = _sigmoid(g[:, : 3 * hidden])
                    c = ifo[:, hidden : 2 * hidden] * state[1][layer]
                    c += ifo[:, :hidden] * np.tanh(g[:, 3 * hidden :])
                    h = ifo[:, 2 * hidden :] * np.tanh(c)
                    cs[layer] = c
                elif arch == "rnn_relu":
                    h = np.maximum(g, 0)
                else:
                    h = np.tanh(g)
            hs[layer] = h
            x = h
        logits = x @ self.dec_wt + self.dec_b  # (batch, V)
        return logits, ((hs, cs) if arch == "lstm" else (hs,))

    def _step_unrolled(self, ids: np.ndarray, state: tuple) -> tuple[np.ndarray, tuple]:
        window = np.concatenate([state[0], ids[None, :]], axis=0)  # (context, batch)
        h = self.table1[window[0]]  # (batch, H)
        for j in range(1, window.shape[0]):
            h = np.maximum(h @ self.w2t + self.b2, 0) + self.table1[window[j]]
        return h @ self.dec_wt + self.dec_b, (window[1:],)

    def feed(self, ids, state: tuple) -> tuple[np.ndarray | None, tuple]:
        """Feed a sequence of ids (batch 1); return the logits after the last one, new state."""
        logits = None
        for i in ids:
            logits, state = self.step(np.array([i]), state)
        return logits, state


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def select_state(state: tuple, rows) -> tuple:
    """Pick batch rows of a state (for beam search): works for every architecture."""
    return tuple(s[:, rows] for s in state)
