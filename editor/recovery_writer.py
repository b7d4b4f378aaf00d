"""Writes crash-recovery copies in one worker thread, so the GUI thread only snapshots (Qt-free).

`RecoveryWriter.submit` queues a copy (the text as the GUI thread took it, the document's
revision, and the store's generation of the key at that moment); the worker encodes and writes
the copies one after another, in the order submitted, and calls `done(key, revision, written,
error)` from the worker thread (the Qt side passes a signal's `emit`, so the result arrives
queued on the GUI thread). The caller keeps at most one copy per document in flight; a copy
whose key was discarded after it was taken is dropped by the store (`written` False), so a
stale write never brings back or overwrites a newer state. Failures never raise here: they come
back as `error` (the message for the user).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from ghostpen.editor.files import FileError


class RecoveryWriter:
    """One daemon thread (started on the first copy) writing to a `recovery.RecoveryStore`."""

    def __init__(self, store, done: Callable[[str, int, bool, str], None]) -> None:
        self.store = store
        self._done = done
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._unfinished = 0
        self._idle = threading.Condition()
        self._stopped = False

    def submit(
        self,
        key: str,
        revision: int,
        text: str,
        *,
        path,
        encoding: str,
        newline: str,
        endings: dict[int, str] | None = None,
        raw: bool = False,
    ) -> bool:
        """Queue a copy of `text` (QTextDocument raw text if `raw`) with its lines' own
        `endings`; False once stopped."""
        if self._stopped:
            return False
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ghostpen-recovery", daemon=True)
            self._thread.start()
        job = (
            key,
            revision,
            self.store.generation(key),
            text,
            path,
            encoding,
            newline,
            endings,
            raw,
        )
        with self._idle:
            self._unfinished += 1
        self._queue.put(job)
        return True

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            key, revision, generation, text, path, encoding, newline, endings, raw = job
            del job
            written, error = False, ""
            try:
                written = self.store.save(
                    key,
                    text,
                    path=path,
                    encoding=encoding,
                    newline=newline,
                    endings=endings,
                    raw=raw,
                    generation=generation,
                )
            except (FileError, ValueError) as err:
                error = str(err)
            except Exception as err:  # never let the thread die: say it instead
                error = f"Could not write the recovery copy of {path or 'a document'}: {err!r}"
            del text
            try:
                self._done(key, revision, bool(written), error)
            except RuntimeError:  # the receiver is gone (the window was deleted)
                pass
            finally:
                with self._idle:
                    self._unfinished -= 1
                    self._idle.notify_all()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until every queued copy is written (or failed); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def busy(self) -> bool:
        with self._idle:
            return self._unfinished > 0

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the queued copies, then end the thread (later submits are refused)."""
        self._stopped = True
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
