"""`ghostpen edit [FILE ...]`: open the editor window (the default when no command is given).

The window is wired by `ghostpen.editor.app.build_app`; Qt is imported inside `run`, so
`ghostpen --help` stays fast. `GHOSTPEN_TRACE=FILE` writes what the window shows as JSON lines
(`editor/trace.py`), and the hidden `--train-args FLAGS` adds flags to the training dialog's
child: both for the test that drives the real window (tests/editor/test_xvfb_e2e.py).
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
        metavar="MODEL",
        help="model to suggest with: a name from `ghostpen models` or a checkpoint folder "
        "(default: the one chosen in the Model menu, else the bundled model)",
    )
    parser.add_argument(
        "--no-suggest", action="store_true", help="start with suggestions off (no model is loaded)"
    )
    parser.add_argument(  # tests: tiny, short trainings from the dialog (the last flag wins)
        "--train-args", default="", metavar="FLAGS", help=argparse.SUPPRESS
    )


def run(args: argparse.Namespace) -> int:
    model = getattr(args, "model", None)
    if model is not None:
        model = os.path.abspath(os.path.expanduser(model))
        if not os.path.exists(model):
            print(f"ghostpen edit: --model {args.model}: no such file or folder", file=sys.stderr)
            return 2

    from ghostpen.editor.platform_check import display_problem

    problem = display_problem()  # Qt would abort the process (SIGABRT) instead of saying this
    if problem:
        print(f"ghostpen edit: {problem}", file=sys.stderr)
        return 2
    from ghostpen.editor.app import build_app, qt_application

    qapp = qt_application()
    import shlex

    from ghostpen.editor import trace

    extra = tuple(shlex.split(getattr(args, "train_args", "") or ""))
    app = build_app(model, suggest=not args.no_suggest, **({"train_args": extra} if extra else {}))
    trace.install(app)  # only with GHOSTPEN_TRACE=FILE
    for path in args.files:
        app.window.open_file(path, create_missing=True)
    app.window.show()
    code = qapp.exec()
    app.suggester.stop()
    return int(code)


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["edit"], argv)


if __name__ == "__main__":
    sys.exit(main())
