"""Model hyper-parameters: everything needed to rebuild a network (stored in meta.json)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class ModelConfig:
    arch: str = "lstm"  # a name in ghostpen.model.archs.REGISTRY
    vocab_size: int = 0  # number of ids including the unknown id 0 (set from the Vocab)
    num_embed: int = 64  # size of the character embedding
    num_hidden: int = 512  # units per recurrent layer (hidden layer width for `unrolled`)
    num_layers: int = 2  # stacked recurrent layers (ignored by `unrolled`)
    dropout: float = 0.4  # dropout on embeddings, between layers and before the decoder
    context: int = 3  # characters seen by the `unrolled` model (the tutorial's 3-in, 4th-out)

    def __post_init__(self) -> None:
        from ghostpen.model.archs import get

        get(self.arch)  # ValueError naming the registry's architectures for an unknown one
        for name in ("num_embed", "num_hidden", "num_layers", "context"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown model settings {sorted(unknown)}")
        return cls(**data)
