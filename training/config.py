"""Training hyper-parameters (stored in the checkpoint's meta.json with the model settings)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class TrainConfig:
    seq_len: int = 100  # truncated-BPTT length: characters per chunk before the state is detached
    batch_size: int = 32  # parallel streams the training text is split into
    lr: float = 2e-3  # Adam learning rate at the start
    clip: float = 1.0  # global gradient-norm clip (per chunk, summed over the batch)
    weight_decay: float = 0.0  # L2 penalty applied by Adam
    epochs: int = 50  # maximum passes over the training text
    minutes: float = 0.0  # wall-clock budget; 0 = no limit (stops after the current step)
    patience: int = 4  # epochs without a better validation bpc before stopping early
    lr_decay: float = 0.5  # learning-rate factor applied on a validation plateau
    lr_patience: int = 1  # epochs without improvement before the learning rate decays
    min_lr: float = 5e-5  # the learning rate never decays below this
    valid_fraction: float = 0.1  # the last part of the (held-in) corpus used for validation
    test_fraction: float = 0.0  # the corpus's last part, never read: the test set of eval --tail
    valid_every: int = 0  # steps between validations (0 = once per epoch)
    save_every_s: float = 300.0  # seconds between resumable checkpoints inside an epoch
    seed: int = 1  # random seed for initialisation, dropout masks and batching

    def __post_init__(self) -> None:
        for name in ("seq_len", "batch_size", "epochs"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer")
        if self.lr <= 0 or self.clip <= 0:
            raise ValueError("lr and clip must be positive")
        if not 0.0 < self.valid_fraction < 1.0:
            raise ValueError("valid_fraction must be in (0, 1)")
        if not 0.0 <= self.test_fraction < 1.0:
            raise ValueError("test_fraction must be in [0, 1)")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


# the fields `ghostpen train` has a flag for (argparse dest = field name); the flags default to
# None, meaning "from the recipe, or the default"
FLAGS = (
    "epochs",
    "minutes",
    "seq_len",
    "batch_size",
    "lr",
    "clip",
    "weight_decay",
    "patience",
    "valid_fraction",
    "test_fraction",
    "valid_every",
    "seed",
)


def train_flags(args) -> dict:
    """The TrainConfig fields given on the command line (`args`, an argparse Namespace)."""
    return {name: getattr(args, name) for name in FLAGS if getattr(args, name, None) is not None}
