"""The Model menu, Manage models, the live model switch and closing while training."""

from __future__ import annotations

import shutil
import threading

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QMessageBox

from ghostpen.editor.app import build_app
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.worker import Suggester
from ghostpen.model.checkpoint import default_model_path, read_checkpoint
from ghostpen.suggest.types import Suggestion


class NamedEngine:
    """Suggests its own name, and records the thread it was built in."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.thread = threading.get_ident()

    def suggest(self, before, after="", *, path=None):
        return Suggestion(f"<{self.name}>", 0.9, "model")

    def update_settings(self, settings) -> None:
        self.settings = settings


@pytest.fixture
def models_dir(models_dir, tiny_model):
    shutil.copytree(tiny_model, models_dir / "mine")
    return models_dir


@pytest.fixture
def app(qtbot, tmp_path, models_dir, tiny_model):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    built = build_app(
        str(models_dir / "mine"), settings_store=store, recovery=RecoveryStore(tmp_path / "r")
    )
    qtbot.addWidget(built.window)
    with qtbot.waitSignal(built.suggester.ready, timeout=30000):
        built.window.show()
    yield built
    built.window.close()
    built.suggester.stop()


def test_menu_lists_models_with_the_one_in_use_checked(app):
    models = app.models
    models.menu.aboutToShow.emit()
    labels = [a.text() for a in models.menu.actions()]
    assert labels[0].startswith("&Train on my documents")
    assert labels[-1] == "&Manage models…"
    assert set(models.model_actions) == {"default", "mine"}
    assert models.model_actions["mine"].isChecked()
    assert not models.model_actions["default"].isChecked()
    assert app.window.status.text_of("model") == "model: tiny"


def test_live_switch_loads_in_the_worker_and_names_the_model(app, qtbot):
    with qtbot.waitSignal(app.suggester.ready, timeout=60000) as ready:
        app.models.model_actions["default"].trigger()
    bundled = read_checkpoint(default_model_path()).name
    assert ready.args == [bundled]
    assert app.models.model_actions["default"].isChecked()
    assert app.window.status.text_of("model") == f"model: {bundled}"
    assert app.settings.store.value("model/path") == str(default_model_path())
    assert app.suggester.enabled and app.suggester._worker.engine.name == ready.args[0]


def test_switch_uses_the_worker_thread_and_keeps_the_old_engine_on_failure(qtbot):
    from ghostpen.editor.textedit import GhostTextEdit

    made = []

    def factory(name):
        def make():
            made.append(NamedEngine(name))
            return made[-1]

        return make

    sugg = Suggester(factory("one"), delay_ms=1)
    edit = GhostTextEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    sugg.attach(edit, lambda: None)
    with qtbot.waitSignal(sugg.ready):
        sugg.start()
    qtbot.keyClicks(edit, "a")
    qtbot.waitUntil(lambda: edit.ghost() is not None and edit.ghost().text == "<one>")
    with qtbot.waitSignal(sugg.ready) as ready:
        sugg.switch_model(factory("two"))
    assert ready.args == ["two"] and sugg.model_name == "two"
    assert made[1].thread == made[0].thread != threading.get_ident()
    qtbot.keyClicks(edit, "b")  # suggestions go on, from the new engine
    qtbot.waitUntil(lambda: edit.ghost() is not None and edit.ghost().text == "<two>")

    def broken():
        raise FileNotFoundError("gone.params")

    with qtbot.waitSignal(sugg.switch_failed) as failed:
        sugg.switch_model(broken)
    assert "gone.params" in failed.args[0]
    assert sugg.enabled and sugg._worker.engine is made[1]  # the old engine stays
    sugg.stop()


def test_manage_rename_and_delete_with_confirmation(app, models_dir, monkeypatch, tiny_model):
    shutil.copytree(tiny_model, models_dir / "old")
    dialog = app.models.manage()
    names = [i.name for i in dialog.infos]
    assert names == ["default", "mine", "old"]
    dialog.list.setCurrentRow(names.index("mine"))  # in use: not deletable
    assert not dialog.delete_button.isEnabled() and not dialog.delete()
    dialog.list.setCurrentRow(names.index("old"))
    assert "lstm" in dialog.details.text() and "Trained" in dialog.details.text()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("renamed", True))
    assert dialog.rename()
    assert (models_dir / "renamed" / "meta.json").is_file() and not (models_dir / "old").exists()
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    assert not dialog.delete()  # said No: kept
    assert (models_dir / "renamed").exists()
    assert dialog.delete()
    assert not (models_dir / "renamed").exists()
    assert [i.name for i in dialog.infos] == ["default", "mine"]
    dialog.close()


def test_a_missing_model_still_builds_the_window(qtbot, tmp_path, models_dir):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    built = build_app(
        str(tmp_path / "gone"), settings_store=store, recovery=RecoveryStore(tmp_path / "r")
    )
    qtbot.addWidget(built.window)
    with qtbot.waitSignal(built.suggester.failed, timeout=30000):
        built.window.show()
    assert "gone" in built.window.status.text_of("model") or built.suggester.last_error
    built.models.menu.aboutToShow.emit()
    assert not any(a.isChecked() for a in built.models.model_actions.values())
    built.window.close()
    built.suggester.stop()


def test_menu_says_what_each_number_was_measured_on(app):
    app.models.menu.aboutToShow.emit()
    default = app.models.model_actions["default"].text()
    assert "on held-out text of nietzsche.txt" in default and "(base pd-base: " in default
    assert any(
        "lower is better" in a.text() and not a.isEnabled() for a in app.models.menu.actions()
    )
    assert "Trained: " in app.models.model_actions["default"].toolTip()


def test_show_folder_without_a_file_manager_says_so(app, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    told = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    dialog = app.models.manage()
    dialog.show_folder()
    assert told and "No file manager" in told[0] and str(dialog.selected().path) in told[0]


def test_a_model_with_a_mistyped_stat_does_not_stop_the_editor(qtbot, tmp_path, models_dir):
    """Issue 21 item 8: the menu and Manage models list it, with a note; the rest works."""
    import json

    meta_file = models_dir / "mine" / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["training"]["corpus"] = {"chars": "many", "file_count": 1}
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    store = QSettings(str(tmp_path / "s2.ini"), QSettings.Format.IniFormat)
    built = build_app(settings_store=store, recovery=RecoveryStore(tmp_path / "r2"))
    qtbot.addWidget(built.window)
    built.models.menu.aboutToShow.emit()
    assert set(built.models.model_actions) == {"default", "mine"}
    dialog = built.models.manage()
    dialog.list.setCurrentRow([i.name for i in dialog.infos].index("mine"))
    assert "corpus.chars" in dialog.details.text()
    built.window.close()
    built.suggester.stop()
