"""Large documents: recovery copies are encoded and written off the GUI thread (one in flight
per document, a stale one never lands), and files with very long lines open without word wrap
or highlighting, for that tab only."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPlainTextEdit

from ghostpen.editor.app import build_app
from ghostpen.editor.long_lines import LONG_LINE_CHARS, WARNING, has_long_lines
from ghostpen.editor.recovery import RecoveryStore

NO_WRAP = QPlainTextEdit.LineWrapMode.NoWrap
WRAP = QPlainTextEdit.LineWrapMode.WidgetWidth


class FakeEngine:
    name = "fake"

    def suggest(self, before, after="", *, path=None):
        return None

    def update_settings(self, settings) -> None:
        pass


@pytest.fixture
def window(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    app = build_app(
        engine=FakeEngine,
        settings_store=store,
        recovery=RecoveryStore(tmp_path / "recovery"),
        suggest=False,
    )
    qtbot.addWidget(app.window)
    yield app.window
    for doc in app.window.documents():
        doc.set_modified(False)
    app.window.close()
    app.suggester.stop()


def test_has_long_lines():
    assert not has_long_lines("short\n" * 100_000)
    assert has_long_lines("x" * (LONG_LINE_CHARS + 1))
    assert has_long_lines("a\n" + "x" * (LONG_LINE_CHARS + 1) + "\nb")
    assert not has_long_lines("a\n" + "x" * LONG_LINE_CHARS + "\nb")


def test_very_long_lines_turn_highlighting_off_for_that_tab(window, tmp_path):
    # word wrap stays as the user set it: unwrapped, a 5 MB line was ~3x slower a keystroke
    small = tmp_path / "small.py"
    small.write_text("def f():\n    return 1\n")
    big = tmp_path / "minified.py"
    big.write_text("x = [" + "1, " * (LONG_LINE_CHARS // 3 + 10) + "]\nprint(x)\n")
    assert window.open_file(str(small))
    normal = window.current_document()
    window.set_word_wrap(True)  # for code (off by default)
    assert window.open_file(str(big))
    long_doc = window.current_document()
    assert long_doc is not normal and long_doc.long_lines and not normal.long_lines
    assert WARNING in window.status.currentMessage() and "minified.py" in (
        window.status.currentMessage()
    )
    assert long_doc.highlighter is None
    assert not long_doc.highlighted and window.status.text_of("language") == "Python (no colours)"
    assert normal.highlighter is not None
    assert long_doc.editor.lineWrapMode() == WRAP and normal.editor.lineWrapMode() == WRAP
    window.set_word_wrap(False)
    assert long_doc.editor.lineWrapMode() == NO_WRAP and normal.editor.lineWrapMode() == NO_WRAP


def test_recovery_copy_is_written_off_the_gui_thread_and_never_stale(
    window, qtbot, tmp_path, monkeypatch
):
    store = window.recovery
    release = threading.Event()
    writers = []
    real_save = store.save

    def slow_save(*args, **kw):
        writers.append(threading.current_thread())
        release.wait(10)  # the copy is "being written" until the test releases it
        return real_save(*args, **kw)

    monkeypatch.setattr(store, "save", slow_save)
    path = tmp_path / "notes.txt"
    path.write_text("on disk\n")
    window.open_file(str(path))
    edit = window.current_editor()
    edit.textCursor().insertText("first ")
    assert window.write_recovery() == 1  # returns at once: the worker writes
    assert not release.is_set()
    qtbot.waitUntil(lambda: bool(writers), timeout=5000)
    assert writers[0] is not threading.main_thread()
    edit.textCursor().insertText("second ")
    assert window.write_recovery() == 0  # one copy in flight per document
    release.set()
    qtbot.waitUntil(lambda: not window.keeper._in_flight, timeout=5000)
    assert window.write_recovery() == 1  # now the newer text
    qtbot.waitUntil(lambda: not window.keeper._in_flight, timeout=5000)
    (entry,) = store.pending()
    assert entry.text == "first second on disk\n"

    release.clear()
    edit.textCursor().insertText("third ")
    assert window.write_recovery() == 1
    qtbot.waitUntil(lambda: len(writers) == 3, timeout=5000)
    assert window.save()  # saved while the copy of "third" is still being written
    release.set()
    qtbot.waitUntil(lambda: not window.keeper.writer.busy(), timeout=5000)
    assert store.pending() == []  # the late copy did not come back
    assert path.read_text() == "first second third on disk\n"
