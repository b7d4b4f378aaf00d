"""Training on several processes or devices: MXNet's KVStore, corpus shards, shared decisions.

`ghostpen train --kvstore local|device|dist_sync|dist_async [--gpus 0,1]` builds one `Dist`
per process; `training/loop.py` asks it for the contexts, the Trainer's kvstore, this worker's
shard of the corpus and, under `dist_sync`, for the decisions every worker must take together.
`ghostpen train-gan --kvstore …` (training/gan.py) uses the same: its two Trainers share the
store through `KeyRange` (under dist_async the servers then run one optimizer for both: the
same Adam settings, each key its own state). `ghostpen launch` (training/launch.py) starts the
processes a `dist_*` store needs.

The rules:
- Batch: `--batch-size` is the TOTAL batch of one step, over all workers and devices. Each
  worker takes `batch / workers` streams (and splits them over its devices); it must divide.
- Gradient normalisation and learning rate: the gradients of all workers (and devices) are
  summed by the KVStore, clipped to `clip × total characters` and divided by the total
  characters of the step — exactly the single-process update for the same total batch. So the
  learning rate needs no scaling: the same flags give the same training with 1 or N workers.
- Shards: worker r of W reads the contiguous range [r·n, (r+1)·n) of the training ids, with
  n = (len // (W·b))·b for its b = batch / W streams. Every worker then has the same number of
  chunks per epoch, and its b streams are exactly the single-process streams r·b … (r+1)·b-1:
  the BPTT streams stay intact and a W-worker run sees the same data as one process.
- Initial parameters: `start(trainers)`, before the first forward pass, puts every parameter
  in the store (KVStore `init` keeps worker 0's value, also rank 0's resumed weights), pulls
  it on every worker and waits until the pulls are done. Not left to the Trainer's first
  step: under `update_on_kvstore=False` a server keeps under each parameter's key the last
  summed GRADIENT, and the Trainer's lazy broadcast queued a weight's pull with no dependency
  on the same key's first gradient push; when the pull reached the server after both workers'
  first gradients it returned their sum as the weight (1 run in 3, one tensor of one worker:
  the workers then trained on different weights). `same_everywhere` checks at the end of a
  dist_sync run that every worker holds identical parameters.
- Only rank 0 validates, writes checkpoints and prints progress. Under `dist_sync` every step
  starts with a tiny all-reduce (`agree`) so that all workers stop together (Ctrl+C on any of
  them, or the time budget), and rank 0's validation verdict and learning-rate decay reach the
  others (`share_validation`; they apply the decay by the same float64 rule, so the Adam steps
  stay identical); otherwise a worker left waiting for its peers' gradients would hang.
- Under `dist_sync` the optimizer runs on every worker (`update_on_kvstore=False`) on the same
  summed gradients, so the Adam moments stay local, identical, and are saved for `--resume`.
- `dist_async` (MXNet requires the optimizer on the servers there): workers do not wait for
  each other, each runs its own epochs; rank 0's plateau learning-rate decay does not reach the
  servers, and `--resume` restarts the Adam moments (they live on the servers). Use
  `dist_sync` unless the network is the bottleneck.
- `--resume` of a distributed run: every worker reads the settings, vocabulary and loop
  position from `--out` (a shared folder, or a copy of rank 0's), the weights reach all of
  them from rank 0 through the store.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import time

import numpy as np

KVSTORES = ("local", "device", "dist_sync", "dist_async")
CONTROL_KEY = 1_000_003  # a store key no Trainer parameter uses (they are 0 … n-1)
ROUND_TIMEOUT_S = 600.0  # a control round not complete by then: a worker is gone
ROUND_POLL_S = 0.001  # between pulls while a round is not complete yet
VERDICTS = {0: False, 1: True, 2: None}  # validate(): continue / early stop / non-finite


class DistError(ValueError):
    """The workers of a distributed run lost each other (said as one line, not a traceback)."""


def parse_gpus(text: str) -> tuple[int, ...]:
    """'0,1' -> (0, 1); an argparse type (a bad list is a usage error)."""
    try:
        ids = tuple(int(part) for part in text.split(","))
    except ValueError:
        ids = ()
    if not ids or min(ids) < 0 or len(set(ids)) != len(ids):
        raise argparse.ArgumentTypeError(f"expected distinct device numbers like 0,1, not {text!r}")
    return ids


def shard(ids: np.ndarray, rank: int, workers: int, streams: int) -> np.ndarray:
    """Worker `rank`'s contiguous range of `ids` for `streams` BPTT streams (see the rules)."""
    n = (len(ids) // (workers * streams)) * streams
    return ids[rank * n : (rank + 1) * n]


class Dist:
    """This process's place in a run: contexts, KVStore, rank, and the shared decisions."""

    def __init__(self, kvstore: str | None = None, gpus: tuple[int, ...] | None = None):
        from ghostpen.mxcompat import require_mxnet

        mx = require_mxnet()

        if kvstore is not None and kvstore not in KVSTORES:
            raise ValueError(f"--kvstore must be one of {', '.join(KVSTORES)}")
        self.ctx = [mx.gpu(i) for i in gpus] if gpus else [mx.cpu()]
        if kvstore is None and len(self.ctx) > 1:
            kvstore = "device"  # the devices' gradients must be summed by something
        if kvstore and kvstore.startswith("dist") and "DMLC_ROLE" not in os.environ:
            raise ValueError(
                f"--kvstore {kvstore} needs the scheduler and servers: start the run with "
                "`ghostpen launch -n WORKERS -- train …` (or `-- train-gan …`)"
            )
        self.kind = kvstore
        self.kv = mx.kv.create(kvstore) if kvstore else None
        self.rank = self.kv.rank if self.kv else 0
        self.workers = self.kv.num_workers if self.kv else 1
        self.chief = self.rank == 0
        self.sync = kvstore == "dist_sync" and self.workers > 1
        self.update_on_kvstore = True if kvstore == "dist_async" else False if kvstore else None

    def local_batch(self, batch: int) -> int:
        """This worker's streams for the total `batch`; ValueError when it does not divide."""
        parts = self.workers * len(self.ctx)
        if batch % parts:
            raise ValueError(
                f"batch size {batch} must be a multiple of workers × devices ({self.workers} × "
                f"{len(self.ctx)}): it is the total batch of one step"
            )
        return batch // self.workers

    def shard(self, ids: np.ndarray, batch: int) -> np.ndarray:
        """This worker's part of the training ids (all of them for a single worker)."""
        if self.workers == 1:
            return ids
        return shard(ids, self.rank, self.workers, self.local_batch(batch))

    def part(self, n: int) -> slice:
        """This worker's contiguous share of `n` items (images): n // workers of them each."""
        m = n // self.workers
        return slice(self.rank * m, (self.rank + 1) * m)

    def step_size(self, local: int) -> int:
        """What `Trainer.step` divides the gradients by for `local` samples of this worker: the
        total over all workers where the store sums their gradients before the update."""
        return local if self.update_on_kvstore else local * self.workers

    def trainer_args(self, base: int = 0) -> dict:
        """kvstore / update_on_kvstore for `gluon.Trainer` (None: no store, as before).

        A Trainer names its parameters 0 … n-1 in the store; a second Trainer on the same store
        (the GAN's discriminator) takes the keys from `base` on (`KeyRange`)."""
        if self.kv is None:
            return {"kvstore": None}
        kv = KeyRange(self.kv, base) if base else self.kv
        return {"kvstore": kv, "update_on_kvstore": self.update_on_kvstore}

    def start(self, trainers: list, batch: int) -> None:
        """Every worker gets rank 0's parameters of `trainers` before the first forward pass.

        Call it once the weights are set (initialised, fine-tune base, resumed). `batch`: what
        `step` will be given (under dist_async the optimizer, with its gradient scale, goes to
        the servers now). Waits until the pulls are done, so that no worker's first gradient
        can reach the servers before a weight pull (see the rules above)."""
        if self.kv is None:
            return
        from ghostpen.mxcompat import require_mxnet

        mx = require_mxnet()

        for trainer in trainers:
            trainer._optimizer.rescale_grad = trainer._scale / batch  # as step(batch) sets it
            if not trainer._kv_initialized:
                trainer._init_kvstore()
            trainer._init_params()  # KVStore init (rank 0's value) + pull, for every parameter
            if trainer._params_to_init:
                names = ", ".join(p.name for p in trainer._params_to_init)
                raise ValueError(f"parameters without a shape cannot be shared yet: {names}")
        mx.nd.waitall()

    def sum_arrays(self, arrays: list, base: int, chief_only: bool = False) -> list:
        """The element-wise sums over all workers of `arrays` (NDArrays of the same shapes on
        every worker; keys base, base+1, …; dist_sync only). `chief_only`: the others add
        zeros, so everyone gets rank 0's values. Each worker pulls after its own push, which
        the servers answer only once every worker's push is merged: the pull sees this round."""
        from ghostpen.mxcompat import require_mxnet

        mx = require_mxnet()

        keys = [base + i for i in range(len(arrays))]
        ready = self.__dict__.setdefault("_ranges", set())
        if base not in ready:
            self.kv.init(keys, [mx.nd.zeros(a.shape, dtype=a.dtype) for a in arrays])
            ready.add(base)
        mine = [a.copy() if self.chief or not chief_only else a.zeros_like() for a in arrays]
        out = [mx.nd.zeros(a.shape, dtype=a.dtype) for a in arrays]
        self.kv.push(keys, mine)
        self.kv.pull(keys, out=out)
        mx.nd.waitall()
        return out

    def same_everywhere(self, arrays: list[np.ndarray]) -> None:
        """Under dist_sync, DistError unless every worker holds exactly these `arrays` (a
        48-bit digest, compared in 12-bit pieces that a float32 sum carries exactly)."""
        if not self.sync:
            return
        digest = hashlib.blake2b(digest_size=6)
        for a in arrays:
            digest.update(np.ascontiguousarray(a).tobytes())
        n = int.from_bytes(digest.digest(), "big")
        pieces = [float((n >> (12 * k)) & 0xFFF) for k in range(4)]
        for pair in (pieces[:2], pieces[2:]):
            total = self._allreduce([*(pair if self.chief else [0.0, 0.0]), *pair])
            if list(total[2:]) != [t * self.workers for t in total[:2]]:
                raise DistError(
                    "the workers' parameters differ at the end of a dist_sync run (they must "
                    "be identical): a bug, please report it"
                )

    def _allreduce(self, values: list[float]) -> np.ndarray:
        """The sum over all workers of each worker's `values` (dist_sync only).

        Every call is a numbered round: each worker adds 1 for the round to a last slot, so
        the merged value says which round it is. A pull can come back with the previous
        round's sum (before every worker's push is merged; seen as workers that disagreed on
        stopping, one leaving while the other waited for its gradients): such a pull is
        repeated until the round is complete, so every worker reads the same sum."""
        from ghostpen.mxcompat import require_mxnet

        mx = require_mxnet()

        if not hasattr(self, "_control"):
            self._control = mx.nd.zeros((len(values) + 1,))
            self._round = 0
            self.kv.init(CONTROL_KEY, self._control)
        self._round += 1
        self.kv.push(CONTROL_KEY, mx.nd.array([*values, float(self._round)]))
        want = self._round * self.workers
        deadline = time.monotonic() + ROUND_TIMEOUT_S
        while True:
            self.kv.pull(CONTROL_KEY, out=self._control)
            total = self._control.asnumpy()
            if round(float(total[-1])) == want:
                return total[:-1]
            if time.monotonic() > deadline:
                raise DistError(
                    f"the workers did not complete control round {self._round} in "
                    f"{ROUND_TIMEOUT_S:.0f} s (a worker stopped or hangs)"
                )
            time.sleep(ROUND_POLL_S)

    def finish(self) -> None:
        """Wait until this worker's queued pushes and pulls are done (all workers call it when
        the loop ends). The loop does not wait for a step's gradient rounds, and the control
        rounds (priority 0) overtake them (negative priorities), so a worker that left with
        rounds still queued would strand the others: rank 0 then hung in its last validation
        while the other worker sat in the store's exit barrier."""
        if self.kv is not None:
            from ghostpen.mxcompat import require_mxnet

            mx = require_mxnet()

            mx.nd.waitall()

    def agree(self, interrupted: bool, out_of_time: bool) -> str:
        """The stop reason all workers take this step: "", "interrupted" or "time budget"."""
        if self.sync:
            total = self._allreduce([float(interrupted), float(out_of_time), 0.0, 0.0])
            interrupted, out_of_time = total[0] > 0, total[1] > 0
        return "interrupted" if interrupted else "time budget" if out_of_time else ""

    def share_validation(self, verdict: bool | None, decayed: bool, best: float | None):
        """Rank 0's (verdict, lr decayed?, best bpc) on every worker; the others pass anything."""
        if not self.sync:
            return verdict, decayed, best
        code = {False: 0, True: 1, None: 2}[verdict]
        mine = [float(code), float(decayed), -1.0 if best is None else best, 0.0]
        total = self._allreduce(mine if self.chief else [0.0] * 4)
        shared_best = None if total[2] < 0 else float(total[2])
        return VERDICTS[int(round(total[0]))], bool(total[1] > 0), shared_best


@functools.cache
def _key_range_class():
    """`KeyRange`, defined on first use so importing this module does not import MXNet."""
    from ghostpen.mxcompat import require_mxnet

    require_mxnet()
    from mxnet.kvstore import KVStoreBase

    class KeyRange(KVStoreBase):
        """A view of `kv` with every key shifted by `base` (what one Trainer sees)."""

        def __init__(self, kv, base: int):
            self.kv, self.base = kv, base

        def _keys(self, key):
            if isinstance(key, list | tuple):
                return [k + self.base for k in key]
            return key + self.base

        def init(self, key, value):
            self.kv.init(self._keys(key), value)

        def broadcast(self, key, value, out, priority=0):
            self.kv.broadcast(self._keys(key), value, out, priority=priority)

        def push(self, key, value, priority=0):
            self.kv.push(self._keys(key), value, priority=priority)

        def pull(self, key, out=None, priority=0, ignore_sparse=True):
            self.kv.pull(self._keys(key), out=out, priority=priority, ignore_sparse=ignore_sparse)

        def pushpull(self, key, value, out=None, priority=0):
            self.kv.pushpull(self._keys(key), value, out=out, priority=priority)

        def set_optimizer(self, optimizer):
            self.kv.set_optimizer(optimizer)

        def set_gradient_compression(self, compression_params):
            self.kv.set_gradient_compression(compression_params)

        def is_capable(self, capability):
            return self.kv.is_capable(capability)

        def save_optimizer_states(self, fname, dump_optimizer=False):
            self.kv.save_optimizer_states(fname, dump_optimizer)

        def load_optimizer_states(self, fname):
            self.kv.load_optimizer_states(fname)

        @property
        def type(self):
            return self.kv.type

        @property
        def rank(self):
            return self.kv.rank

        @property
        def num_workers(self):
            return self.kv.num_workers

    return KeyRange


def KeyRange(kv, base: int):  # noqa: N802 (a class, made on first use)
    """`kv` as a KVStore whose keys 0, 1, … are base, base+1, … of `kv` (see `trainer_args`)."""
    return _key_range_class()(kv, base)
