"""Editor scenarios for `ghostpen eval probes`, run offscreen in a child process.

    python -m ghostpen.evals.probe_editor SCENARIO FOLDER

builds a real window (`editor.app.build_app`, suggestions off), plays one hostile situation
(another program changes the file, a hard link, a full recovery folder, …) with dialogs
answered by the scenario, and prints one JSON object: {"ok": bool, "message": str}. Every
question the window asked is in the message, so a probe can tell "asked" from "did silently".
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

SCENARIOS: dict[str, Callable] = {}
TRICKY = (  # NBSP, U+2028/2029, mixed and lone CR endings, emoji, a combining mark, Hebrew
    "prix\u00a0: 10\u00a0\u20ac\r\nline\u2028sep\u2029para\nlone\rend\r\n"
    "\U0001f600 e\u0301 \u05e9\u05dc\u05d5\u05dd"
)


def scenario(fn: Callable) -> Callable:
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


class Session:
    """One offscreen window with scripted dialog answers."""

    def __init__(self, folder: Path, answer_yes: bool = False) -> None:
        from PySide6.QtCore import QSettings

        from ghostpen.editor import dialogs
        from ghostpen.editor.app import build_app, qt_application
        from ghostpen.editor.recovery import RecoveryStore

        self.asked: list[str] = []
        self.errors: list[str] = []

        def yes_no(parent, title, text):
            self.asked.append(text)
            return answer_yes

        dialogs.ask_yes_no = yes_no
        dialogs.show_error = lambda parent, title, text: self.errors.append(text)
        dialogs.ask_save_changes = lambda parent, name: "discard"
        self.qapp = qt_application()
        store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        self.app = build_app(
            settings_store=store, recovery=RecoveryStore(folder / "recovery"), suggest=False
        )
        self.window = self.app.window

    def settle(self, until: Callable[[], bool] | None = None, ms: int = 3000) -> bool:
        """Run the event loop until `until()` holds (or for up to `ms` without one)."""
        from PySide6.QtCore import QDeadlineTimer

        deadline = QDeadlineTimer(ms)
        while not deadline.hasExpired():
            self.qapp.processEvents()
            if until is not None and until():
                return True
        return until is None

    def type(self, text: str) -> None:
        self.window.current_editor().textCursor().insertText(text)

    def close(self) -> None:
        for doc in self.window.documents():
            doc.set_modified(False)
        self.window.close()
        self.app.suggester.stop()


@scenario
def unedited_save(folder: Path) -> tuple[bool, str]:
    """Open and save a file of tricky characters and mixed line endings: identical bytes."""
    path = folder / "tricky.txt"
    data = TRICKY.encode("utf-8")
    path.write_bytes(data)
    s = Session(folder)
    s.window.open_file(str(path))
    saved = s.window.save_document(s.window.current_document())
    same = path.read_bytes() == data
    s.close()
    return saved and same, "identical bytes after save" if same else "the bytes changed"


@scenario
def hard_link_save(folder: Path) -> tuple[bool, str]:
    """Save through one of two hard links: the other name sees the new text."""
    a, b = folder / "a.txt", folder / "b.txt"
    a.write_text("shared\n", encoding="utf-8")
    os.link(a, b)
    s = Session(folder)
    s.window.open_file(str(a))
    s.type("new ")
    s.window.save_document(s.window.current_document())
    s.close()
    ok = b.read_text(encoding="utf-8") == "new shared\n" and os.stat(a).st_nlink == 2
    return ok, "both names hold the saved text" if ok else "the link was broken"


@scenario
def changed_on_disk(folder: Path) -> tuple[bool, str]:
    """Another program rewrites a file the user is editing: Save asks; answering No keeps it."""
    path = folder / "notes.txt"
    path.write_text("mine\n", encoding="utf-8")
    s = Session(folder, answer_yes=False)
    s.window.open_file(str(path))
    s.type("typed ")
    doc = s.window.current_document()
    before = s.window.disk.kind(doc)  # "" until the watcher sees the change: not true already
    path.write_text("theirs, written by another program\n", encoding="utf-8")
    noticed = s.settle(lambda: s.window.disk.kind(doc) == "changed", 5000)
    saved = s.window.save_document(doc)
    kept = path.read_text(encoding="utf-8") == "theirs, written by another program\n"
    s.close()
    asked = any("changed by another program" in q for q in s.asked)
    ok = before == "" and noticed and not saved and kept and asked
    return ok, (f"noticed before saving: {noticed} (was {before!r}); asked: {s.asked!r}; "
                f"their version kept: {kept}")  # fmt: skip


@scenario
def deleted_on_disk(folder: Path) -> tuple[bool, str]:
    """The open file is deleted by another program: Save asks before recreating it."""
    path = folder / "gone.txt"
    path.write_text("text\n", encoding="utf-8")
    s = Session(folder, answer_yes=False)
    s.window.open_file(str(path))
    path.unlink()
    s.settle(lambda: "deleted" in (s.window.current_document().disk_note or ""), 3000)
    saved = s.window.save_document(s.window.current_document())
    text_kept = s.window.current_document().text() == "text\n"
    s.close()
    ok = not saved and not path.exists() and text_kept and bool(s.asked)
    return ok, f"asked: {s.asked!r}; recreated silently: {path.exists()}; text kept: {text_kept}"


@scenario
def recovery_root_is_a_file(folder: Path) -> tuple[bool, str]:
    """The recovery folder is a file: copies fail, but Save and Close still work."""
    (folder / "recovery").write_text("not a folder", encoding="utf-8")
    path = folder / "doc.txt"
    path.write_text("body\n", encoding="utf-8")
    s = Session(folder)
    s.window.open_file(str(path))
    s.type("edit ")
    s.window.write_recovery()
    s.settle(lambda: "recovery" in s.window.status.currentMessage().lower(), 3000)
    saved = s.window.save_document(s.window.current_document())
    closed = s.window.close_document(0)
    s.close()
    ok = saved and closed and path.read_text(encoding="utf-8") == "edit body\n"
    untouched = (folder / "recovery").read_text(encoding="utf-8") == "not a folder"
    return (
        ok and untouched,
        f"saved {saved}, closed {closed}, file in the way untouched {untouched}",
    )


@scenario
def stray_bytes(folder: Path) -> tuple[bool, str]:
    """A UTF-8 file with one stray byte: shown as UTF-8 (no mojibake), saved back byte for byte."""
    path = folder / "cafe.txt"
    data = "café naïve\n".encode() + b"it\x92s\n"
    path.write_bytes(data)
    s = Session(folder)
    s.window.open_file(str(path))
    doc = s.window.current_document()
    readable = "café naïve" in doc.text()
    saved = s.window.save_document(doc)
    s.close()
    same = path.read_bytes() == data
    ok = readable and saved and same
    return ok, f"encoding {doc.encoding!r}; shown as UTF-8: {readable}; identical bytes: {same}"


@scenario
def binary_file(folder: Path) -> tuple[bool, str]:
    """Opening a binary file is refused with a message; the file is not touched."""
    path = folder / "image.png"
    data = bytes(range(256)) * 8
    path.write_bytes(data)
    s = Session(folder)
    opened = s.window.open_file(str(path))
    s.close()
    ok = not opened and path.read_bytes() == data and bool(s.errors)
    return ok, s.errors[0] if s.errors else "no message"


@scenario
def habits_corrupt_store(folder: Path) -> tuple[bool, str]:
    """Typing history on, its file corrupt: a message, the file kept aside, saving still works."""
    from PySide6.QtCore import QSettings

    store = folder / "data" / "habits.json"
    store.parent.mkdir()
    store.write_bytes(b'{"format": "ghostpen-habits", "words": {"trunc')
    os.environ["GHOSTPEN_HABITS_FILE"] = str(store)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("habits/enabled", True)
    settings.sync()
    s = Session(folder)
    said = s.settle(lambda: "could not be read" in s.window.status.currentMessage(), 5000)
    message = s.window.status.currentMessage()
    path = folder / "doc.txt"
    s.type("Quetzalbrook Quetzalbrook")
    saved = s.window.save_document(s.window.current_document(), str(path))
    s.close()
    kept = (store.parent / "habits.json.corrupt").read_bytes().endswith(b"trunc")
    fresh = b"Quetzalbrook" in store.read_bytes() if store.exists() else False
    ok = said and kept and saved and fresh
    return ok, f"{message!r}; corrupt file kept: {kept}; saved {saved}; new store: {fresh}"


@scenario
def models_menu_lists(folder: Path) -> tuple[bool, str]:
    """The editor starts (and its Model menu lists the good model) while the user models
    folder (GHOSTPEN_MODELS_DIR) holds models whose meta.json is a FIFO or /dev/zero."""
    s = Session(folder)
    menu = s.app.models
    menu.refresh()  # as when the menu opens
    names = sorted(menu.model_actions)
    s.close()
    ok = "good" in names and "piped" not in names and "zero" not in names
    return ok, f"the window started; the Model menu lists {names}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in SCENARIOS:
        print(f"usage: probe_editor {{{','.join(SCENARIOS)}}} FOLDER", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ok, message = SCENARIOS[argv[0]](Path(argv[1]))
    print(json.dumps({"ok": bool(ok), "message": message}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
