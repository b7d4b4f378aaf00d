"""Typing history in the editor: off by default, fed on save (not excluded files), handed to
the suggestion worker, forgotten on request, a corrupt store reported and kept."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import QSettings

from ghostpen.editor import dialogs
from ghostpen.editor.app import build_app
from ghostpen.editor.habits_state import HabitsPrefs
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.suggest.types import Suggestion

NAME = "Xyrelwick"


class HabitsEngine:
    """Suggests only from the habits it was given; records where they were set."""

    name = "habits-engine"

    def __init__(self) -> None:
        self.habits = None
        self.threads: list[int] = []

    def suggest(self, before, after="", *, path=None):
        if self.habits is None:
            return None
        return self.habits.suggestion(before, 40)

    def update_settings(self, settings) -> None:
        pass

    def set_habits(self, habits) -> None:
        self.threads.append(threading.get_ident())
        self.habits = habits


@pytest.fixture
def make_app(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    monkeypatch.setattr(dialogs, "ask_save_all", lambda parent, names: "discard_all")

    def make(enabled: bool | None = None, **prefs):
        store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        if enabled is not None:
            from ghostpen.editor.settings import AppSettings

            AppSettings(store).set_habits_prefs(HabitsPrefs(enabled=enabled, **prefs))
        engine = HabitsEngine()

        def factory():
            engine.created_in = threading.get_ident()  # the suggestion worker's thread
            return engine

        built = build_app(
            engine=factory,
            settings_store=store,
            recovery=RecoveryStore(tmp_path / "r"),
            habits_path=tmp_path / "data" / "habits.json",
        )
        built.engine = engine
        qtbot.addWidget(built.window)
        with qtbot.waitSignal(built.suggester.ready, timeout=10000):
            built.window.show()
        return built

    return make


def save(app, path, text: str) -> None:
    window = app.window
    doc = window.new_document()
    doc.editor.setPlainText(text)
    assert window.save_document(doc, str(path))


def saved_words(app) -> dict:
    return json.loads(app.habits.path.read_text(encoding="utf-8"))["words"]


def flush(app, qtbot) -> None:
    with qtbot.waitSignal(app.habits.status_changed, timeout=10000):
        app.habits.flush()


def test_off_by_default_nothing_is_written(make_app, qtbot, tmp_path):
    app = make_app()
    assert app.habits.prefs.enabled is False and not app.habits.running()
    save(app, tmp_path / "note.txt", f"Dear {NAME}, " * 5)
    assert not app.habits._timer.isActive()
    app.window.close()
    assert not app.habits.path.exists() and not app.habits.path.parent.exists()


def test_saved_words_are_remembered_and_suggested_in_a_new_document(make_app, qtbot, tmp_path):
    app = make_app(enabled=True)
    qtbot.waitUntil(lambda: app.habits.last_status.entries == 0, timeout=10000)
    save(app, tmp_path / "letter.txt", f"Dear {NAME}, thank you. {NAME} wrote back. " * 3)
    flush(app, qtbot)
    assert saved_words(app)[NAME] == 6
    qtbot.waitUntil(lambda: app.engine.habits is not None, timeout=10000)
    assert set(app.engine.threads) == {app.engine.created_in}
    doc = app.window.new_document()
    qtbot.keyClicks(doc.editor, "Hello Xyr")
    qtbot.waitUntil(lambda: doc.editor.ghost() is not None, timeout=10000)
    assert doc.editor.ghost() == Suggestion("elwick", doc.editor.ghost().confidence, "habits")
    assert NAME not in doc.editor.toPlainText()  # painted, not inserted


def test_excluded_types_and_folders_are_not_fed(make_app, qtbot, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    app = make_app(enabled=True, excluded_folders=(str(secret),))
    save(app, tmp_path / "prod.env", "Qwertzonium Qwertzonium")
    save(app, tmp_path / "server.PEM", "Pemmican Pemmican")
    save(app, secret / "diary.txt", "Diarium Diarium")
    save(app, tmp_path / "ok.md", "Okayish Okayish")
    flush(app, qtbot)
    words = saved_words(app)
    assert words == {"Okayish": 2}


def test_forget_asks_then_removes_the_file_and_the_suggestions(
    make_app, qtbot, monkeypatch, tmp_path
):
    app = make_app(enabled=True)
    save(app, tmp_path / "a.txt", f"{NAME} {NAME} {NAME}")
    flush(app, qtbot)
    qtbot.waitUntil(lambda: app.engine.habits is not None, timeout=10000)
    dialog = app.habits.open_dialog()
    assert "words and phrases" in dialog.size_label.text()
    assert str(app.habits.path) in dialog.explain.text()
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, text: False)
    assert dialog.forget() is False and app.habits.path.exists()
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, text: True)
    with qtbot.waitSignal(app.habits.status_changed, timeout=10000):
        assert dialog.forget() is True
    assert not app.habits.path.exists()
    assert app.habits.last_status.entries == 0
    qtbot.waitUntil(lambda: app.engine.habits is None, timeout=10000)
    assert "forgotten" in app.window.status.currentMessage()
    dialog.close()


def test_turning_it_on_and_off_in_the_dialog(make_app, qtbot, tmp_path):
    app = make_app()
    dialog = app.habits.open_dialog()
    assert not dialog.enabled.isChecked()
    dialog.enabled.setChecked(True)
    dialog.types.setText(".secret, notes*")
    dialog.accept()
    assert app.habits.running() and app.window.settings.habits_prefs().enabled
    assert app.window.settings.habits_prefs().excluded_types == (".secret", "notes*")
    save(app, tmp_path / "notes-1.txt", "Skippable")
    save(app, tmp_path / "b.txt", f"{NAME} {NAME}")
    flush(app, qtbot)
    assert set(saved_words(app)) == {NAME}
    dialog = app.habits.open_dialog()
    dialog.enabled.setChecked(False)
    dialog.accept()
    assert not app.habits.running() and app.habits.path.exists()  # kept until forgotten
    qtbot.waitUntil(lambda: app.engine.habits is None, timeout=10000)
    save(app, tmp_path / "c.txt", "Unremembered")
    assert "Unremembered" not in saved_words(app)


def test_pending_words_are_saved_when_the_window_closes(make_app, qtbot, tmp_path):
    app = make_app(enabled=True)
    save(app, tmp_path / "a.txt", f"{NAME} {NAME}")
    app.window.close()  # before the persist delay
    assert saved_words(app) == {NAME: 2}
    assert not app.habits.running()


def test_a_corrupt_store_is_reported_and_kept(make_app, qtbot, tmp_path):
    path = tmp_path / "data" / "habits.json"
    path.parent.mkdir()
    path.write_bytes(b"{not json")
    app = make_app(enabled=True)
    qtbot.waitUntil(lambda: app.habits.last_status.message is not None, timeout=10000)
    assert "could not be read" in app.window.status.currentMessage()
    assert (path.parent / "habits.json.corrupt").read_bytes() == b"{not json"
    save(app, tmp_path / "a.txt", f"{NAME} {NAME}")
    flush(app, qtbot)
    assert saved_words(app) == {NAME: 2}
    assert (path.parent / "habits.json.corrupt").read_bytes() == b"{not json"


def test_a_store_from_a_newer_version_is_refused_and_not_touched(make_app, qtbot, tmp_path):
    path = tmp_path / "data" / "habits.json"
    path.parent.mkdir()
    newer = '{"format": "ghostpen-habits", "version": 7, "words": {}, "phrases": {}}'
    path.write_text(newer, encoding="utf-8")
    app = make_app(enabled=True)
    qtbot.waitUntil(lambda: app.habits.last_status.usable is False, timeout=10000)
    assert "newer ghostpen" in app.window.status.currentMessage()
    save(app, tmp_path / "a.txt", f"{NAME} {NAME}")
    app.window.close()
    assert path.read_text(encoding="utf-8") == newer
