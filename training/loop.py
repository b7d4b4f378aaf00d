"""The training loop: truncated BPTT with Adam, clipping, LR decay on plateau, early stopping.

One call of `train()` runs epochs until `epochs`, the time budget, early stopping, a stop
request (Ctrl+C / SIGTERM set `StopFlag`) or a non-finite loss. After every validation the
checkpoint directory is rewritten crash-safely: best weights (lowest validation bpc) for using
the model, latest weights + Adam moments + loop position for `--resume`. The steps are
`_Run.epoch` (training chunks, one `TrainStep` each), `_Run.validate` and `_Run.save`;
progress goes out as the events of `ghostpen.training.events`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ghostpen.model.checkpoint import CheckpointError, load_params, read_checkpoint, save_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.model.vocab import Vocab
from ghostpen.training import events
from ghostpen.training.config import TrainConfig
from ghostpen.training.data import batchify, chunks, num_chunks

LN2 = math.log(2.0)
LOG_EVERY = 10  # steps between step events (and NaN/inf checks of the loss)
MIN_IMPROVEMENT = 1e-4  # bpc by which a validation must beat the best to count as better
VALID_SEQ = 200  # characters per validation chunk
VALID_BATCH = 16  # at most this many validation streams (fewer if the batch size is smaller)
EPOCH_SEED_STRIDE = 1000  # dropout seed of a chunk: seed + epoch * stride + chunk
Progress = Callable[[dict], None]


class StopFlag:
    """Set from a signal handler; the loop checks it between steps and saves before leaving."""

    def __init__(self) -> None:
        self.requested = False

    def set(self, *_args) -> None:
        self.requested = True


def evaluate(net, data: np.ndarray, seq_len: int = VALID_SEQ) -> float:
    """Bits per character of `net` on batchified `data` (rows, batch); dropout off."""
    import mxnet as mx

    state = net.begin_state(data.shape[1])
    loss_fn = mx.gluon.loss.SoftmaxCrossEntropyLoss()
    total, count = 0.0, 0
    for _, x, y in chunks(data, seq_len):
        logits, state = net(mx.nd.array(x), state)  # (seq*batch, vocab)
        loss = loss_fn(logits, mx.nd.array(y.reshape(-1)))
        total += float(loss.sum().asscalar())
        count += y.size
    return total / count / LN2


def _optimizer_state(trainer) -> tuple[dict, dict]:
    """Adam moments as NDArrays (saved with mx.nd.save) and counters as JSON (no pickle)."""
    updater = trainer._updaters[0]
    opt = trainer._optimizer
    arrays = {}
    for idx, state in updater.states.items():
        mean, var = state
        arrays[f"mean{idx}"], arrays[f"var{idx}"] = mean, var
    counts = {str(k): int(v) for k, v in opt._index_update_count.items()}
    return arrays, {"index_update_count": counts, "num_update": int(opt.num_update)}


def _restore_optimizer(trainer, arrays: dict, info: dict) -> None:
    updater = trainer._updaters[0]
    opt = trainer._optimizer
    for key, value in arrays.items():
        if key.startswith("mean"):
            idx = int(key[4:])
            updater.states[idx] = (value, arrays[f"var{idx}"])
            updater.states_synced[idx] = False
    opt._index_update_count.update({int(k): v for k, v in info["index_update_count"].items()})
    opt.num_update = info["num_update"]


def train(
    model_config: ModelConfig,
    config: TrainConfig,
    text: str,
    out: str | Path,
    *,
    vocab: Vocab | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    stop: StopFlag | None = None,
    corpus_info: dict | None = None,
    init: Callable | None = None,
    extra_stats: dict | None = None,
) -> dict:
    """Train on `text` (split into train/validation) and write the checkpoint to `out`.

    `init(net)` sets the starting weights of a new run (fine-tuning: the base model's, see
    `training/finetune.py`); `extra_stats` go into meta.json's training stats (a resumed run
    keeps the previous run's "base_model"). Returns the "done" event (`events.DoneEvent`).
    """
    run = _Run(model_config, config, text, Path(out), vocab, resume, corpus_info)
    run.finetune(init, extra_stats)
    return run.run(progress or (lambda event: None), stop or StopFlag())


class _Run:
    """One training run's network, optimizer, data and loop position."""

    def __init__(self, model_config, config, text, out, vocab, resume, corpus_info):
        import mxnet as mx
        from mxnet import gluon

        from ghostpen.model.charrnn import build_model
        from ghostpen.training.corpus import split
        from ghostpen.training.step import TrainStep, compile_net

        self.out, self.resume, self.start_time = out, resume, time.monotonic()
        self.position = {
            "epoch": 0,
            "chunk": 0,
            "step": 0,
            "lr": config.lr,
            "best_val_bpc": None,
            "bad_epochs": 0,
            "plateau_epochs": 0,
            "elapsed_s": 0.0,
        }
        previous: dict = {}
        if resume:
            ckpt = read_checkpoint(out)
            if not {"last", "optimizer"} <= set(ckpt.files) or not ckpt.resume:
                raise CheckpointError(
                    f"{out}: holds no resumable state (it was not saved by training)"
                )
            vocab, model_config = ckpt.vocab, ckpt.config
            config = TrainConfig.from_json({**ckpt.resume["train_config"], **_overrides(config)})
            self.position.update(ckpt.resume["position"])
            previous = ckpt.training
        self.vocab = vocab or Vocab.build(text)
        model_config.vocab_size = len(self.vocab)
        self.model_config, self.config = model_config, config

        mx.random.seed(config.seed)
        np.random.seed(config.seed)
        train_text, valid_text = split(text, config.valid_fraction)
        self.train_data = batchify(self.vocab.ids(train_text), config.batch_size)  # (rows, batch)
        self.valid_data = batchify(
            self.vocab.ids(valid_text), min(config.batch_size, VALID_BATCH)
        )  # (rows, streams)

        self.net = build_model(model_config)
        self.net.initialize(mx.init.Xavier(), ctx=mx.cpu())
        compile_net(self.net)  # one static graph; validation and short chunks re-plan it
        self.trainer = gluon.Trainer(
            self.net.collect_params(),
            "adam",
            {"learning_rate": self.position["lr"], "wd": config.weight_decay},
            kvstore=None,
        )
        self.step = TrainStep(self.net, self.trainer, config.clip)
        self.state = self.net.begin_state(config.batch_size)
        if resume:
            load_params(self.net, ckpt.path / ckpt.files["last"])
            arrays = mx.nd.load(str(ckpt.path / ckpt.files["optimizer"]))
            _restore_optimizer(self.trainer, arrays, ckpt.resume["optimizer"])
            if "state0" in arrays:
                self.state = [arrays[f"state{i}"] for i in range(len(self.state))]
        self.chunks_per_epoch = num_chunks(self.train_data, config.seq_len)
        self.elapsed_before = float(self.position["elapsed_s"])
        self.stats = {
            "name": out.name,
            "train_chars": len(train_text),
            "valid_chars": len(valid_text),
            "corpus": corpus_info or {},
            "train_config": config.to_json(),
            "history": list(previous.get("history", [])),
        }
        self.previous = previous

    def finetune(self, init: Callable | None, extra_stats: dict | None) -> None:
        """Start from `init`'s weights (a new run only) and record `extra_stats`."""
        if init is not None and not self.resume:
            init(self.net)
        kept = {k: v for k, v in self.previous.items() if k == "base_model"}
        self.stats.update(extra_stats or kept)

    def base_fields(self) -> dict:
        """The done event's base-model fields (fine-tunes only)."""
        base = self.stats.get("base_model") or {}
        return {"base_model": base.get("name"), "base_val_bpc": base.get("val_bpc")}

    def elapsed(self) -> float:
        return self.elapsed_before + time.monotonic() - self.start_time

    def run(self, emit: Progress, stop: StopFlag) -> dict:
        """Epochs until a stop reason; then the final save and the "done" event."""
        self.emit, self.stop = emit, stop
        position, config = self.position, self.config
        emit(
            events.to_json(
                events.StartEvent(
                    epochs=config.epochs,
                    chunks_per_epoch=self.chunks_per_epoch,
                    train_chars=self.stats["train_chars"],
                    valid_chars=self.stats["valid_chars"],
                    vocab=len(self.vocab),
                    resumed=self.resume,
                    epoch=position["epoch"],
                    step=position["step"],
                )
            )
        )
        reason = "epochs"
        while position["epoch"] < config.epochs:
            reason = self.epoch()
            if reason:
                break
            position["epoch"] += 1
            position["chunk"] = 0
            self.state = self.net.begin_state(config.batch_size)
            if not config.valid_every and self.validate():
                reason = "early stop"
                break
            reason = "epochs"
        if reason == "non-finite loss":
            pass  # keep the last finite checkpoint as it is
        elif reason in ("interrupted", "time budget") or not (self.out / "meta.json").exists():
            if position["best_val_bpc"] is None:
                if self.validate() is None:
                    reason = "non-finite loss"
            else:
                self.save(best=False)
        result = events.to_json(
            events.DoneEvent(
                reason=reason,
                best_val_bpc=position["best_val_bpc"],
                epochs=position["epoch"],
                steps=position["step"],
                elapsed_s=self.elapsed(),
                checkpoint=str(self.out),
                **self.base_fields(),
            )
        )
        emit(result)
        return result

    def epoch(self) -> str:
        """Train the rest of the current epoch; a stop reason, or "" when it ran to its end."""
        import mxnet as mx

        position, config = self.position, self.config
        mx.random.seed(config.seed + position["epoch"] * EPOCH_SEED_STRIDE + position["chunk"])
        last_save = time.monotonic()
        self.chars_seen, self.t_window = 0, time.monotonic()
        for i, x, y in chunks(self.train_data, config.seq_len, position["chunk"]):
            if self.stop.requested:
                return "interrupted"
            if config.minutes and time.monotonic() - self.start_time >= config.minutes * 60:
                return "time budget"
            loss, self.state = self.step(x, y, self.state)
            position["chunk"] = i + 1
            position["step"] += 1
            self.chars_seen += y.size
            if position["step"] % LOG_EVERY == 0 or i + 1 == self.chunks_per_epoch:
                if not self.log_step(loss, y.size):
                    return "non-finite loss"
            if config.valid_every and position["step"] % config.valid_every == 0:
                verdict = self.validate()
                if verdict is None:
                    return "non-finite loss"
                if verdict:
                    return "early stop"
            elif time.monotonic() - last_save > config.save_every_s:
                self.save(best=False)
                last_save = time.monotonic()
        return ""

    def log_step(self, loss, chunk_chars: int) -> bool:
        """Emit a step event; False (and no event) when the loss is NaN or infinite."""
        position, config = self.position, self.config
        bits = float(loss.mean().asscalar()) / LN2
        if not math.isfinite(bits):
            return False
        now = time.monotonic()
        cps = self.chars_seen / max(now - self.t_window, 1e-9)
        self.chars_seen, self.t_window = 0, now
        done = position["epoch"] * self.chunks_per_epoch + position["chunk"]
        remaining = (config.epochs * self.chunks_per_epoch - done) * chunk_chars / max(cps, 1e-9)
        if config.minutes:
            remaining = min(remaining, config.minutes * 60 - (now - self.start_time))
        self.emit(
            events.to_json(
                events.StepEvent(
                    epoch=position["epoch"],
                    chunk=position["chunk"],
                    chunks=self.chunks_per_epoch,
                    step=position["step"],
                    loss=bits,
                    chars_per_s=cps,
                    eta_s=max(0.0, remaining),
                    lr=position["lr"],
                )
            )
        )
        return True

    def validate(self) -> bool | None:
        """Evaluate and decay the learning rate on a plateau; True when training should stop.

        None when the validation bpc is NaN/inf: nothing is saved (no NaN "best").
        """
        position, config = self.position, self.config
        val = evaluate(self.net, self.valid_data)
        if not math.isfinite(val):
            return None
        best = position["best_val_bpc"]
        improved = best is None or val < best - MIN_IMPROVEMENT
        if improved:
            position.update(best_val_bpc=val, bad_epochs=0, plateau_epochs=0)
        else:
            position["bad_epochs"] += 1
            position["plateau_epochs"] += 1
            if position["plateau_epochs"] >= config.lr_patience and position["lr"] > config.min_lr:
                position["lr"] = max(config.min_lr, position["lr"] * config.lr_decay)
                self.trainer.set_learning_rate(position["lr"])
                position["plateau_epochs"] = 0
        self.stats["history"].append(
            {
                "epoch": position["epoch"],
                "step": position["step"],
                "val_bpc": round(val, 4),
                "lr": position["lr"],
                "elapsed_s": round(self.elapsed(), 1),
            }
        )
        self.save(best=improved)
        self.emit(
            events.to_json(
                events.ValidEvent(
                    epoch=position["epoch"],
                    step=position["step"],
                    val_bpc=val,
                    best_val_bpc=position["best_val_bpc"],
                    lr=position["lr"],
                    improved=improved,
                    elapsed_s=self.elapsed(),
                )
            )
        )
        return position["bad_epochs"] >= config.patience

    def save(self, best: bool) -> None:
        """Rewrite the checkpoint: resume state always, best weights when `best` (or none yet)."""
        position = self.position
        position["elapsed_s"] = round(self.elapsed(), 1)
        self.stats.update(
            epochs=position["epoch"],
            steps=position["step"],
            best_val_bpc=position["best_val_bpc"],
            elapsed_s=position["elapsed_s"],
        )
        arrays, opt_info = _optimizer_state(self.trainer)
        arrays.update({f"state{i}": s for i, s in enumerate(self.state)})
        keep = {}
        if not best:
            existing = _existing_best(self.out)
            if existing:
                keep["params"] = existing
        save_checkpoint(
            self.out,
            self.model_config,
            self.vocab,
            params=self.net if (best or not keep) else None,
            keep=keep,
            last_params=self.net,
            optimizer_state=arrays,
            training=self.stats,
            resume={
                "position": dict(position),
                "optimizer": opt_info,
                "train_config": self.config.to_json(),
            },
        )


def _existing_best(out: Path) -> str | None:
    try:
        return read_checkpoint(out).files.get("params")
    except CheckpointError:
        return None


def _overrides(config: TrainConfig) -> dict:
    """On resume, the settings the user may change: budget (for this run), epochs, patience."""
    return {"epochs": config.epochs, "minutes": config.minutes, "patience": config.patience}
