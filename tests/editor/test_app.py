"""The composition root (`editor/app.py`): what `build_app` wires, and that `ghostpen edit`
and `ghostpen eval latency` both go through it."""

from __future__ import annotations

import argparse
from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ghostpen.editor import app as app_module
from ghostpen.editor import cli, recovery
from ghostpen.editor.app import build_app, qt_application
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.settings import AppSettings, SuggestPrefs
from ghostpen.editor.window import MainWindow
from ghostpen.evals import latency as eval_latency
from ghostpen.suggest.engine import SuggestionEngine
from ghostpen.suggest.types import EngineSettings


class FakeEngine:
    name = "fake"

    def suggest(self, before, after="", *, path=None):
        return None

    def update_settings(self, settings) -> None:
        self.settings = settings


@pytest.fixture
def store(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def built(qtbot):
    apps = []
    yield apps
    for app in apps:
        app.window.close()
        app.suggester.stop()


def test_build_app_wires_one_of_each(qtbot, tmp_path, store, built):
    prefs = SuggestPrefs(True, EngineSettings(max_chars=7, stop_at="line"), 25)
    AppSettings(store).set_suggest_prefs(prefs)
    rec = RecoveryStore(tmp_path / "recovery")
    app = build_app(engine=FakeEngine, settings_store=store, recovery=rec, suggest=False)
    built.append(app)
    qtbot.addWidget(app.window)
    assert isinstance(app.window, MainWindow)
    assert app.window.settings is app.settings and app.window.recovery is rec is app.recovery
    assert app.window.suggester is app.suggester and app.suggester.parent() is app.window
    assert app.engine_factory is FakeEngine
    assert app.suggester.settings == replace(prefs.engine, choices=3)  # the cycle view
    assert app.suggester.delay_ms == 25
    assert not app.suggester._thread.isRunning()  # suggest=False: no model is loaded
    assert app.window.status.text_of("model") == "suggestions off"


def test_build_app_loads_the_checkpoint_with_the_stored_settings(
    qtbot, tmp_path, store, built, tiny_model
):
    engine_settings = EngineSettings(max_chars=9, choices=3)  # the default view cycles
    AppSettings(store).set_suggest_prefs(SuggestPrefs(True, engine_settings, 15))
    app = build_app(str(tiny_model), settings_store=store, recovery=RecoveryStore(tmp_path))
    built.append(app)
    qtbot.addWidget(app.window)
    engine = app.engine_factory()  # what the worker thread calls
    assert isinstance(engine, SuggestionEngine) and engine.settings == engine_settings
    qtbot.waitUntil(lambda: app.suggester.is_ready, timeout=20000)
    assert app.suggester.model_name == engine.name
    assert app.window.status.text_of("model") == f"model: {engine.name}"


def test_qt_application_is_the_running_one_with_the_icon(qapp):
    assert qt_application() is qapp
    assert not qapp.windowIcon().isNull()


def recording(monkeypatch) -> list:
    calls = []
    real = app_module.build_app

    def build(*args, **kw):
        app = real(*args, **kw)
        calls.append((args, kw, app))
        return app

    monkeypatch.setattr(app_module, "build_app", build)
    return calls


def test_edit_command_goes_through_build_app(qtbot, tmp_path, monkeypatch, tiny_model):
    monkeypatch.setattr(
        "ghostpen.editor.settings.default_store",
        lambda: QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    monkeypatch.setattr(recovery, "default_root", lambda: tmp_path / "recovery")
    calls = recording(monkeypatch)
    seen = []

    def fake_exec(*_args) -> int:  # no event loop: quitting it would break later tests
        (_, _, app) = calls[0]
        seen.extend(d.name() for d in app.window.documents())
        app.window.close()
        return 0

    monkeypatch.setattr(type(qt_application()), "exec", fake_exec)
    assert cli.main([str(tmp_path / "new.txt"), "--model", str(tiny_model), "--no-suggest"]) == 0
    ((args, kw, app),) = calls
    assert args == (str(tiny_model),) and kw == {"suggest": False}
    assert seen == ["new.txt"]
    assert not app.suggester._thread.isRunning()


def test_latency_eval_goes_through_build_app(qapp, fixtures_dir, monkeypatch):
    calls = recording(monkeypatch)
    text = (fixtures_dir / "tiny.txt").read_text(encoding="utf-8")
    result = eval_latency.measure_latency(
        text, eval_latency.FakeEngine, prefix=300, chars=5, cps=100
    )
    ((args, kw, app),) = calls
    assert kw["engine"] is eval_latency.FakeEngine and args == (None,)
    assert result["window"] == "MainWindow" and result["model"] == eval_latency.FakeEngine.name


def test_cli_arguments_and_missing_model(capsys):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["a.txt", "b.html", "--model", "/nope/model", "--no-suggest"])
    assert args.files == ["a.txt", "b.html"] and args.no_suggest
    assert cli.run(args) == 2
    assert "/nope/model" in capsys.readouterr().err


def test_cli_run_opens_files_and_exits(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(
        "ghostpen.editor.settings.default_store",
        lambda: QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    monkeypatch.setattr(recovery, "default_root", lambda: tmp_path / "recovery")
    existing = tmp_path / "exists.py"
    existing.write_text("print('hi')\n")
    seen = []

    def fake_exec(*_args) -> int:  # no event loop: quitting it would break later tests
        (window,) = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        seen.extend(d.name() for d in window.documents())
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    code = cli.main([str(existing), str(tmp_path / "new.txt"), "--no-suggest"])
    assert code == 0
    assert seen == ["exists.py", "new.txt"]
