"""Files changed, replaced or deleted on disk by another program while they are open.

Real file-system events drive these tests (`qtbot.waitUntil` / `waitSignal`, no sleeps); the
focus path calls `DiskWatch.check_all` directly, as the window does when it is activated.
`QMessageBox.question` (behind `dialogs.ask_yes_no`) is replaced by a queue of answers.
"""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from ghostpen.editor.app import build_app
from ghostpen.editor.recovery import RecoveryStore

LINES = "".join(f"line {i}\n" for i in range(40))
WAIT = 5000


class Questions:
    """Stands in for QMessageBox.question: answers in order, records what was asked."""

    def __init__(self) -> None:
        self.answers: list[bool] = []
        self.asked: list[str] = []

    def __call__(self, parent, title, text, *args, **kwargs):
        self.asked.append(text)
        if not self.answers:
            return QMessageBox.StandardButton.Cancel  # unexpected question: answer "no"
        yes = self.answers.pop(0)
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No


@pytest.fixture
def questions(monkeypatch) -> Questions:
    q = Questions()
    monkeypatch.setattr(QMessageBox, "question", q)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    return q


@pytest.fixture
def window(qtbot, tmp_path, questions):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    recovery = RecoveryStore(tmp_path / "recovery")
    win = build_app(settings_store=store, recovery=recovery, suggest=False).window

    def forget(w):
        for doc in w.documents():
            doc.set_modified(False)

    qtbot.addWidget(win, before_close_func=forget)
    win.show()
    qtbot.waitExposed(win)
    yield win
    forget(win)
    win.close()
    win.suggester.stop()


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(LINES, encoding="utf-8")
    return path


def open_doc(window, path):
    assert window.open_file(str(path))
    return window.current_document()


def type_at_start(doc, text: str) -> None:
    cursor = QTextCursor(doc.document())
    cursor.insertText(text)


def replace_atomically(path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp~")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def test_external_edit_of_an_unmodified_document_reloads_it_keeping_the_cursor(
    qtbot, window, notes
):
    old = LINES * 10
    notes.write_text(old, encoding="utf-8")
    doc = open_doc(window, notes)
    cursor = doc.editor.textCursor()
    cursor.setPosition(doc.document().findBlockByNumber(200).position() + 3)
    doc.editor.setTextCursor(cursor)
    doc.editor.centerCursor()
    position = doc.editor.textCursor().position()
    scroll = doc.editor.verticalScrollBar().value()
    assert scroll > 0
    new = old.replace("line 30\n", "line thirty, changed elsewhere\n")
    notes.write_text(new, encoding="utf-8")
    qtbot.waitUntil(lambda: doc.text() == new, timeout=WAIT)
    assert not doc.is_modified()
    assert doc.editor.textCursor().blockNumber() == 200
    assert doc.editor.textCursor().positionInBlock() == 3
    assert doc.editor.textCursor().position() > position  # the longer lines above moved it
    assert doc.editor.verticalScrollBar().value() == scroll
    assert window.disk.kind(doc) == ""
    doc.document().undo()  # the reload is one undoable step
    assert doc.text() == old


def test_reload_keeps_the_documents_encoding(qtbot, window, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("café\n".encode("cp1252"))
    doc = open_doc(window, path)
    assert doc.encoding == "cp1252"
    path.write_bytes("café crème\n".encode("cp1252"))
    qtbot.waitUntil(lambda: doc.text() == "café crème\n", timeout=WAIT)
    assert doc.encoding == "cp1252"


def test_external_edit_of_a_modified_document_shows_the_bar_and_save_asks(
    qtbot, window, notes, questions
):
    doc = open_doc(window, notes)
    type_at_start(doc, "mine ")
    other = b"the other version\n"
    notes.write_bytes(other)
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "changed", timeout=WAIT)
    assert window.disk.bar.isVisible()
    assert "notes.txt changed on disk" in window.disk.bar.message.text()
    assert doc.text() == "mine " + LINES  # nothing reloaded over the user's edits

    questions.answers = [False]
    assert not window.save()
    assert "changed by another program" in questions.asked[-1]
    assert notes.read_bytes() == other
    assert doc.is_modified()

    questions.answers = [True]
    assert window.save()
    assert notes.read_bytes() == ("mine " + LINES).encode()
    assert window.disk.kind(doc) == ""


def test_reload_button_takes_the_disk_version_as_one_undoable_step(qtbot, window, notes):
    doc = open_doc(window, notes)
    type_at_start(doc, "mine ")
    notes.write_text("theirs\n" + LINES, encoding="utf-8")
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "changed", timeout=WAIT)
    assert "Undo" in window.disk.bar.buttons["reload"].toolTip()
    window.disk.bar.buttons["reload"].click()
    assert doc.text() == "theirs\n" + LINES
    assert not doc.is_modified()
    assert window.disk.kind(doc) == "" and not window.disk.bar.isVisible()
    doc.document().undo()
    assert doc.text() == "mine " + LINES


def test_keep_mine_overwrites_that_version_without_asking_but_asks_for_the_next(
    qtbot, window, notes, questions
):
    doc = open_doc(window, notes)
    type_at_start(doc, "mine ")
    notes.write_bytes(b"theirs 1\n")
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "changed", timeout=WAIT)
    window.disk.bar.buttons["keep"].click()
    assert window.disk.kind(doc) == "" and not window.disk.bar.isVisible()
    assert window.save()
    assert questions.asked == []
    assert notes.read_bytes() == ("mine " + LINES).encode()

    type_at_start(doc, "again ")
    notes.write_bytes(b"theirs 2, longer\n")
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "changed", timeout=WAIT)
    window.disk.bar.buttons["keep"].click()
    notes.write_bytes(b"theirs 3, longer still\n")
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "changed", timeout=WAIT)
    questions.answers = [False]
    assert not window.save()
    assert len(questions.asked) == 1
    assert notes.read_bytes() == b"theirs 3, longer still\n"


def test_compare_shows_a_unified_diff_of_disk_against_the_buffer(qtbot, window, notes):
    doc = open_doc(window, notes)
    type_at_start(doc, "mine ")
    notes.write_text(LINES.replace("line 5\n", "line five\n"), encoding="utf-8")
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "changed", timeout=WAIT)
    window.disk.bar.buttons["compare"].click()
    dialogs_ = [d for d in window.findChildren(QDialog) if d.objectName() == "diskcompare"]
    assert len(dialogs_) == 1
    view = dialogs_[0].view
    text = view.toPlainText()
    assert view.isReadOnly()
    assert "--- notes.txt (on disk)" in text and "+++ notes.txt (your version)" in text
    assert "-line 0\n+mine line 0\n" in text
    assert "-line five\n+line 5\n" in text
    assert doc.text() == "mine " + LINES and window.disk.kind(doc) == "changed"
    dialogs_[0].close()


def test_atomic_replace_is_noticed_and_the_watch_rearmed(qtbot, window, notes):
    doc = open_doc(window, notes)
    real = os.path.realpath(notes)
    assert real in window.disk.watcher.files()
    replace_atomically(notes, b"replaced once\n")
    qtbot.waitUntil(lambda: doc.text() == "replaced once\n", timeout=WAIT)
    qtbot.waitUntil(lambda: real in window.disk.watcher.files(), timeout=WAIT)
    replace_atomically(notes, b"replaced twice\n")
    qtbot.waitUntil(lambda: doc.text() == "replaced twice\n", timeout=WAIT)
    qtbot.waitUntil(lambda: real in window.disk.watcher.files(), timeout=WAIT)
    with open(notes, "ab") as fh:  # in place: only the (re-armed) file watch sees this
        fh.write(b"appended in place\n")
    qtbot.waitUntil(lambda: doc.text() == "replaced twice\nappended in place\n", timeout=WAIT)
    assert not doc.is_modified()


def test_deleted_file_marks_the_tab_keeps_the_text_and_save_asks(qtbot, window, notes, questions):
    doc = open_doc(window, notes)
    notes.unlink()
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "deleted", timeout=WAIT)
    index = window.tabs.indexOf(doc.editor)
    assert "(deleted)" in window.tabs.tabText(index)
    assert doc.text() == LINES
    assert doc.is_modified()  # the text lives only here now: closing would ask
    assert window.disk.bar.buttons["recreate"].isVisible()

    questions.answers = [False]
    assert not window.save()
    assert "deleted" in questions.asked[-1]
    assert not notes.exists()

    questions.answers = [True]
    assert window.save()
    assert notes.read_text(encoding="utf-8") == LINES
    assert "(deleted)" not in window.tabs.tabText(index)
    assert window.disk.kind(doc) == ""


def test_recreate_button_saves_without_asking(qtbot, window, notes, questions):
    doc = open_doc(window, notes)
    notes.unlink()
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "deleted", timeout=WAIT)
    window.disk.bar.buttons["recreate"].click()
    assert questions.asked == []
    assert notes.read_text(encoding="utf-8") == LINES
    assert not doc.is_modified()


def test_deleted_file_that_comes_back_is_checked_again(qtbot, window, notes):
    doc = open_doc(window, notes)
    notes.unlink()
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "deleted", timeout=WAIT)
    notes.write_text(LINES, encoding="utf-8")  # e.g. git checkout: the same bytes
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "", timeout=WAIT)
    assert not doc.is_modified()
    assert "(deleted)" not in window.tabs.tabText(window.tabs.indexOf(doc.editor))
    notes.unlink()
    qtbot.waitUntil(lambda: window.disk.kind(doc) == "deleted", timeout=WAIT)
    notes.write_text("restored, but different\n", encoding="utf-8")
    qtbot.waitUntil(lambda: doc.text() == "restored, but different\n", timeout=WAIT)
    assert not doc.is_modified() and window.disk.kind(doc) == ""


def test_our_own_save_triggers_nothing(qtbot, window, notes, questions, monkeypatch):
    doc = open_doc(window, notes)
    reloads = []
    monkeypatch.setattr(window.disk, "reload", lambda *a: reloads.append(a))
    type_at_start(doc, "mine ")
    with qtbot.waitSignal(window.disk.watcher.directoryChanged, timeout=WAIT):
        assert window.save()
    qtbot.waitUntil(lambda: not window.disk.timer.isActive(), timeout=WAIT)
    type_at_start(doc, "more ")  # typing after the save: still ours on disk
    window.disk.check_all()
    assert reloads == [] and questions.asked == []
    assert window.disk.kind(doc) == "" and not window.disk.bar.isVisible()
    assert doc.text() == "more mine " + LINES
    assert window.save()
    assert questions.asked == []


def test_focus_checks_without_waiting_for_the_watcher(window, notes):
    doc = open_doc(window, notes)
    notes.write_bytes(b"changed while away\n")
    window.disk.check_all()  # what gaining focus does
    assert doc.text() == "changed while away\n"
    notes.write_bytes(b"changed again while away\n")
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))
    assert doc.text() == "changed again while away\n"


def test_closing_a_tab_drops_its_watch(qtbot, window, notes, tmp_path):
    other = tmp_path / "sub"
    other.mkdir()
    second = other / "second.txt"
    second.write_text("second\n", encoding="utf-8")
    open_doc(window, notes)
    doc2 = open_doc(window, second)
    assert os.path.realpath(second) in window.disk.watcher.files()
    assert window.close_document(window.tabs.indexOf(doc2.editor))
    assert os.path.realpath(second) not in window.disk.watcher.files()
    assert os.path.realpath(other) not in window.disk.watcher.directories()
    assert os.path.realpath(notes) in window.disk.watcher.files()


def test_same_size_in_place_change_with_the_mtime_put_back_makes_save_ask(
    qtbot, window, notes, questions
):
    doc = open_doc(window, notes)
    type_at_start(doc, "mine ")
    before = os.stat(notes)
    theirs = LINES.replace("line 7\n", "LINE 7\n").encode()
    assert len(theirs) == before.st_size
    with open(notes, "r+b") as fh:  # another program, in place, same size ...
        fh.write(theirs)
    os.utime(notes, ns=(before.st_atime_ns, before.st_mtime_ns))  # ... and the old mtime
    assert os.stat(notes).st_ino == before.st_ino
    window.disk.check_all()
    questions.answers = [False]
    assert not window.save()
    assert questions.asked and "changed by another program" in questions.asked[-1]
    assert notes.read_bytes() == theirs
    questions.answers = [True]
    assert window.save()
    assert notes.read_bytes() == ("mine " + LINES).encode()
