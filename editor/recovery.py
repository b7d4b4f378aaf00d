"""Crash recovery: copies of unsaved buffers that survive a crash of the editor (Qt-free).

The editor calls `RecoveryStore.save` for each modified buffer every few seconds, `discard` once
the buffer is saved or closed, and at start-up offers `pending()`: what a crashed session left.

Layout: one JSON file per buffer key in the store's folder, by default
`platformdirs.user_state_dir("ghostpen") / "recovery"` (~/.local/state/ghostpen/recovery on
Linux; XDG calls undo history and open files "state"). A file is named after a hash of its key
and holds {"version", "key", "path", "text", "saved_at", "encoding", "newline", "endings",
"session", "pid", "pid_started"}: "text" is the buffer's exact text ("\\n" line breaks, every other
character as it is) and "endings" the [line, ending] pairs of the lines whose own ending is not
"newline" (`TextFile.endings`; absent in older entries, meaning none). Writes are atomic
(`ghostpen.model.atomic`), files are private (0600, folder 0700). Entries that cannot be parsed
are moved into `corrupt/` and skipped, never raised; entries are read with
`ghostpen.smallfile.read_small`, so a FIFO, a device or an absurdly large file named `*.json` is
skipped at once (and left where it is) instead of hanging or exhausting the start-up.

Two editors can run at once: each store has a session id and entries record the writer's pid
(and, on Linux, the process start time, so a reused pid is not mistaken for the writer).
`pending()` skips entries whose writing session is still alive and is not this store's own.

`save` may run in a worker thread (`recovery_writer.RecoveryWriter`) while the GUI thread calls
`discard`: each key has a generation that `discard` bumps, and a save started before it (given
that generation) drops its copy instead of renaming it into place, so a buffer that was saved or
closed never gets its copy back from a write still in flight. Large texts are JSON-escaped in
chunks, so a worker holds the GIL only briefly at a time. A `RecoveredDoc` of a file also
carries the file's mtime, so the restore prompt can say which version is newer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ghostpen.editor.files import MAX_BYTES, NEWLINES, FileError, TextFile
from ghostpen.model.atomic import fsync_dir
from ghostpen.smallfile import read_small

FORMAT_VERSION = 1
CORRUPT_DIR = "corrupt"
STALE_TMP_SECONDS = 3600.0
ENCODE_CHUNK = 1 << 18  # characters JSON-escaped per call (a short GIL hold in a worker)
MAX_RECORD_BYTES = 6 * MAX_BYTES + (1 << 20)  # the largest text, every character \u-escaped

# Session ids of the stores created in this process (their entries are live while we run).
_LIVE_SESSIONS: set[str] = set()


@dataclass
class RecoveredDoc:
    """One buffer a previous session left behind."""

    key: str
    path: str | None
    text: str
    saved_at: float
    encoding: str
    newline: str
    endings: dict[int, str] = field(default_factory=dict)  # line -> its own ending
    file_mtime: float | None = None  # the file's mtime when offered (None: no file on disk)

    def text_file(self) -> TextFile:
        """The buffer as the editor loads it (every character, every line's own ending)."""
        return TextFile(self.text, self.encoding, self.newline, endings=self.endings)

    def age_note(self) -> str:
        """Which is newer, the copy or the file on disk, naming both times ('' if no path)."""
        if self.path is None:
            return ""
        copy = _when(self.saved_at)
        if self.file_mtime is None:
            return f"the recovered copy ({copy}) is all there is: the file is not on disk"
        which = "newer" if self.saved_at >= self.file_mtime else "older"
        return (
            f"the recovered copy ({copy}) is {which} than the file on disk "
            f"({_when(self.file_mtime)})"
        )


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def _file_mtime(path: str | None) -> float | None:
    if path is None:
        return None
    try:
        return os.stat(path).st_mtime
    except (OSError, ValueError):
        return None


def encode_record(record: dict, text: str, *, raw: bool = False) -> bytes:
    """`record` plus "text": `text` as UTF-8 JSON (as json.dumps would give, ensure_ascii off),
    escaped ENCODE_CHUNK characters at a time. `raw`: `text` is a QTextDocument's raw text,
    whose blocks are separated by U+2029 (turned into newlines here, off the GUI thread)."""
    head = json.dumps(record, ensure_ascii=False)
    parts = [head[:-1].encode("utf-8", "surrogatepass"), b', "text": "']
    for start in range(0, len(text), ENCODE_CHUNK):
        chunk = text[start : start + ENCODE_CHUNK]
        if raw:
            chunk = chunk.replace("\u2029", "\n")
        parts.append(json.dumps(chunk, ensure_ascii=False)[1:-1].encode("utf-8", "surrogatepass"))
    parts.append(b'"}')
    return b"".join(parts)


def default_root() -> Path:
    """Where recovery copies live unless a store is given a folder."""
    import platformdirs

    return Path(platformdirs.user_state_dir("ghostpen")) / "recovery"


def _process_started(pid: int) -> str | None:
    """The process's start time (clock ticks since boot) where /proc has it, else None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        return stat[stat.rindex(b")") + 2 :].split()[19].decode("ascii")
    except (OSError, ValueError, IndexError):
        return None


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def pid_alive(pid: int, started: str | None = None) -> bool:
    """Whether process `pid` is running (and, if `started` is given and the system can tell,
    is the same process that had that start time, not a later one that reused the pid)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
        try:
            return _windows_pid_alive(pid)
        except (OSError, AttributeError):
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, another user's
    except (OSError, OverflowError, ValueError):
        return False
    if started is not None:
        now = _process_started(pid)
        if now is not None and now != started:
            return False
    return True


def _valid_endings(endings) -> bool:
    """Whether a record's "endings" is a list of [line, ending] pairs."""
    return isinstance(endings, list) and all(
        isinstance(pair, list)
        and len(pair) == 2
        and isinstance(pair[0], int)
        and not isinstance(pair[0], bool)
        and pair[0] >= 0
        and pair[1] in NEWLINES
        for pair in endings
    )


class RecoveryStore:
    """Recovery copies of open buffers, keyed by an opaque buffer id (e.g. a uuid)."""

    def __init__(self, root: Path | str | None = None, *, session_id: str | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.session_id = session_id or uuid.uuid4().hex
        self.pid = os.getpid()
        self._started = _process_started(self.pid)
        self._lock = threading.Lock()  # a copy's rename into place vs. its removal
        self._generations: dict[str, int] = {}
        _LIVE_SESSIONS.add(self.session_id)

    def generation(self, key: str) -> int:
        """How many times `key` was discarded: pass it to `save` from another thread."""
        with self._lock:
            return self._generations.get(key, 0)

    def _file(self, key: str) -> Path:
        return self.root / (
            hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".json"
        )

    def save(
        self,
        key: str,
        text: str,
        *,
        path: str | os.PathLike | None,
        encoding: str = "utf-8",
        newline: str = "\n",
        endings: dict[int, str] | None = None,
        raw: bool = False,
        generation: int | None = None,
    ) -> bool:
        """Write (atomically) the recovery copy of buffer `key`, replacing the previous one;
        `endings` are the lines' own endings (`TextFile.endings`).
        Raises FileError if it cannot be written (the editor should say so, not crash).
        `raw`: `text` is QTextDocument raw text (see `encode_record`). With `generation` (from
        `generation(key)` when the text was taken), a copy whose key was discarded since is
        dropped, not written; returns whether the copy was written."""
        if not isinstance(key, str) or not key:
            raise ValueError("a recovery key must be a non-empty string")
        if newline not in NEWLINES or any(e not in NEWLINES for e in (endings or {}).values()):
            raise ValueError(f"unknown line ending {newline!r}")
        record = {
            "version": FORMAT_VERSION,
            "key": key,
            "path": None if path is None else os.fspath(path),
            "saved_at": time.time(),
            "encoding": encoding,
            "newline": newline,
            "endings": sorted((int(line), ending) for line, ending in (endings or {}).items()),
            "session": self.session_id,
            "pid": self.pid,
            "pid_started": self._started,
        }
        data = encode_record(record, text, raw=raw)
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            return self._write(key, data, generation)
        except OSError as err:
            what = record["path"] or "a new document"
            raise FileError(
                f"Could not write the recovery copy of {what} in {self.root}: "
                f"{err.strerror or err}",
                self.root,
            ) from err

    def _write(self, key: str, data: bytes, generation: int | None) -> bool:
        """Temporary file (0600, as mkstemp makes it), fsync, then rename into place unless
        `key` was discarded since `generation`."""
        target = self._file(key)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            with self._lock:
                if generation is not None and self._generations.get(key, 0) != generation:
                    os.unlink(tmp)
                    return False
                os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(self.root)
        return True

    def discard(self, key: str, *, path: str | None = None) -> None:
        """Forget buffer `key` (it was saved or closed); a missing entry (or folder) is fine.
        Raises FileError if the copy cannot be removed (`path` names the buffer in it)."""
        with self._lock:
            self._generations[key] = self._generations.get(key, 0) + 1
            try:
                self._file(key).unlink()
            except (FileNotFoundError, NotADirectoryError):
                pass
            except OSError as err:
                raise FileError(
                    f"Could not remove the recovery copy of {path or 'a document'} from "
                    f"{self.root}: {err.strerror or err} (it may be offered again at the next "
                    "start)",
                    self.root,
                ) from err

    def _entries(self):
        """(file, record or None if unreadable) for each entry file; never raises."""
        try:
            files = sorted(self.root.glob("*.json"))
        except OSError:
            return
        for file in files:
            try:
                raw = read_small(file, MAX_RECORD_BYTES)  # never blocks on a FIFO
            except FileNotFoundError:
                continue  # discarded meanwhile
            except OSError:
                continue  # unreadable now (permissions, a FIFO, a device): left where it is
            yield file, self._parse(file, raw)

    def _parse(self, file: Path, raw: bytes) -> dict | None:
        try:
            record = json.loads(raw.decode("utf-8", "surrogatepass"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        if not isinstance(record, dict) or record.get("version") != FORMAT_VERSION:
            return None
        checks = (
            isinstance(record.get("key"), str)
            and file.name == self._file(record["key"]).name
            and (record.get("path") is None or isinstance(record.get("path"), str))
            and isinstance(record.get("text"), str)
            and isinstance(record.get("saved_at"), (int, float))
            and not isinstance(record.get("saved_at"), bool)
            and isinstance(record.get("encoding"), str)
            and record.get("newline") in NEWLINES
            and _valid_endings(record.get("endings", []))
            and isinstance(record.get("session"), str)
            and isinstance(record.get("pid"), int)
            and (record.get("pid_started") is None or isinstance(record["pid_started"], str))
        )
        return record if checks else None

    def _is_other_live(self, record: dict) -> bool:
        """Whether the entry belongs to another session that is still running."""
        session = record["session"]
        if session == self.session_id:
            return False
        if record["pid"] == self.pid and record.get("pid_started") == self._started:
            return session in _LIVE_SESSIONS  # another store of this very process
        return pid_alive(record["pid"], record.get("pid_started"))

    def _move_aside(self, file: Path) -> None:
        with contextlib.suppress(OSError):
            aside = self.root / CORRUPT_DIR
            aside.mkdir(mode=0o700, exist_ok=True)
            dest = aside / file.name
            if dest.exists():
                dest = aside / f"{file.stem}-{time.time_ns()}{file.suffix}"
            os.replace(file, dest)

    def _remove_stale_temp_files(self) -> None:
        """Temporary files of writes cut short by a hard crash (old enough to be nobody's)."""
        with contextlib.suppress(OSError):
            for tmp in self.root.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    if time.time() - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                        tmp.unlink()

    def pending(self) -> list[RecoveredDoc]:
        """What crashed sessions (or this one) left, newest first. Entries of other running
        sessions are skipped; corrupt ones are moved into `corrupt/` and skipped. Never raises."""
        docs = []
        try:
            self._remove_stale_temp_files()
            for file, record in self._entries():
                if record is None:
                    self._move_aside(file)
                elif not self._is_other_live(record):
                    docs.append(
                        RecoveredDoc(
                            key=record["key"],
                            path=record["path"],
                            text=record["text"],
                            saved_at=float(record["saved_at"]),
                            encoding=record["encoding"],
                            newline=record["newline"],
                            endings=dict(record.get("endings", [])),
                            file_mtime=_file_mtime(record["path"]),
                        )
                    )
        except Exception:  # recovery must never stop the editor from starting
            pass
        docs.sort(key=lambda doc: doc.saved_at, reverse=True)
        return docs

    def clear(self) -> None:
        """Remove every entry except those of other running sessions (their buffers are still
        open there); entries moved into `corrupt/` are kept for inspection."""
        for file, record in list(self._entries()):
            if record is None:
                self._move_aside(file)
            elif not self._is_other_live(record):
                with contextlib.suppress(OSError):
                    file.unlink()
