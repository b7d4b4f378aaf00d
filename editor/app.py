"""The editor's composition root: settings, recovery store, engine factory, suggester, window.

`build_app` is the one place that wires the pieces together (as mu-editor's `app.py`);
`ghostpen edit` (`editor/cli.py`) and `ghostpen eval latency` (`evals/latency.py`) both call
it, and so do the window tests, so what is measured and tested is what the user runs:

- `AppSettings` over a QSettings (default: the platform's store; tests and the latency eval:
  a temp INI file), read once for the suggestion preferences;
- `RecoveryStore` (default: the user's state folder);
- the engine factory (`worker.checkpoint_engine`: the checkpoint at `model_path`, default the
  bundled model; or one the caller passes, e.g. a fake engine), called in the worker thread;
- the `Suggester` (the worker thread's GUI-side controller) with the stored engine settings
  and debounce delay;
- the `MainWindow` showing them;
- the Model menu (`models_menu.ModelsController`: training, switching, managing models); the
  model chosen there last time is the default `model_path`.
- Help ▸ Keyboard shortcuts and Getting started (`help.HelpController`);
- the typing history (`habits_ui.HabitsController`, Suggestions ▸ Typing history…; off by
  default; its file is `habits_path`, default `suggest.habits.default_path()`).

`qt_application()` makes (or returns) the QApplication with the application's names, style
and icon.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ghostpen.editor.actions import app_icon
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.settings import AppSettings
from ghostpen.editor.window import APP_NAME, MainWindow
from ghostpen.editor.worker import Suggester, checkpoint_engine


@dataclass
class App:
    """What `build_app` wired together."""

    settings: AppSettings
    recovery: RecoveryStore
    engine_factory: Callable[[], object]  # zero arguments; called in the worker thread
    suggester: Suggester
    window: MainWindow
    models: object = None  # the ModelsController (the Model menu)
    habits: object = None  # the HabitsController (Suggestions ▸ Typing history…)
    choices: object = None  # the ChoicesController (alternatives: keys, strip, setting)


def qt_application() -> QApplication:
    """The QApplication (created with the application's names and the Fusion style if there
    is none yet), with the application icon."""
    app = QApplication.instance()
    if app is None:
        QApplication.setApplicationName(APP_NAME)
        QApplication.setOrganizationName(APP_NAME)
        QApplication.setApplicationDisplayName(APP_NAME)
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME])
        app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    return app


def build_app(
    model_path: str | None = None,
    *,
    engine: Callable[[], object] | None = None,
    settings_store: QSettings | None = None,
    recovery: RecoveryStore | None = None,
    suggest: bool = True,
    train_args: tuple[str, ...] = (),
    habits_path=None,
) -> App:
    """Wire the editor (a QApplication must exist). `model_path`: the checkpoint to suggest
    with (None: the bundled model); `engine`: a zero-argument engine factory to use instead;
    `settings_store`: a QSettings (None: the platform's); `recovery`: a RecoveryStore (None:
    the user's state folder); `suggest=False`: start with suggestions off, loading no model;
    `train_args`: extra flags for the training dialog's child (tests: tiny networks);
    `habits_path`: the typing-history file (None: the user data folder's)."""
    from ghostpen.editor.choices_ui import ChoicesController
    from ghostpen.editor.habits_ui import HabitsController
    from ghostpen.editor.help import HelpController
    from ghostpen.editor.models_menu import ModelsController, remembered_model
    from ghostpen.editor.shortcuts import GhostKeys, apply_saved

    settings = AppSettings(settings_store)
    if model_path is None and engine is None:
        model_path = remembered_model(settings)
    recovery = recovery if recovery is not None else RecoveryStore()
    prefs = settings.suggest_prefs()
    factory = engine if engine is not None else checkpoint_engine(model_path, prefs.engine)
    suggester = Suggester(factory, settings=prefs.engine, delay_ms=prefs.delay_ms)
    window = MainWindow(settings=settings, recovery=recovery, suggester=suggester, suggest=suggest)
    HelpController(window)  # Help ▸ Getting started, Keyboard shortcuts (window.findChild)
    models = ModelsController(window, model_path, train_args)
    habits = HabitsController(window, habits_path)
    choices = ChoicesController(window)
    GhostKeys(window)  # the ghost's own keys as actions (window.ghost_keys)
    apply_saved(window)  # the keys the user chose, for every named action
    return App(settings, recovery, factory, suggester, window, models, habits, choices)
