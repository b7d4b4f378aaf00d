"""The training loop: truncated BPTT with Adam, clipping, LR decay on plateau, early stopping.

One call of `train()` runs epochs until `epochs`, the time budget, early stopping or a stop
request (Ctrl+C / SIGTERM set `StopFlag`). After every validation the checkpoint directory is
rewritten crash-safely: best weights (lowest validation bpc) for using the model, latest
weights + Adam moments + loop position for `--resume`.
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
from ghostpen.training.config import TrainConfig
from ghostpen.training.data import batchify, chunks, num_chunks

LN2 = math.log(2.0)
Progress = Callable[[dict], None]


class StopFlag:
    """Set from a signal handler; the loop checks it between steps and saves before leaving."""

    def __init__(self) -> None:
        self.requested = False

    def set(self, *_args) -> None:
        self.requested = True


def evaluate(net, data: np.ndarray, seq_len: int = 200) -> float:
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
) -> dict:
    """Train on `text` (split into train/validation) and write the checkpoint to `out`."""
    import mxnet as mx
    from mxnet import autograd, gluon

    from ghostpen.model.charrnn import build_model, detach
    from ghostpen.training.corpus import split

    emit = progress or (lambda event: None)
    stop = stop or StopFlag()
    out = Path(out)
    start_time = time.monotonic()

    position = {
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
            raise CheckpointError(f"{out}: holds no resumable state (it was not saved by training)")
        vocab, model_config = ckpt.vocab, ckpt.config
        config = TrainConfig.from_json({**ckpt.resume["train_config"], **_overrides(config)})
        position.update(ckpt.resume["position"])
        previous = ckpt.training
    vocab = vocab or Vocab.build(text)
    model_config.vocab_size = len(vocab)

    mx.random.seed(config.seed)
    np.random.seed(config.seed)
    train_text, valid_text = split(text, config.valid_fraction)
    train_data = batchify(vocab.ids(train_text), config.batch_size)  # (rows, batch)
    valid_data = batchify(vocab.ids(valid_text), min(config.batch_size, 16))

    net = build_model(model_config)
    net.initialize(mx.init.Xavier(), ctx=mx.cpu())
    trainer = gluon.Trainer(
        net.collect_params(),
        "adam",
        {"learning_rate": position["lr"], "wd": config.weight_decay},
        kvstore=None,
    )
    state = net.begin_state(config.batch_size)
    if resume:
        load_params(net, ckpt.path / ckpt.files["last"])
        arrays = mx.nd.load(str(ckpt.path / ckpt.files["optimizer"]))
        _restore_optimizer(trainer, arrays, ckpt.resume["optimizer"])
        if "state0" in arrays:
            state = [arrays[f"state{i}"] for i in range(len(state))]
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    chunks_per_epoch = num_chunks(train_data, config.seq_len)
    elapsed_before = float(position["elapsed_s"])
    stats = {
        "name": out.name,
        "train_chars": len(train_text),
        "valid_chars": len(valid_text),
        "corpus": corpus_info or {},
        "train_config": config.to_json(),
        "history": list(previous.get("history", [])),
    }

    def elapsed() -> float:
        return elapsed_before + time.monotonic() - start_time

    def save(best: bool) -> None:
        position["elapsed_s"] = round(elapsed(), 1)
        stats.update(
            epochs=position["epoch"],
            steps=position["step"],
            best_val_bpc=position["best_val_bpc"],
            elapsed_s=position["elapsed_s"],
        )
        arrays, opt_info = _optimizer_state(trainer)
        arrays.update({f"state{i}": s for i, s in enumerate(state)})
        keep = {}
        if not best:
            existing = _existing_best(out)
            if existing:
                keep["params"] = existing
        save_checkpoint(
            out,
            model_config,
            vocab,
            params=net if (best or not keep) else None,
            keep=keep,
            last_params=net,
            optimizer_state=arrays,
            training=stats,
            resume={
                "position": dict(position),
                "optimizer": opt_info,
                "train_config": config.to_json(),
            },
        )

    def validate() -> bool:
        """Evaluate, decay the learning rate on a plateau; True when training should stop."""
        val = evaluate(net, valid_data)
        best = position["best_val_bpc"]
        improved = best is None or val < best - 1e-4
        if improved:
            position.update(best_val_bpc=val, bad_epochs=0, plateau_epochs=0)
        else:
            position["bad_epochs"] += 1
            position["plateau_epochs"] += 1
            if position["plateau_epochs"] >= config.lr_patience and position["lr"] > config.min_lr:
                position["lr"] = max(config.min_lr, position["lr"] * config.lr_decay)
                trainer.set_learning_rate(position["lr"])
                position["plateau_epochs"] = 0
        stats["history"].append(
            {
                "epoch": position["epoch"],
                "step": position["step"],
                "val_bpc": round(val, 4),
                "lr": position["lr"],
                "elapsed_s": round(elapsed(), 1),
            }
        )
        save(best=improved)
        emit(
            {
                "event": "valid",
                "epoch": position["epoch"],
                "step": position["step"],
                "val_bpc": val,
                "best_val_bpc": position["best_val_bpc"],
                "lr": position["lr"],
                "improved": improved,
                "elapsed_s": elapsed(),
            }
        )
        return position["bad_epochs"] >= config.patience

    emit(
        {
            "event": "start",
            "epochs": config.epochs,
            "chunks_per_epoch": chunks_per_epoch,
            "train_chars": len(train_text),
            "valid_chars": len(valid_text),
            "vocab": len(vocab),
            "resumed": resume,
            "epoch": position["epoch"],
            "step": position["step"],
        }
    )
    reason = "epochs"
    last_save = time.monotonic()
    chars_seen, t_window = 0, time.monotonic()
    while position["epoch"] < config.epochs:
        mx.random.seed(config.seed + position["epoch"] * 1000 + position["chunk"])
        for i, x, y in chunks(train_data, config.seq_len, position["chunk"]):
            if stop.requested:
                reason = "interrupted"
                break
            if config.minutes and time.monotonic() - start_time >= config.minutes * 60:
                reason = "time budget"
                break
            state = detach(state)
            with autograd.record():
                logits, state = net(mx.nd.array(x), state)  # (seq*batch, vocab)
                loss = loss_fn(logits, mx.nd.array(y.reshape(-1)))
            loss.backward()
            grads = [p.grad() for p in net.collect_params().values() if p.grad_req != "null"]
            gluon.utils.clip_global_norm(grads, config.clip * y.size)
            trainer.step(y.size)
            position["chunk"] = i + 1
            position["step"] += 1
            chars_seen += y.size
            if position["step"] % 10 == 0 or i + 1 == chunks_per_epoch:
                now = time.monotonic()
                cps = chars_seen / max(now - t_window, 1e-9)
                chars_seen, t_window = 0, now
                done = position["epoch"] * chunks_per_epoch + i + 1
                remaining = (config.epochs * chunks_per_epoch - done) * y.size / max(cps, 1e-9)
                if config.minutes:
                    remaining = min(remaining, config.minutes * 60 - (now - start_time))
                emit(
                    {
                        "event": "step",
                        "epoch": position["epoch"],
                        "chunk": i + 1,
                        "chunks": chunks_per_epoch,
                        "step": position["step"],
                        "loss": float(loss.mean().asscalar()) / LN2,
                        "chars_per_s": cps,
                        "eta_s": max(0.0, remaining),
                        "lr": position["lr"],
                    }
                )
            if config.valid_every and position["step"] % config.valid_every == 0:
                if validate():
                    reason = "early stop"
                    break
            elif time.monotonic() - last_save > config.save_every_s:
                save(best=False)
                last_save = time.monotonic()
        else:
            position["epoch"] += 1
            position["chunk"] = 0
            state = net.begin_state(config.batch_size)
            if not config.valid_every and validate():
                reason = "early stop"
                break
            last_save = time.monotonic()
            continue
        break
    if reason in ("interrupted", "time budget") or not (out / "meta.json").exists():
        if position["best_val_bpc"] is None:
            validate()
        else:
            save(best=False)
    result = {
        "event": "done",
        "reason": reason,
        "best_val_bpc": position["best_val_bpc"],
        "epochs": position["epoch"],
        "steps": position["step"],
        "elapsed_s": elapsed(),
        "checkpoint": str(out),
    }
    emit(result)
    return result


def _existing_best(out: Path) -> str | None:
    try:
        return read_checkpoint(out).files.get("params")
    except CheckpointError:
        return None


def _overrides(config: TrainConfig) -> dict:
    """On resume, the settings the user may change: budget (for this run), epochs, patience."""
    return {"epochs": config.epochs, "minutes": config.minutes, "patience": config.patience}
