"""A numpy re-implementation of the networks' forward step, for keystroke-speed decoding.

MXNet's fused RNN op costs ~46 ms for one batch-1 step on these machines; the same step as a
few numpy matrix-vector products takes a fraction of a millisecond. `FastModel` copies the
weights out of a Gluon network once and then steps without MXNet, so it can run in any thread.
Its output matches the Gluon forward pass (tests compare them to 1e-5).

Gate layouts follow MXNet's fused RNN op:
    LSTM rows [i, f, g, o]:  c' = f*c + i*g,  h' = o*tanh(c')
    GRU  rows [r, z, n]:     n = tanh(Wn x + bn + r*(Un h + bhn)),  h' = (1-z)*n + z*h
    RNN:                     h' = act(W x + b + U h + bh)
"""

from __future__ import annotations

import numpy as np

from ghostpen.model.config import ModelConfig


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
            self.layers = []
            for layer in range(config.num_layers):
                wi = w[f"l{layer}_i2h_weight"].T.copy()  # (in, G*H)
                bi = w[f"l{layer}_i2h_bias"]
                wh = w[f"l{layer}_h2h_weight"].T.copy()  # (H, G*H)
                bh = w[f"l{layer}_h2h_bias"]
                self.layers.append((wi, bi, wh, bh))
        self.dec_wt, self.dec_b = w["dec_w"].T.copy(), w["dec_b"]  # (H, V), (V,)

    @classmethod
    def from_gluon(cls, net) -> FastModel:
        """Copy the weights out of a CharRNN or UnrolledRNN (call from the MXNet thread)."""
        config = net.config
        if config.arch == "unrolled":
            weights = {
                "emb": _np(net.encoder.weight),
                "d1_w": _np(net.dense1.weight), "d1_b": _np(net.dense1.bias),
                "d2_w": _np(net.dense2.weight), "d2_b": _np(net.dense2.bias),
                "dec_w": _np(net.dense3.weight), "dec_b": _np(net.dense3.bias),
            }
        else:
            weights = {k: v.data().asnumpy().astype(np.float32)
                       for k, v in net.rnn._reg_params.items()}
            weights.update(
                emb=_np(net.encoder.weight), dec_w=_np(net.decoder.weight),
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
        arch = self.config.arch
        hs, cs = [], []
        x = None
        for layer, (wi, bi, wh, bh) in enumerate(self.layers):
            gi = self.in_table[ids] if layer == 0 else x @ wi + bi  # (batch, G*H)
            h = state[0][layer]
            gh = h @ wh + bh  # (batch, G*H)
            if arch == "lstm":
                i, f, g, o = np.split(gi + gh, 4, axis=1)
                c = _sigmoid(f) * state[1][layer] + _sigmoid(i) * np.tanh(g)
                h = _sigmoid(o) * np.tanh(c)
                cs.append(c)
            elif arch == "gru":
                ir, iz, in_ = np.split(gi, 3, axis=1)
                hr, hz, hn = np.split(gh, 3, axis=1)
                r = _sigmoid(ir + hr)
                z = _sigmoid(iz + hz)
                n = np.tanh(in_ + r * hn)
                h = (1.0 - z) * n + z * h
            elif arch == "rnn_relu":
                h = np.maximum(gi + gh, 0)
            else:
                h = np.tanh(gi + gh)
            hs.append(h)
            x = h
        logits = x @ self.dec_wt + self.dec_b  # (batch, V)
        new_state = (np.stack(hs), np.stack(cs)) if arch == "lstm" else (np.stack(hs),)
        return logits, new_state

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
