"""Model hyper-parameters: everything needed to rebuild a network (stored in meta.json), and the
`ghostpen train` flags that set them.

The shared fields below mean the same for every architecture; an architecture's own settings
are declared in its file (`settings`, see `model/archs/base.py`) and live in `options`, so a new
architecture never edits this file: its settings get flags (`--NAME`), defaults, checks and
their place in meta.json (`model.options`) from its own table.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, field, fields

from ghostpen.argtypes import fraction, positive_float, positive_int
from ghostpen.model.archs import REGISTRY, get


@dataclass
class ModelConfig:
    arch: str = "lstm"  # a name in ghostpen.model.archs.REGISTRY
    vocab_size: int = 0  # number of ids including the unknown id 0 (set from the Vocab)
    num_embed: int = 64  # size of the character embedding
    num_hidden: int = 512  # units per recurrent layer (hidden layer width for `unrolled`)
    num_layers: int = 2  # stacked recurrent layers (ignored by `unrolled`)
    dropout: float = 0.4  # dropout on embeddings, between layers and before the decoder
    # characters seen by the `unrolled` model (the tutorial's 3-in, 4th-out); a shared field
    # only because checkpoints have stored it here since the first format
    context: int = 3
    # the architecture's own settings (its `settings` table), filled with their defaults;
    # meta.json stores them as "options" (left out when the architecture has none)
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        arch = get(self.arch)  # ValueError naming the registry's architectures for an unknown one
        for name in ("num_embed", "num_hidden", "num_layers", "context"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")
        if not isinstance(self.options, dict):
            raise ValueError("options must be an object of the architecture's settings")
        unknown = sorted(set(self.options) - set(arch.settings))
        if unknown:
            raise ValueError(f"architecture {self.arch} has no setting {', '.join(unknown)}")
        self.options = {
            name: setting.check(name, self.options.get(name, setting.default))
            for name, setting in arch.settings.items()
        }

    def to_json(self) -> dict:
        data = asdict(self)
        if not data["options"]:
            del data["options"]  # meta.json of the built-in architectures stays as it was
        return data

    @classmethod
    def from_json(cls, data: dict) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown model settings {sorted(unknown)}")
        return cls(**data)


# `ghostpen train` flag (argparse dest) -> the shared field it sets; the flags default to None,
# meaning "from the recipe, or the default"
FLAGS = {
    "arch": "arch",
    "embed": "num_embed",
    "hidden": "num_hidden",
    "layers": "num_layers",
    "dropout": "dropout",
}
SHAPE_FLAGS = ("arch", "embed", "hidden", "layers")  # fixed by a fine-tune's --from model


def setting_flags() -> dict[str, str]:
    """argparse dest -> setting name, for every registered architecture's own settings."""
    return {f"arch_{name}": name for arch in REGISTRY.values() for name in arch.settings}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The model flags of `ghostpen train`: the shared ones, then every architecture's own."""
    default = ModelConfig()
    m = p.add_argument_group("model (default: the recipe's, else the value shown)")
    m.add_argument("--arch", choices=tuple(REGISTRY), help=f"({default.arch})")
    m.add_argument("--embed", type=positive_int, help=f"embedding size ({default.num_embed})")
    m.add_argument("--hidden", type=positive_int, help=f"units per layer ({default.num_hidden})")
    m.add_argument("--layers", type=positive_int, help=f"({default.num_layers})")
    m.add_argument("--dropout", type=fraction, help=f"({default.dropout})")
    seen = set()
    for arch in REGISTRY.values():
        for name, setting in arch.settings.items():
            if name in seen:
                continue  # two architectures may share a setting's name (and flag)
            seen.add(name)
            kind = positive_int if isinstance(setting.default, int) else positive_float
            m.add_argument(
                f"--{name.replace('_', '-')}",
                dest=f"arch_{name}",
                type=kind,
                help=f"{setting.help} (--arch {arch.name}; {setting.default})",
            )


def with_flags(config: ModelConfig, args: argparse.Namespace) -> ModelConfig:
    """`config` with the model flags given in `args` on top; ValueError if the result is bad
    (e.g. a setting of another architecture than --arch)."""
    data = config.to_json()
    data.update(
        {f: getattr(args, a) for a, f in FLAGS.items() if getattr(args, a, None) is not None}
    )
    options = {
        name: getattr(args, dest)
        for dest, name in setting_flags().items()
        if getattr(args, dest, None) is not None
    }
    if options:
        arch = data["arch"]
        own = {**data.get("options", {}), **options} if arch == config.arch else options
        data["options"] = own
    elif data["arch"] != config.arch:
        data.pop("options", None)  # another architecture: its own defaults
    return ModelConfig.from_json(data)
