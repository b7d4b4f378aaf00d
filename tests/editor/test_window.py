"""The main window and `ghostpen edit`. Nothing blocks: the `answers` fixture replaces every
dialog function of `ghostpen.editor.dialogs`; settings go to a temp INI file."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage, QKeySequence

from ghostpen.editor import dialogs, recovery
from ghostpen.editor.app import build_app
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.settings import AppSettings, SuggestPrefs
from ghostpen.editor.window import MainWindow
from ghostpen.suggest.types import EngineSettings, Suggestion


class FakeEngine:
    name = "fake-model"

    def suggest(self, before: str, after: str = "", *, path: str | None = None):
        return Suggestion("rld", 0.9, "model") if before.endswith("wo") else None

    def update_settings(self, settings) -> None:
        self.settings = settings


class Answers:
    """Stands in for every blocking dialog; queue answers, read what was shown."""

    def __init__(self, monkeypatch) -> None:
        self.errors: list[str] = []
        self.save_changes: list[str] = []  # answers for ask_save_changes, in order
        self.asked_save_changes: list[str] = []
        self.yes_no: list[bool] = []
        self.save_paths: list[str | None] = []
        self.lines: list[int | None] = []
        self.restore = ("later", None)  # (choice, docs to restore or None for all)
        self.offered: list = []
        self.settings: SuggestPrefs | None = None
        mp = monkeypatch
        mp.setattr(dialogs, "show_error", lambda parent, title, text: self.errors.append(text))
        mp.setattr(dialogs, "ask_save_changes", self._save_changes)
        mp.setattr(dialogs, "ask_save_all", lambda parent, names: "each")  # one at a time
        mp.setattr(dialogs, "ask_yes_no", lambda parent, title, text: self.yes_no.pop(0))
        mp.setattr(dialogs, "ask_save_path", lambda parent, suggested: self.save_paths.pop(0))
        mp.setattr(dialogs, "ask_line", lambda parent, current, count: self.lines.pop(0))
        mp.setattr(dialogs, "ask_restore", self._restore)
        mp.setattr(dialogs, "edit_settings", lambda parent, prefs: self.settings)
        mp.setattr(dialogs, "ask_open_paths", lambda parent, start: [])
        mp.setattr(dialogs, "ask_encoding", lambda parent, current: None)

    def _save_changes(self, parent, name: str) -> str:
        self.asked_save_changes.append(name)
        # never raise here: an exception in closeEvent would escape from Qt's close()
        return self.save_changes.pop(0) if self.save_changes else "unexpected"

    def _restore(self, parent, docs):
        self.offered.append(list(docs))
        choice, chosen = self.restore
        return choice, (list(docs) if chosen is None else chosen) if choice == "restore" else []


@pytest.fixture
def answers(monkeypatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def settings_path(tmp_path) -> Path:
    return tmp_path / "settings.ini"


def forget_changes(window: MainWindow) -> None:
    """Mark every document saved so closing the window asks nothing."""
    for doc in window.documents():
        doc.set_modified(False)


@pytest.fixture
def make_window(qtbot, tmp_path, settings_path, answers):
    made: list[MainWindow] = []

    def make(engine_factory=FakeEngine, root=None, show=True, **kw) -> MainWindow:
        store = QSettings(str(settings_path), QSettings.Format.IniFormat)
        store_root = root or tmp_path / "recovery"
        window = build_app(
            engine=engine_factory, settings_store=store, recovery=RecoveryStore(store_root), **kw
        ).window
        qtbot.addWidget(window, before_close_func=forget_changes)
        made.append(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window

    yield make
    for window in made:
        try:
            forget_changes(window)
            window.close()
            window.suggester.stop()
        except RuntimeError:  # already deleted
            pass


def type_text(qtbot, window, text: str) -> None:
    qtbot.keyClicks(window.current_editor(), text)


def type_text_at_end(window, text: str) -> None:
    cursor = window.current_editor().textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    cursor.insertText(text)


@pytest.mark.parametrize(
    "encoding, newline, label",
    [("cp1252", "\r\n", "CP1252"), ("utf-16", "\n", "UTF-16 LE with BOM")],
)
def test_open_save_round_trip_keeps_line_ending_and_encoding(
    make_window, tmp_path, encoding, newline, label
):
    def data(text: str) -> bytes:
        return text.replace("\n", newline).encode(encoding)  # "utf-16": LE with a BOM

    path = tmp_path / "notes.txt"
    path.write_bytes(data("café au lait\nsecond line\n"))
    window = make_window()
    assert window.open_file(str(path))
    assert len(window.documents()) == 1  # the empty first tab was reused
    doc = window.current_document()
    assert doc.text() == "café au lait\nsecond line\n"
    assert window.status.text_of("encoding") == label
    assert window.status.text_of("newline") == {"\n": "LF", "\r\n": "CRLF"}[newline]
    type_text_at_end(window, "third: ñ\n")
    assert window.save()
    assert path.read_bytes() == data("café au lait\nsecond line\nthird: ñ\n")
    assert not doc.is_modified()


def test_unencodable_text_is_saved_as_utf8_when_the_user_agrees(make_window, answers, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("caf\xe9\n".encode("latin-1"))
    window = make_window()
    window.open_file(str(path))
    type_text_at_end(window, "✓")
    answers.yes_no = [False]
    assert not window.save()  # declined: nothing written, still modified
    assert path.read_bytes() == b"caf\xe9\n"
    assert window.current_document().is_modified()
    answers.yes_no = [True]
    assert window.save()
    assert path.read_text("utf-8") == "café\n✓"
    assert window.status.text_of("encoding") == "UTF-8"


def test_save_as_new_document_and_language(make_window, answers, tmp_path):
    window = make_window()
    type_text_at_end(window, "def f():\n    return 1\n")
    target = tmp_path / "code.py"
    answers.save_paths = [str(target)]
    assert window.save()  # untitled: asks for a path
    assert target.read_text() == "def f():\n    return 1\n"
    assert window.current_document().path == str(target)
    assert window.status.text_of("language") == "Python"
    assert window.tabs.tabText(0) == "code.py"
    answers.save_paths = [None]  # Save As cancelled
    assert not window.save_as()


def test_modified_marker_and_close_prompts(make_window, answers, qtbot, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("hello\n")
    window = make_window()
    window.open_file(str(path))
    assert window.tabs.tabText(0) == "a.txt" and not window.isWindowModified()
    type_text(qtbot, window, "X")
    assert window.tabs.tabText(0) == "a.txt*"
    assert window.isWindowModified() and "[*]" in window.windowTitle()
    answers.save_changes = ["cancel"]
    assert not window.close_document(0)
    assert len(window.documents()) == 1
    answers.save_changes = ["save"]
    assert window.close_document(0)
    assert path.read_text() == "Xhello\n"
    assert len(window.documents()) == 1 and window.current_document().path is None  # fresh tab
    window.open_file(str(path))
    type_text(qtbot, window, "Y")
    answers.save_changes = ["discard"]
    assert window.close_current()
    assert path.read_text() == "Xhello\n"
    assert answers.asked_save_changes == ["a.txt", "a.txt", "a.txt"]


def test_window_close_prompt_and_clean_stop(make_window, answers, qtbot):
    window = make_window()
    qtbot.waitUntil(lambda: window.suggester.is_ready, timeout=10000)
    type_text(qtbot, window, "draft")
    answers.save_changes = ["cancel"]
    window.close()
    assert window.isVisible()  # cancelled
    stopped = []
    original = window.suggester.stop
    window.suggester.stop = lambda: (stopped.append(True), original())
    answers.save_changes = ["discard"]
    window.close()
    assert not window.isVisible()
    assert stopped and not window.suggester._thread.isRunning()


def test_tabs_and_reopening_an_open_file_switches_to_it(make_window, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.md"
    a.write_text("a\n"), b.write_text("# b\n")
    window = make_window()
    window.open_file(str(a))
    window.open_file(str(b))
    assert [d.name() for d in window.documents()] == ["a.txt", "b.md"]
    assert window.tabs.isMovable() and window.tabs.tabsClosable()
    window.open_file(str(a))
    assert window.tabs.currentIndex() == 0 and len(window.documents()) == 2
    window.new_document()
    assert window.documents()[-1].name().startswith("Untitled")


def test_recent_files(make_window, tmp_path, settings_path):
    paths = [str(tmp_path / f"f{i}.txt") for i in range(12)]
    for p in paths:
        Path(p).write_text(p)
    window = make_window()
    for p in paths:
        window.open_file(p)
    recent = AppSettings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert recent.recent_files() == list(reversed(paths))[:10]
    os.remove(paths[-1])
    assert recent.recent_files()[0] == paths[-2]  # a missing file is pruned
    window.refresh_recent_menu()
    texts = [a.text() for a in window.acts.recent_menu.actions() if a.data()]
    assert len(texts) == 9 and "f10.txt" in texts[0]
    window.clear_recent()
    assert recent.recent_files() == []


def test_binary_file_is_refused_with_a_message(make_window, answers, tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    window = make_window()
    assert not window.open_file(str(path))
    assert len(answers.errors) == 1 and "binary" in answers.errors[0]
    assert len(window.documents()) == 1 and window.current_document().path is None


def test_reopen_with_encoding(make_window, answers, tmp_path):
    path = tmp_path / "ru.txt"
    path.write_bytes("привет\n".encode("koi8-r"))
    window = make_window()
    window.open_file(str(path))
    assert window.current_document().text() != "привет\n"
    assert not window.reopen_with_encoding("utf-8")  # not valid UTF-8: an error, text kept
    assert "not valid utf-8" in answers.errors[-1]
    assert window.reopen_with_encoding("koi8-r")
    assert window.current_document().text() == "привет\n"
    assert window.status.text_of("encoding") == "KOI8-R"


def test_find_replace_through_the_window(make_window, qtbot):
    window = make_window()
    type_text_at_end(window, "one two one\nOne\n")
    window.show_find(replace=True)
    bar = window.find_bar
    assert bar.isVisible()
    bar.find_edit.setText("one")
    bar.case.setChecked(True)
    window.find_next()
    assert window.current_editor().textCursor().selectedText() == "one"
    bar.replace_edit.setText("1")
    bar.replace_all()
    assert window.current_document().text() == "1 two 1\nOne\n"
    window.current_editor().undo()
    assert window.current_document().text() == "one two one\nOne\n"
    bar.regex.setChecked(True)
    bar.find_edit.setText("(")
    window.find_next()
    assert "Invalid regular expression" in bar.message.text()


def test_go_to_line(make_window, answers):
    window = make_window()
    type_text_at_end(window, "\n".join(f"line {i}" for i in range(1, 51)))
    answers.lines = [30]
    assert window.go_to_line()
    assert window.current_editor().textCursor().blockNumber() == 29
    assert window.status.text_of("position") == "Ln 30, Col 1"
    answers.lines = [None]
    assert not window.go_to_line()
    assert window.go_to_line(999)  # clamped to the last line
    assert window.current_editor().textCursor().blockNumber() == 49


def test_shortcuts_follow_the_platform(make_window):
    window = make_window(show=False)
    acts = window.acts
    names = {"SelectAll": "select_all", "ZoomIn": "zoom_in"}
    for key in ("New", "Open", "Save", "Find", "Undo", "Copy", "SelectAll", "ZoomIn"):
        action = getattr(acts, names.get(key, key.lower()))
        standard = QKeySequence.keyBindings(getattr(QKeySequence.StandardKey, key))
        assert action.shortcuts()[0] == standard[0], key
    assert acts.goto.shortcuts() == [QKeySequence("Ctrl+G")]
    assert acts.zoom_reset.shortcuts() == [QKeySequence("Ctrl+0")]
    seen: dict[str, str] = {}
    for action in window.findChildren(type(acts.new)):
        for seq in action.shortcuts():
            assert seen.setdefault(seq.toString(), action.text()) == action.text(), seq.toString()


def test_view_settings_persist(make_window, qtbot):
    window = make_window()
    window.set_dark(True)
    window.set_word_wrap(True)
    window.zoom_in()
    assert window.current_editor().is_dark()
    window.close()
    again = make_window()
    assert again.is_dark() and again.acts.dark.isChecked()
    assert again.acts.word_wrap.isChecked()
    again.set_dark(False)
    assert not again.current_editor().is_dark()


def test_suggestion_settings_persist(make_window, answers, settings_path):
    window = make_window()
    engine = EngineSettings(max_chars=12, min_confidence=0.6, stop_at="line")
    prefs = SuggestPrefs(False, engine, 25)
    answers.settings = prefs
    assert window.edit_settings()
    assert window.suggester.settings == prefs.engine and window.suggester.delay_ms == 25
    assert not window.suggestions_enabled() and not window.acts.toggle_suggest.isChecked()
    stored = AppSettings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    # how many choices the engine computes follows Suggestions > Alternatives (cycle: 3)
    assert stored.suggest_prefs() == replace(prefs, engine=replace(engine, choices=3))
    answers.settings = None  # cancelled: nothing changes
    assert not window.edit_settings()
    window.set_suggestions_enabled(True)
    assert stored.suggest_prefs().enabled


def test_model_status_and_ghost_latency(make_window, qtbot):
    window = make_window()
    qtbot.waitUntil(lambda: window.status.text_of("model") == "model: fake-model", timeout=10000)
    window.current_editor().setFocus()
    type_text(qtbot, window, "hello wo")
    qtbot.waitUntil(lambda: window.status.text_of("latency").startswith("ghost "), timeout=10000)
    assert window.status.text_of("latency").endswith(" ms")


def test_worker_failure_keeps_the_editor_usable(make_window, qtbot, answers, tmp_path):
    def broken():
        raise RuntimeError("model file is corrupt")

    window = make_window(engine_factory=broken)
    qtbot.waitUntil(
        lambda: window.status.text_of("model").startswith("suggestions off:"), timeout=10000
    )
    assert "model file is corrupt" in window.status.tip_of("model")  # the label may be cut
    assert not window.acts.toggle_suggest.isChecked() and not window.suggestions_enabled()
    type_text(qtbot, window, "still typing")
    assert window.current_document().text() == "still typing"
    window.set_suggestions_enabled(True)  # no model: stays off, says why again
    assert not window.suggestions_enabled()
    assert window.status.text_of("model").startswith("suggestions off:")
    answers.save_paths = [str(tmp_path / "kept.txt")]
    assert window.save()
    assert (tmp_path / "kept.txt").read_text() == "still typing"


def test_no_suggest_loads_no_model(make_window):
    calls = []
    window = make_window(engine_factory=lambda: calls.append(1) or FakeEngine(), suggest=False)
    assert window.status.text_of("model") == "suggestions off"
    assert not window.suggester._thread.isRunning() and calls == []


def test_html_documents_give_the_suggester_their_path(make_window, qtbot, tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<ul>\n  <li>\n")
    seen = []

    class Recorder(FakeEngine):
        def suggest(self, before, after="", *, path=None):
            seen.append(path)

    window = make_window(engine_factory=Recorder)
    window.open_file(str(path))
    assert window.status.text_of("language") == "HTML"
    qtbot.waitUntil(lambda: window.suggester.is_ready, timeout=10000)
    type_text(qtbot, window, "x")
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen[-1] == str(path)  # the engine turns closing tags on from the path


def test_big_file_opens_without_highlighting(make_window, tmp_path):
    path = tmp_path / "big.py"
    line = "x = 1  # " + "a" * 90 + "\n"
    path.write_text(line * (2 * 1024 * 1024 // len(line) + 10))
    window = make_window()
    assert window.open_file(str(path))
    doc = window.current_document()
    assert doc.highlighter is None and not doc.highlighted
    assert window.status.text_of("language") == "Python (no colours)"


def test_recovery_written_by_timer_and_offered_after_a_crash(make_window, answers, qtbot, tmp_path):
    root = tmp_path / "recovery"
    path = tmp_path / "draft.txt"
    path.write_bytes(b"first\r\n")
    crashed = make_window(root=root)
    crashed.open_file(str(path))
    crashed.recovery_timer.setInterval(20)
    type_text(qtbot, crashed, "unsaved ")
    store = crashed.recovery
    qtbot.waitUntil(lambda: len(store.pending()) == 1, timeout=5000)
    (entry,) = store.pending()
    assert entry.text == "unsaved first\n" and entry.path == str(path) and entry.newline == "\r\n"
    crashed.recovery_timer.stop()
    # the session dies without closing: its entry now belongs to a dead process
    (file,) = root.glob("*.json")
    record = {**json.loads(file.read_text("utf-8")), "session": "crashed", "pid": 2**31 - 2}
    file.write_text(json.dumps(record), "utf-8")
    answers.restore = ("restore", None)
    later = make_window(root=root)  # shown: the offer comes right after
    qtbot.waitUntil(lambda: bool(answers.offered), timeout=5000)
    assert [d.key for d in answers.offered[0]] == [entry.key]
    doc = later.current_document()
    assert doc.text() == "unsaved first\n" and doc.path == str(path)
    assert doc.is_modified() and doc.newline == "\r\n"
    assert later.tabs.tabText(0) == "draft.txt*"
    keys = {d.key for d in later.recovery.pending()}
    assert entry.key not in keys and doc.key in keys  # moved to the new session's key
    assert later.save()
    assert path.read_bytes() == b"unsaved first\r\n"
    assert later.recovery.pending() == []  # saved: the copy is gone


def test_recovery_discard_and_later(make_window, answers, qtbot, tmp_path):
    root = tmp_path / "recovery"
    dead = RecoveryStore(root)
    dead.save("k1", "lost text", path=None)
    recovery._LIVE_SESSIONS.discard(dead.session_id)  # as if its process had died
    window = make_window(root=root, show=False)
    answers.restore = ("later", None)
    assert window.offer_recovery() == 0
    assert [d.key for d in RecoveryStore(root).pending()] == ["k1"]  # kept for next time
    answers.restore = ("discard", None)
    assert window.offer_recovery() == 0
    assert RecoveryStore(root).pending() == []


def test_screenshot(make_window, tmp_path, qtbot):
    page = tmp_path / "page.html"
    page.write_text('<html>\n<!-- note\n  more -->\n<body><p class="x">Hi</p></body>\n</html>\n')
    window = make_window()
    window.resize(900, 500)
    window.open_file(str(page))
    edit = window.current_editor()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    edit.setCursorWidth(0)  # no blinking cursor in the comparison
    plain = window.grab().toImage()
    assert window.grab().toImage() == plain  # stable without a ghost
    with qtbot.waitSignal(edit.ghostPainted, timeout=2000):
        edit.set_ghost(Suggestion("<p>ghost</p>", 0.9, "model"))
    shot = window.grab()
    assert shot.save(str(tmp_path / "window.png"))
    saved = QImage(str(tmp_path / "window.png"))
    assert saved.size() == shot.size() and not saved.isNull()
    assert saved.convertToFormat(plain.format()) != plain  # the ghost is in the picture
    assert "ghost" not in window.current_document().text()


def test_old_default_suggestion_settings_take_the_new_defaults(settings_path):
    store = QSettings(str(settings_path), QSettings.Format.IniFormat)
    store.setValue("suggest/min_confidence", 0.1)  # what an older ghostpen saved on OK
    store.setValue("suggest/stop_at", "word")
    store.setValue("suggest/max_chars", 12)  # a value the user chose
    store.sync()
    prefs = AppSettings(QSettings(str(settings_path), QSettings.Format.IniFormat)).suggest_prefs()
    assert prefs.engine.min_confidence == EngineSettings().min_confidence != 0.1
    assert prefs.engine.stop_at == EngineSettings().stop_at != "word"
    assert prefs.engine.max_chars == 12
    chosen = AppSettings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    chosen.set_suggest_prefs(SuggestPrefs(True, EngineSettings(min_confidence=0.1), 15))
    assert chosen.suggest_prefs().engine.min_confidence == 0.1  # chosen now: kept
