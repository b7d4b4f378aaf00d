"""Editor scenarios about the typing history, recovery and saving, for `ghostpen eval probes`
(registered by `probe_cases_editor.py`), run offscreen in a child process:

    python -m ghostpen.evals.probe_editor_io SCENARIO FOLDER [ARG …]

Each builds a real window (`probe_editor.Session`: suggestions off, dialogs answered by the
scenario), plays one hostile situation and prints one JSON object {"ok": bool, "message":
str}; a message "skipped: WHY" means the scenario cannot be played here (the probe is counted
as skipped, never as passed). A scenario that hangs is killed by the probe's timeout and fails.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

SCENARIOS: dict[str, Callable] = {}
WAIT_MS = 10_000


def scenario(fn: Callable) -> Callable:
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


def habits_on(folder: Path, store: Path) -> None:
    """Typing history on, kept in `store`, for the next Session in `folder`."""
    from PySide6.QtCore import QSettings

    os.environ["GHOSTPEN_HABITS_FILE"] = str(store)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("habits/enabled", True)
    settings.sync()


def session(folder: Path, answer_yes: bool = False):
    from ghostpen.evals.probe_editor import Session

    return Session(folder, answer_yes=answer_yes)


def loaded(s) -> bool:
    status = s.app.habits.last_status
    return status.entries is not None or not status.usable


def save_new(s, path: Path, text: str) -> bool:
    doc = s.window.new_document()
    doc.editor.setPlainText(text)
    return s.window.save_document(doc, str(path))


def flush(s) -> None:
    done = []
    s.app.habits.status_changed.connect(lambda _status: done.append(1))
    s.app.habits.flush()
    s.settle(lambda: bool(done), WAIT_MS)


def words_in(store: Path) -> dict:
    try:
        return json.loads(store.read_text(encoding="utf-8"))["words"]
    except (OSError, ValueError, KeyError):
        return {}


@scenario
def habits_writer(folder: Path, word: str, barrier: str) -> tuple[bool, str]:
    """One of two editors sharing a typing history: load, wait for the other, save `word`."""
    barrier_dir = Path(barrier)
    habits_on(folder, barrier_dir / "habits.json")
    s = session(folder)
    s.settle(lambda: loaded(s), WAIT_MS)
    (barrier_dir / f"ready-{word}").write_text("1", encoding="utf-8")
    both = s.settle(lambda: len(list(barrier_dir.glob("ready-*"))) >= 2, 60_000)
    saved = save_new(s, folder / f"{word}.txt", f"{word} {word} {word}")
    flush(s)
    s.close()
    return both and saved, f"{word}: both loaded first {both}, saved {saved}"


def _habits_refused(folder: Path, make, kind: str) -> tuple[bool, str]:
    store = folder / "data" / "habits.json"
    store.parent.mkdir()
    make(store)
    habits_on(folder, store)
    s = session(folder)
    said = s.settle(lambda: kind in s.window.status.currentMessage(), WAIT_MS)
    message = s.window.status.currentMessage()
    saved = save_new(s, folder / "doc.txt", "Quetzalbrook Quetzalbrook")
    start = time.monotonic()
    s.close()  # waited forever in HabitsController.stop before
    closed = not s.app.habits.running()
    return said and saved and closed, (
        f"{message!r}; saved {saved}; closed in {time.monotonic() - start:.1f} s"
    )


@scenario
def habits_fifo(folder: Path) -> tuple[bool, str]:
    """habits.json is a FIFO: refused with a message, the window saves and closes."""
    ok, message = _habits_refused(folder, os.mkfifo, "FIFO")
    still = (folder / "data" / "habits.json").is_fifo()
    return ok and still, f"{message}; FIFO left alone {still}"


@scenario
def habits_dev_zero(folder: Path) -> tuple[bool, str]:
    """habits.json links to /dev/zero: refused (no endless read), the link left alone."""
    ok, message = _habits_refused(folder, lambda p: p.symlink_to("/dev/zero"), "device")
    link = folder / "data" / "habits.json"
    kept = link.is_symlink() and os.readlink(link) == "/dev/zero"
    return ok and kept, f"{message}; link kept {kept}"


@scenario
def habits_absurd_numbers(folder: Path) -> tuple[bool, str]:
    """habits.json with a 400-digit count: that entry is dropped, the others kept and used."""
    store = folder / "data" / "habits.json"
    store.parent.mkdir()
    store.write_text(
        '{"format": "ghostpen-habits", "version": 1, "words": {"Hugecount": '
        + "9" * 400
        + ', "Keptword": 3}, "phrases": {}}',
        encoding="utf-8",
    )
    habits_on(folder, store)
    s = session(folder)
    s.settle(lambda: loaded(s), WAIT_MS)
    usable = s.app.habits.last_status.usable
    saved = save_new(s, folder / "doc.txt", "Newword Newword")
    flush(s)
    s.close()
    words = words_in(store)
    ok = usable and saved and words.get("Keptword") == 3 and "Newword" in words
    return ok, f"usable {usable}; saved {saved}; words now {sorted(words)}"


@scenario
def habits_deep_nesting(folder: Path) -> tuple[bool, str]:
    """habits.json nested 100,000 levels: moved aside with a message, a new history starts."""
    store = folder / "data" / "habits.json"
    store.parent.mkdir()
    deep = b'{"format": "ghostpen-habits", "version": 1, "words": ' + b"[" * 100_000
    store.write_bytes(deep)
    habits_on(folder, store)
    s = session(folder)
    said = s.settle(lambda: "nested too deeply" in s.window.status.currentMessage(), WAIT_MS)
    saved = save_new(s, folder / "doc.txt", "Freshword Freshword")
    flush(s)
    s.close()
    aside = store.with_name("habits.json.corrupt")
    kept = aside.exists() and aside.read_bytes() == deep
    ok = said and saved and kept and "Freshword" in words_in(store)
    return ok, f"said {said}; saved {saved}; old file kept aside {kept}"


@scenario
def habits_symlink(folder: Path) -> tuple[bool, str]:
    """habits.json is a link into another folder: its target is updated, the link stays."""
    target = folder / "dotfiles" / "habits.json"
    target.parent.mkdir()
    link = folder / "data" / "habits.json"
    link.parent.mkdir()
    link.symlink_to(target)
    habits_on(folder, link)
    s = session(folder)
    s.settle(lambda: loaded(s), WAIT_MS)
    saved = save_new(s, folder / "doc.txt", "Linkword Linkword")
    flush(s)
    s.close()
    still = link.is_symlink() and os.readlink(link) == str(target)
    ok = saved and still and "Linkword" in words_in(target)
    return ok, f"saved {saved}; still a link {still}; target words {sorted(words_in(target))}"


@scenario
def habits_excluded_through_link(folder: Path) -> tuple[bool, str]:
    """server.pem saved through a link named notes.txt: its words are not remembered."""
    store = folder / "data" / "habits.json"
    habits_on(folder, store)
    secret = folder / "server.pem"
    secret.write_text("Pemsecretword\n", encoding="utf-8")
    (folder / "notes.txt").symlink_to(secret)
    s = session(folder)
    s.settle(lambda: loaded(s), WAIT_MS)
    s.window.open_file(str(folder / "notes.txt"))
    s.type("Pemsecretword ")
    saved = s.window.save_document(s.window.current_document())
    control = save_new(s, folder / "plain.txt", "Plainword Plainword")  # is the history on?
    flush(s)
    s.close()
    words = words_in(store)
    ok = saved and control and "Plainword" in words and "Pemsecretword" not in words
    return ok, f"remembered: {sorted(words)}"


def crashed_copies(root: Path, folder: Path) -> list[str]:
    """Two recovery copies left by a session that is gone."""
    from ghostpen.editor import recovery

    crashed = recovery.RecoveryStore(root)
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text("on disk\n", encoding="utf-8")
        crashed.save(f"crashed-{name}", f"unsaved {name}\n", path=str(folder / name))
    recovery._LIVE_SESSIONS.discard(crashed.session_id)  # as if its process had died
    return ["crashed-a.txt", "crashed-b.txt"]


def pending_keys(root: Path) -> set[str]:
    from ghostpen.editor.recovery import RecoveryStore

    return {d.key for d in RecoveryStore(root).pending()}


@scenario
def recovery_nothing_ticked(folder: Path) -> tuple[bool, str]:
    """Restore Selected with no box ticked: asked before any copy is discarded; No keeps them."""
    from ghostpen.editor import dialogs

    keys = crashed_copies(folder / "recovery", folder)
    s = session(folder, answer_yes=False)
    dialogs.ask_restore = lambda parent, docs: ("restore", [])
    s.window.offer_recovery()
    left = pending_keys(folder / "recovery")
    s.close()
    ok = bool(s.asked) and left == set(keys)
    return ok, f"asked: {s.asked!r}; copies left {len(left)} of {len(keys)}"


@scenario
def recovery_fifo(folder: Path) -> tuple[bool, str]:
    """A FIFO named *.json in the recovery folder: start-up does not hang, copies are offered."""
    from ghostpen.editor import dialogs

    keys = crashed_copies(folder / "recovery", folder)
    os.mkfifo(folder / "recovery" / "0000fifo.json")
    offered = []
    dialogs.ask_restore = lambda parent, docs: (offered.extend(docs), ("later", []))[1]
    s = session(folder)
    s.window.offer_recovery()
    s.close()
    got = {d.key for d in offered}
    still = (folder / "recovery" / "0000fifo.json").is_fifo()
    return got == set(keys) and still, f"offered {len(got)} of {len(keys)}; FIFO kept {still}"


@scenario
def same_size_in_place(folder: Path) -> tuple[bool, str]:
    """Another program rewrites the open file in place, same size, mtime put back: Save asks."""
    path = folder / "notes.txt"
    path.write_text("alpha beta\n", encoding="utf-8")
    s = session(folder, answer_yes=False)
    s.window.open_file(str(path))
    s.type("mine ")
    before = os.stat(path)
    with open(path, "r+b") as fh:
        fh.write(b"ALPHA BETA\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    s.settle(ms=300)
    saved = s.window.save_document(s.window.current_document())
    kept = path.read_bytes() == b"ALPHA BETA\n"
    s.close()
    ok = not saved and kept and any("changed by another program" in q for q in s.asked)
    return ok, f"asked: {s.asked!r}; their version kept: {kept}"


@scenario
def save_keeps_xattrs(folder: Path) -> tuple[bool, str]:
    """Saving a file keeps its extended attributes (as `cp --preserve=xattr`)."""
    path = folder / "tagged.txt"
    path.write_text("text\n", encoding="utf-8")
    try:
        os.setxattr(path, "user.xdg.origin.url", b"https://example.org/")
    except (OSError, AttributeError) as err:
        return False, f"skipped: the file system here has no user extended attributes ({err})"
    s = session(folder)
    s.window.open_file(str(path))
    s.type("more ")
    saved = s.window.save_document(s.window.current_document())
    s.close()
    try:
        value = os.getxattr(path, "user.xdg.origin.url")
    except OSError:
        value = None
    ok = saved and value == b"https://example.org/" and path.read_text() == "more text\n"
    return ok, f"saved {saved}; attribute after save: {value!r}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or argv[0] not in SCENARIOS:
        print(f"usage: probe_editor_io {{{','.join(SCENARIOS)}}} FOLDER [ARG …]", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ok, message = SCENARIOS[argv[0]](Path(argv[1]), *argv[2:])
    print(json.dumps({"ok": bool(ok), "message": message}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
