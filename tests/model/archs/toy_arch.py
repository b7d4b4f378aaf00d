"""A toy text architecture in one file, as a contributor would add one (test_toy_arch.py).

A one-layer recurrent net written by hand, with a hyper-parameter of its own (`width`, the
state's size) that no shared file knows about:

    h' = tanh(cell([embed(id), h]))   # (batch, width)
    logits = decoder(h')              # (batch, vocab)

The Gluon block is a plain Block (not hybridizable); the stepper is the same in numpy.
"""

from __future__ import annotations

import numpy as np

from ghostpen.model.archs.base import ArchitectureBase, Setting, block_arrays


def _block_class():
    from ghostpen.mxcompat import require_mxnet

    mx = require_mxnet()
    from mxnet import gluon
    from mxnet.gluon import nn

    class ToyBlock(gluon.Block):
        def __init__(self, config, **kwargs):
            super().__init__(**kwargs)
            self.config, width = config, config.options["width"]
            with self.name_scope():
                self.encoder = nn.Embedding(config.vocab_size, config.num_embed)
                self.cell = nn.Dense(width, in_units=config.num_embed + width, flatten=False)
                self.decoder = nn.Dense(config.vocab_size, in_units=width)

        def forward(self, inputs, state):
            h = state[0][0]  # (batch, width)
            emb = self.encoder(inputs)  # (seq, batch, embed)
            outs = []
            for t in range(emb.shape[0]):
                h = mx.nd.tanh(self.cell(mx.nd.concat(emb[t], h, dim=1)))  # (batch, width)
                outs.append(h)
            out = mx.nd.stack(*outs).reshape((-1, self.config.options["width"]))  # (seq*b, w)
            return self.decoder(out), [h.expand_dims(0)]  # (seq*batch, vocab), [(1, b, w)]

        def begin_state(self, batch_size: int, ctx=None):
            width = self.config.options["width"]
            return [mx.nd.zeros((1, batch_size, width), ctx=ctx or mx.cpu())]

    return ToyBlock


class ToyStepper:
    def __init__(self, config, w: dict[str, np.ndarray]):
        self.width, self.w = config.options["width"], w

    def begin_state(self, batch: int):
        return (np.zeros((1, batch, self.width), np.float32),)

    def step(self, ids, state):
        w = self.w
        x = np.concatenate([w["emb"][ids], state[0][0]], axis=1)  # (batch, embed + width)
        h = np.tanh(x @ w["cell_w"].T + w["cell_b"])  # (batch, width)
        return h @ w["dec_w"].T + w["dec_b"], (h[None],)  # (batch, vocab)


class Toy(ArchitectureBase):
    name = "toy"
    hybridizable = False
    settings = {"width": Setting(default=8, help="units of the toy's state")}

    def build(self, config):
        return _block_class()(config)

    def weights(self, net) -> dict[str, np.ndarray]:
        cell, dec = block_arrays(net.cell), block_arrays(net.decoder)
        return {
            "emb": block_arrays(net.encoder)["weight"],
            "cell_w": cell["weight"],
            "cell_b": cell["bias"],
            "dec_w": dec["weight"],
            "dec_b": dec["bias"],
        }

    def shapes(self, config) -> dict[str, tuple[int, ...]]:
        vocab, embed, width = config.vocab_size, config.num_embed, config.options["width"]
        return {
            "emb": (vocab, embed),
            "cell_w": (width, embed + width),
            "cell_b": (width,),
            "dec_w": (vocab, width),
            "dec_b": (vocab,),
        }

    def stepper(self, config, weights) -> ToyStepper:
        return ToyStepper(config, weights)

    def size_label(self, config) -> str:
        return f"toy {config.options['width']}"
