"""Crash recovery in the window (`editor/recovery_ui.py`): copies that cannot be written or
removed never block Save or Close and are said once in the status bar; after a crash,
``ghostpen edit FILE`` restores FILE's copy into FILE's tab and says which version is newer."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from ghostpen.editor import dialogs, recovery
from ghostpen.editor.app import build_app
from ghostpen.editor.recovery import RecoveryStore


class FakeEngine:
    name = "fake"

    def suggest(self, before, after="", *, path=None):
        return None

    def update_settings(self, settings) -> None:
        pass


class Prompts:
    """Stands in for the blocking dialogs the window may show."""

    def __init__(self, monkeypatch) -> None:
        self.errors: list[str] = []
        self.save_changes: list[str] = []
        self.restore = "later"
        self.offered: list = []
        mp = monkeypatch
        mp.setattr(dialogs, "show_error", lambda parent, title, text: self.errors.append(text))
        mp.setattr(dialogs, "ask_save_changes", lambda parent, name: self.save_changes.pop(0))
        mp.setattr(dialogs, "ask_save_all", lambda parent, names: "each")
        mp.setattr(dialogs, "ask_restore", self._restore)

    def _restore(self, parent, docs):
        self.offered.append(list(docs))
        return self.restore, list(docs) if self.restore == "restore" else []


@pytest.fixture
def prompts(monkeypatch) -> Prompts:
    return Prompts(monkeypatch)


@pytest.fixture
def make_app(qtbot, tmp_path, prompts):
    apps = []

    def make(root: Path):
        store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        app = build_app(
            engine=FakeEngine, settings_store=store, recovery=RecoveryStore(root), suggest=False
        )
        qtbot.addWidget(app.window)
        apps.append(app)
        return app

    yield make
    for app in apps:
        try:
            for doc in app.window.documents():
                doc.set_modified(False)
            app.window.close()
            app.suggester.stop()
        except RuntimeError:  # already deleted
            pass


def refuse_under(monkeypatch, root: Path, err: OSError, names=("open", "unlink", "replace")):
    """Make the os functions in `names` fail with `err` for paths inside `root` (we run as
    root, so a read-only or full folder has to be simulated)."""
    for name in names:
        real = getattr(os, name)

        def fake(path, *args, _real=real, **kw):
            if isinstance(path, (str, os.PathLike)) and str(path).startswith(str(root)):
                raise err
            return _real(path, *args, **kw)

        monkeypatch.setattr(os, name, fake)


def edit_file(window, tmp_path: Path, text: str = "typed ") -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("on disk\n")
    assert window.open_file(str(path))
    window.current_editor().textCursor().insertText(text)
    return path


def idle(keeper) -> bool:
    return not keeper.writer.busy() and not keeper._in_flight


@pytest.mark.parametrize(
    "problem", ["root is a file", "read-only", "full"], ids=["file", "readonly", "enospc"]
)
def test_unwritable_recovery_folder_is_said_once_and_blocks_nothing(
    make_app, prompts, qtbot, tmp_path, monkeypatch, problem
):
    root = tmp_path / "recovery"
    if problem == "root is a file":
        root.write_bytes(b"")
    else:
        root.mkdir()
        err = (
            PermissionError(errno.EACCES, "Permission denied")
            if problem == "read-only"
            else OSError(errno.ENOSPC, "No space left on device")
        )
        refuse_under(monkeypatch, root, err)
    window = make_app(root).window
    said = []
    window.keeper.error.connect(said.append)
    path = edit_file(window, tmp_path)
    for more in ("a", "b", "c"):  # three ticks, three failed copies
        window.current_editor().textCursor().insertText(more)
        assert window.write_recovery() == 1
        qtbot.waitUntil(lambda: idle(window.keeper), timeout=5000)
    assert len(said) == 1 and "Could not write the recovery copy" in said[0]
    assert "Could not write the recovery copy" in window.status.currentMessage()
    assert window.save()
    assert path.read_text() == "typed abcon disk\n"
    assert not window.current_document().is_modified()
    window.current_editor().textCursor().insertText("more ")
    prompts.save_changes = ["discard"]
    assert window.close_document(0)
    assert window.tabs.count() == 1 and window.current_document().path is None
    assert not prompts.errors


def test_copy_that_cannot_be_removed_after_save(make_app, prompts, qtbot, tmp_path, monkeypatch):
    root = tmp_path / "recovery"
    window = make_app(root).window
    path = edit_file(window, tmp_path)
    assert window.write_recovery() == 1
    qtbot.waitUntil(lambda: len(window.recovery.pending()) == 1, timeout=5000)
    refuse_under(monkeypatch, root, PermissionError(errno.EACCES, "Permission denied"), ["unlink"])
    assert window.save() is True
    assert path.read_text() == "typed on disk\n"
    assert not window.current_document().is_modified()
    message = window.status.currentMessage()
    assert "Could not remove the recovery copy of" in message and str(path) in message
    window.current_editor().textCursor().insertText("again ")
    prompts.save_changes = ["discard"]
    assert window.close_document(0)  # Close works too
    assert window.tabs.count() == 1 and window.current_document().path is None
    monkeypatch.undo()
    window.write_recovery()  # the next tick retries the removal
    assert window.recovery.pending() == []
    assert not prompts.errors


@pytest.mark.parametrize("file_age", [-3600, 3600], ids=["copy-newer", "copy-older"])
def test_ghostpen_edit_file_after_a_crash_restores_into_its_tab(
    make_app, prompts, qtbot, tmp_path, file_age
):
    root = tmp_path / "recovery"
    path = tmp_path / "notes.txt"
    path.write_text("on disk\n")
    crashed = RecoveryStore(root)
    crashed.save("crashed-buffer", "recovered text\n", path=str(path), newline="\r\n")
    recovery._LIVE_SESSIONS.discard(crashed.session_id)  # as if its process had died
    when = time.time() + file_age
    os.utime(path, (when, when))
    prompts.restore = "restore"
    app = make_app(root)  # as `ghostpen edit notes.txt` (editor/cli.py) does it
    window = app.window
    window.open_file(str(path), create_missing=True)
    window.show()
    qtbot.waitUntil(lambda: bool(prompts.offered), timeout=5000)
    ((offered,),) = prompts.offered
    which = "newer" if file_age < 0 else "older"
    note = f"is {which} than the file on disk"
    assert note in offered.age_note()
    dialog = dialogs.RecoveryDialog([offered])
    qtbot.addWidget(dialog)
    assert note in dialog.list.item(0).text()
    qtbot.waitUntil(lambda: "Restored 1" in window.status.currentMessage(), timeout=5000)
    assert note in window.status.currentMessage()
    assert window.tabs.count() == 1  # not a second notes.txt tab
    doc = window.current_document()
    assert doc.path == str(path) and doc.text() == "recovered text\n"
    assert doc.is_modified() and doc.newline == "\r\n"
    assert window.tabs.tabText(0) == "notes.txt*"
    keys = {d.key for d in window.recovery.pending()}
    assert keys == {doc.key}  # moved to the new session's key
    doc.editor.undo()  # one step back to the file's text
    assert doc.text() == "on disk\n" and not doc.is_modified()
