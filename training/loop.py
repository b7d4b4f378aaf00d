"""The training loop: truncated BPTT with Adam, clipping, LR decay on plateau, early stopping.

One call of `train()` runs epochs until `epochs`, the time budget, early stopping, a stop
request (Ctrl+C / SIGTERM set `StopFlag`) or a non-finite loss. After every validation the
checkpoint directory is rewritten crash-safely: best weights (lowest validation bpc) for using
the model, latest weights + Adam moments + loop position for `--resume`; the run ends with a
save of its last step (unless the loss went non-finite: the last finite checkpoint is kept).
What to train, on what and from where is the run's plan (`training/plan.py`, made once). The
steps: `_Run.__init__` (position, data, network, the resumed state), `_Run.run` (epochs, then
`final_save`), `_Run.epoch` (training chunks, one `TrainStep` each), `_Run.validate` and
`_Run.save`; progress goes out as the events of `ghostpen.training.events`.

The output folder is claimed (`training.plan.claim_output_for`) for the whole run: nobody else's
files are touched, a model already there is replaced only with `force` (its files go after the
new run's first checkpoint is written), and a failed write (a full disk) raises `SaveError`
with the last good checkpoint kept.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ghostpen.model.archs import build_model
from ghostpen.model.checkpoint import META, load_params, save_checkpoint
from ghostpen.model.config import ModelConfig
from ghostpen.model.meta import BaseModel, CorpusRecord, TrainingStats, read_section
from ghostpen.model.vocab import Vocab
from ghostpen.model.wordlm import WordLM
from ghostpen.mxcompat import require_mxnet
from ghostpen.oserrors import describe_write_error
from ghostpen.training import events
from ghostpen.training.config import TrainConfig
from ghostpen.training.corpus import VALID_STREAMS
from ghostpen.training.data import batchify, chunks, num_chunks
from ghostpen.training.dist import Dist
from ghostpen.training.plan import RunPlan, claim_output_for, plan_run
from ghostpen.training.step import TrainStep, compile_net, optimizer_state, restore_optimizer

LN2 = math.log(2.0)
LOG_EVERY = 10  # steps between step events (and NaN/inf checks of the loss)
MIN_IMPROVEMENT = 1e-4  # bpc by which a validation must beat the best to count as better
VALID_SEQ = 200  # characters per validation chunk
VALID_BATCH = VALID_STREAMS  # at most this many validation streams (fewer for a smaller batch)
EPOCH_SEED_STRIDE = 1000  # dropout seed of a chunk: seed + epoch * stride + chunk
Progress = Callable[[dict], None]


class SaveError(Exception):
    """Writing the checkpoint failed (e.g. a full disk); the message says what is kept."""


class StopFlag:
    """Set from a signal handler; the loop checks it between steps and saves before leaving."""

    def __init__(self) -> None:
        self.requested = False

    def set(self, *_args) -> None:
        self.requested = True


def evaluate(net, data: np.ndarray, seq_len: int = VALID_SEQ, ctx=None) -> float:
    """Bits per character of `net` on batchified `data` (rows, batch); dropout off."""
    mx = require_mxnet()

    ctx = ctx or mx.cpu()
    state = net.begin_state(data.shape[1], ctx=ctx)
    loss_fn = mx.gluon.loss.SoftmaxCrossEntropyLoss()
    total, count = 0.0, 0
    for _, x, y in chunks(data, seq_len):
        logits, state = net(mx.nd.array(x, ctx=ctx), state)  # (seq*batch, vocab)
        loss = loss_fn(logits, mx.nd.array(y.reshape(-1), ctx=ctx))
        total += float(loss.sum().asscalar())
        count += y.size
    return total / count / LN2


def train(
    model_config: ModelConfig | None,
    config: TrainConfig | None,
    text: str,
    out: str | Path,
    *,
    vocab: Vocab | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    stop: StopFlag | None = None,
    corpus_info: dict | None = None,
    force: bool = False,
    claim=None,
    dist=None,
    init: Callable | None = None,
    extra_stats: dict | None = None,
    word_model: bool = True,
    plan: RunPlan | None = None,
) -> dict:
    """Train on `text` (split into train/validation) and write the checkpoint to `out`.

    `plan`: the run's `training.plan.RunPlan` when the caller made it (then the settings,
    text, out, vocab and resume arguments are its); else one is made here. `out` is claimed for
    the run (`claim_output_for`; OutputError when it cannot be used) unless the caller passes
    the `claim` it holds; under a distributed run only rank 0 (which alone writes) claims it.
    `dist`: a `ghostpen.training.dist.Dist` (KVStore, devices, rank); None = one process, CPU.
    `init(net)` sets the starting weights of a new run (fine-tuning: the base model's, see
    `training/finetune.py`); `extra_stats` go into meta.json's training stats (a resumed run
    keeps the previous run's "base_model"); `word_model`: write the word n-gram model
    (`model/wordlm.py`) of the training split too. Returns the "done" event
    (`events.DoneEvent` as a dict); raises SaveError when a checkpoint cannot be written.
    """
    if plan is None:
        plan = plan_run(model_config, config, text, out, resume=resume, vocab=vocab,
                        corpus_info=corpus_info)  # fmt: skip
    own = claim is None
    if own:
        claim = claim_output_for(plan, force, dist)
    try:
        run = _Run(plan, dist or Dist())
        run.finetune(init, extra_stats)
        if word_model and run.dist.chief and run.word_file is None:  # the training split only
            run.word_lm = WordLM.train([plan.splits[0]])
        return run.run(progress or (lambda event: None), stop or StopFlag())
    finally:
        if own and claim is not None:
            claim.release()


def _start_position(lr: float) -> dict:
    """The loop position of a new run (meta.json's resume.position)."""
    return {
        "epoch": 0,
        "chunk": 0,
        "step": 0,
        "lr": lr,
        "best_val_bpc": None,
        "bad_epochs": 0,
        "plateau_epochs": 0,
        "elapsed_s": 0.0,
    }


class _Run:
    """One training run's network, optimizer, data and loop position."""

    def __init__(self, plan: RunPlan, dist: Dist):
        self.plan, self.dist, self.out = plan, dist, plan.out
        self.model_config, self.config, self.vocab = plan.model, plan.config, plan.vocab
        self.resume, self.start_time = plan.resumed is not None, time.monotonic()
        self.position = _start_position(plan.config.lr)
        self.best_file: str | None = None  # best weights written by this run (or the resumed)
        self.word_file, self.word_lm = None, None  # the word model's file; one to write
        self.saved_step: int | None = None  # the step of this run's last checkpoint
        self.replacing = not self.resume and (plan.out / META).exists()  # --force over another
        self.previous = plan.resumed.stats if plan.resumed else TrainingStats()
        if plan.resumed is not None:
            self._continue_position(plan.resumed)
        self._seed_and_batch()
        self._build_network()
        if plan.resumed is not None:
            self._restore(plan.resumed)
        self.chunks_per_epoch = num_chunks(self.train_data, self.config.seq_len)
        self.elapsed_before = float(self.position["elapsed_s"])
        self.stats = TrainingStats(
            name=plan.out.name,
            train_chars=len(plan.splits[0]),
            valid_chars=len(plan.splits[1]),
            corpus=read_section(CorpusRecord, plan.corpus_info, "training.corpus"),
            train_config=self.config.to_json(),
            history=list(self.previous.history or []),
        )

    def _continue_position(self, ckpt) -> None:
        """The resumed checkpoint's loop position, best weights and word model."""
        self.position.update(ckpt.resume["position"])
        self.best_file, self.saved_step = ckpt.files["params"], self.position["step"]
        self.word_file = ckpt.files.get("wordlm")

    def _seed_and_batch(self) -> None:
        """Seed MXNet and numpy; this worker's training streams and the validation streams."""
        mx = require_mxnet()
        config, dist = self.config, self.dist
        mx.random.seed(config.seed)
        np.random.seed(config.seed)
        train_text, valid_text = self.plan.splits
        self.batch = dist.local_batch(config.batch_size)  # this worker's streams
        train_ids = dist.shard(self.vocab.ids(train_text), config.batch_size)
        self.train_data = batchify(train_ids, self.batch)  # (rows, batch / workers)
        self.valid_data = batchify(
            self.vocab.ids(valid_text), min(config.batch_size, VALID_BATCH)
        )  # (rows, streams)

    def _build_network(self) -> None:
        """The network (initialised, compiled), its Adam trainer, the step and the state."""
        mx = require_mxnet()
        from mxnet import gluon

        config, dist = self.config, self.dist
        self.net = build_model(self.model_config)
        self.net.initialize(mx.init.Xavier(), ctx=dist.ctx)
        compile_net(self.net)  # one static graph; validation and short chunks re-plan it
        self.trainer = gluon.Trainer(
            self.net.collect_params(),
            "adam",
            {"learning_rate": self.position["lr"], "wd": config.weight_decay},
            **dist.trainer_args(),  # no KVStore for one process on one device
        )
        reduce_first = dist.kv is not None and not dist.update_on_kvstore
        self.step = TrainStep(
            self.net, self.trainer, config.clip, ctx=dist.ctx, workers=dist.workers,
            reduce_first=reduce_first,
            fixed_chars=config.seq_len * self.batch if dist.update_on_kvstore else None,
        )  # fmt: skip
        self.state = self.net.begin_state(self.batch)

    def _restore(self, ckpt) -> None:
        """The resumed checkpoint's latest weights, Adam moments and recurrent state."""
        mx = require_mxnet()
        load_params(self.net, ckpt.path / ckpt.files["last"])
        self.net.collect_params().reset_ctx(self.dist.ctx)  # rank 0's reach all via the store
        arrays = mx.nd.load(str(ckpt.path / ckpt.files["optimizer"]))
        restore_optimizer(self.trainer, arrays, ckpt.resume["optimizer"])
        if "state0" in arrays:
            self.state = [arrays[f"state{i}"] for i in range(len(self.state))]

    def finetune(self, init: Callable | None, extra_stats: dict | None) -> None:
        """Start from `init`'s weights (a new run only) and record `extra_stats`
        ({"base_model": …}; a resumed run keeps the previous run's)."""
        if init is not None and not self.resume:
            init(self.net)
        base = (extra_stats or {}).get("base_model")
        self.stats.base_model = (
            read_section(BaseModel, base, "training.base_model")
            if base is not None
            else self.previous.base_model
        )

    def base_fields(self) -> dict:
        """The done event's base-model fields (fine-tunes only)."""
        base = self.stats.base_model or BaseModel()
        return {"base_model": base.name, "base_val_bpc": base.val_bpc}

    def elapsed(self) -> float:
        return self.elapsed_before + time.monotonic() - self.start_time

    def run(self, emit: Progress, stop: StopFlag) -> dict:
        """Epochs until a stop reason; then the final save and the "done" event."""
        self.emit, self.stop = emit, stop
        position, config = self.position, self.config
        self.dist.start([self.trainer], config.seq_len * self.batch)  # rank 0's weights to all
        emit(
            events.to_json(
                events.StartEvent(
                    epochs=config.epochs,
                    chunks_per_epoch=self.chunks_per_epoch,
                    train_chars=self.stats.train_chars,
                    valid_chars=self.stats.valid_chars,
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
            self.state = self.net.begin_state(self.batch)
            if not config.valid_every and self.validate():
                reason = "early stop"
                break
            reason = "epochs"
        self.dist.finish()  # every worker's queued gradient rounds complete while all are alive
        self.dist.same_everywhere([p.data().asnumpy() for p in self.net.collect_params().values()])
        reason = self.final_save(reason)
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

    def final_save(self, reason: str) -> str:
        """Save the last step unless nothing changed; the run's stop reason after it."""
        position = self.position
        if reason == "non-finite loss" or not self.dist.chief:
            pass  # keep the last finite checkpoint as it is; only rank 0 writes
        elif self.replacing and self.saved_step is None and position["step"] == 0:
            pass  # stopped before a single step: the model that was there stays
        elif self.saved_step != position["step"] or not (self.out / META).exists():
            if position["best_val_bpc"] is None:
                if self.validate_here() is None:
                    return "non-finite loss"
            else:
                self.save(best=False)
        return reason

    def epoch(self) -> str:
        """Train the rest of the current epoch; a stop reason, or "" when it ran to its end."""
        mx = require_mxnet()

        position, config = self.position, self.config
        mx.random.seed(config.seed + position["epoch"] * EPOCH_SEED_STRIDE + position["chunk"])
        last_save = time.monotonic()
        self.chars_seen, self.t_window = 0, time.monotonic()
        for i, x, y in chunks(self.train_data, config.seq_len, position["chunk"]):
            late = (
                bool(config.minutes) and time.monotonic() - self.start_time >= config.minutes * 60
            )
            reason = self.dist.agree(self.stop.requested, late)  # all workers stop together
            if reason:
                return reason
            loss, self.state = self.step(x, y, self.state)
            position["chunk"] = i + 1
            position["step"] += 1
            chars = y.size * self.dist.workers  # the step's characters over all workers
            self.chars_seen += chars
            if position["step"] % LOG_EVERY == 0 or i + 1 == self.chunks_per_epoch:
                if not self.log_step(loss, chars):
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
        """Rank 0 validates (`validate_here`); under dist_sync its verdict and decay reach all."""
        position, config, lr = self.position, self.config, self.position["lr"]
        verdict = self.validate_here() if self.dist.chief else False
        verdict, decayed, best = self.dist.share_validation(
            verdict, position["lr"] != lr, position["best_val_bpc"]
        )
        if not self.dist.chief:
            if decayed:  # the same float64 rule as rank 0's, so the Adam steps stay identical
                position["lr"] = max(config.min_lr, lr * config.lr_decay)
                self.trainer.set_learning_rate(position["lr"])
            position["best_val_bpc"] = best
        return verdict

    def validate_here(self) -> bool | None:
        """Evaluate and decay the learning rate on a plateau; True when training should stop.

        None when the validation bpc is NaN/inf: nothing is saved (no NaN "best").
        """
        position, config = self.position, self.config
        val = evaluate(self.net, self.valid_data, ctx=self.dist.ctx[0])
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
        self.stats.history.append(
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
        if not self.dist.chief:
            return  # only rank 0 writes checkpoints
        position = self.position
        position["elapsed_s"] = round(self.elapsed(), 1)
        stats = self.stats
        stats.epochs, stats.steps = position["epoch"], position["step"]
        stats.best_val_bpc, stats.elapsed_s = position["best_val_bpc"], position["elapsed_s"]
        mx = require_mxnet()

        arrays, opt_info = optimizer_state(self.trainer)
        arrays.update({f"state{i}": s for i, s in enumerate(self.state)})
        # only best weights of this run (or of the run resumed) are kept: a model that was in
        # the folder before may have another shape than the config this meta.json describes
        write_best = best or self.best_file is None or position["best_val_bpc"] is None
        keep = {} if write_best else {"params": self.best_file}
        keep.update({"wordlm": self.word_file} if self.word_file else {})
        try:
            files = save_checkpoint(
                self.out,
                self.model_config,
                self.vocab,
                params=self.net if write_best else None,
                keep=keep,
                word_model=self.word_lm,
                last_params=self.net,
                optimizer_state=arrays,
                training=self.stats,
                resume={
                    "position": dict(position),
                    "optimizer": opt_info,
                    "train_config": self.config.to_json(),
                },
            )
        except (OSError, mx.base.MXNetError) as exc:
            raise SaveError(self._save_failure(exc)) from None
        self.best_file, self.saved_step = files["params"], position["step"]
        if self.word_lm is not None:
            self.word_file, self.word_lm = files["wordlm"], None

    def _save_failure(self, exc: BaseException) -> str:
        # "disk full", not errno 28 or MXNet's "Check failed: std::fwrite" (ghostpen/oserrors.py)
        why = describe_write_error(exc, self.out, need=_checkpoint_bytes(self.net))
        if self.saved_step is not None:
            kept = f"the checkpoint of step {self.saved_step} is kept"
        elif (self.out / META).exists():
            kept = "the model that was there before is kept"
        else:
            kept = "nothing was saved"
        return f"cannot write the checkpoint in {self.out} ({why}); {kept}"


def _checkpoint_bytes(net) -> int:
    """About how many bytes one save writes: best and last weights, two Adam moments (float32)."""
    try:
        return 4 * 4 * sum(p.data().size for p in net.collect_params().values())
    except Exception:  # noqa: BLE001 - only an estimate for a message; never fail the message
        return 0
