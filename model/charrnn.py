"""The networks: a recurrent char-level model (GRU/LSTM/RNN) and the tutorial's unrolled RNN.

Both take a (seq, batch) block of character ids plus a state and return next-character logits
for every position plus the new state, so one training loop, one evaluator and one generator
serve every architecture:

    ids (seq, batch) --embed--> (seq, batch, E) --dropout--> rnn --> (seq, batch, H)
        --dropout--> dense --> logits (seq*batch, vocab)

The unrolled model keeps as its "state" the last `context-1` input ids of the previous block,
so it sees exactly `context` characters for every prediction, also across block boundaries.
"""

from __future__ import annotations

import mxnet as mx
from mxnet import gluon
from mxnet.gluon import nn, rnn

from ghostpen.model.config import ModelConfig

_RNN_LAYERS = {
    "gru": lambda c: rnn.GRU(c.num_hidden, c.num_layers, dropout=c.dropout, input_size=c.num_embed),
    "lstm": lambda c: rnn.LSTM(
        c.num_hidden, c.num_layers, dropout=c.dropout, input_size=c.num_embed
    ),
    "rnn_relu": lambda c: rnn.RNN(
        c.num_hidden, c.num_layers, activation="relu", dropout=c.dropout, input_size=c.num_embed
    ),
    "rnn_tanh": lambda c: rnn.RNN(
        c.num_hidden, c.num_layers, activation="tanh", dropout=c.dropout, input_size=c.num_embed
    ),
}


class CharRNN(gluon.Block):
    """The tutorial's GluonRNNModel: embedding -> dropout -> stacked RNN -> dropout -> dense."""

    def __init__(self, config: ModelConfig, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        with self.name_scope():
            self.drop = nn.Dropout(config.dropout)
            self.encoder = nn.Embedding(config.vocab_size, config.num_embed)
            self.rnn = _RNN_LAYERS[config.arch](config)
            self.decoder = nn.Dense(config.vocab_size, in_units=config.num_hidden)

    def forward(self, inputs, state):
        emb = self.drop(self.encoder(inputs))  # (seq, batch, num_embed)
        output, state = self.rnn(emb, state)  # (seq, batch, num_hidden)
        output = self.drop(output)
        logits = self.decoder(output.reshape((-1, self.config.num_hidden)))  # (seq*batch, vocab)
        return logits, state

    def begin_state(self, batch_size: int, ctx=None):
        """Zero state: [h] for GRU/RNN, [h, c] for LSTM, each (num_layers, batch, num_hidden)."""
        return self.rnn.begin_state(batch_size=batch_size, func=mx.nd.zeros, ctx=ctx or mx.cpu())


class UnrolledRNN(gluon.Block):
    """The tutorial's unrolled many-to-one RNN: `context` characters in, the next one out.

    Shared layers as in the tutorial: dense1 (input -> hidden, ReLU) is applied to every
    character, dense2 (hidden -> hidden, ReLU) carries the running sum forward:

        h = dense1(e1);  h = dense2(h) + dense1(e2);  h = dense2(h) + dense1(e3);  dense3(h)
    """

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

    def forward(self, inputs, state):
        (history,) = state  # (context-1, batch) ids of the previous characters
        seq = inputs.shape[0]
        full = mx.nd.concat(history.astype(inputs.dtype), inputs, dim=0)  # (seq+context-1, batch)
        emb = self.encoder(full)  # (seq+context-1, batch, num_embed)
        hidden = self.dense1(emb)  # (seq+context-1, batch, num_hidden)
        h = hidden[0:seq]  # (seq, batch, num_hidden): the oldest character of each window
        for j in range(1, self.config.context):
            h = self.dense2(h) + hidden[j : j + seq]
        logits = self.dense3(self.drop(h).reshape((-1, self.config.num_hidden)))  # (seq*batch, V)
        new_history = full[seq:]  # (context-1, batch)
        return logits, [new_history]

    def begin_state(self, batch_size: int, ctx=None):
        """History of unknown characters: [(context-1, batch)]."""
        return [mx.nd.zeros((self.config.context - 1, batch_size), ctx=ctx or mx.cpu())]


def build_model(config: ModelConfig) -> gluon.Block:
    """A fresh, uninitialised network for `config`."""
    if config.vocab_size < 2:
        raise ValueError("vocab_size must be set (at least the unknown id and one character)")
    return UnrolledRNN(config) if config.arch == "unrolled" else CharRNN(config)


def detach(state):
    """Cut the graph between BPTT chunks."""
    return [s.detach() for s in state]
