"""`ghostpen edit [FILE ...]`: open the editor window (the default when no command is given).

Qt is imported inside `run`, so `ghostpen --help` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="files to open (a missing file is created when first saved)",
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        help="model checkpoint to suggest with (default: the bundled model)",
    )
    parser.add_argument(
        "--no-suggest", action="store_true", help="start with suggestions off (no model is loaded)"
    )


def _engine_factory(model_path: str | None, settings):
    """A zero-argument callable the worker thread calls to build the engine (None: default)."""
    if model_path is None:
        return None

    def make():
        from ghostpen.suggest.engine import SuggestionEngine

        return SuggestionEngine.from_checkpoint(model_path, settings)

    return make


def run(args: argparse.Namespace) -> int:
    model = getattr(args, "model", None)
    if model is not None:
        model = os.path.abspath(os.path.expanduser(model))
        if not os.path.exists(model):
            print(f"ghostpen edit: --model {args.model}: no such file or folder", file=sys.stderr)
            return 2

    from PySide6.QtWidgets import QApplication

    from ghostpen.editor.actions import app_icon
    from ghostpen.editor.settings import AppSettings
    from ghostpen.editor.window import APP_NAME, MainWindow

    app = QApplication.instance()
    if app is None:
        QApplication.setApplicationName(APP_NAME)
        QApplication.setOrganizationName(APP_NAME)
        QApplication.setApplicationDisplayName(APP_NAME)
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME])
        app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    prefs = AppSettings().suggest_prefs()
    window = MainWindow(
        engine_factory=_engine_factory(model, prefs.engine), suggest=not args.no_suggest
    )
    for path in args.files:
        window.open_file(path, create_missing=True)
    window.show()
    code = app.exec()
    window.suggester.stop()
    return int(code)


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["edit"], argv)


if __name__ == "__main__":
    sys.exit(main())
