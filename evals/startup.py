"""`ghostpen eval startup`: from launch to the window, to the first ghost, and idle memory.

Each run starts a fresh Python process (the clock starts just before it is spawned, so the
interpreter, the imports and the model load all count) that opens the editor window as
`ghostpen edit` does (`qt_application` + `build_app`, the bundled model or `--model`; settings,
recovery, typing history and user models in a temp folder) and, as soon as the window is
shown, types `--type` with key clicks, as a user typing at once. It reports, in seconds since
launch (medians over `--runs`, each run's values beside them):

- window_s: the window was shown (show() and its events processed);
- first_ghost_s: a ghost suggestion was first painted after the typing;
- ghost_after_window_s: the difference, what the user waits for the first ghost
  (target: <= 0.5 s);
- idle_rss_mb: resident memory (VmRSS) after `--idle` seconds idle with the model loaded
  (target: <= 200 MB); peak_rss_mb the peak (VmHWM);
- mxnet_imported: whether the editor process imported MXNet (it should not).

Offscreen unless a display is set (`QT_QPA_PLATFORM`, or `DISPLAY` with `--platform xcb`):

    ghostpen eval startup --runs 5 --json
    DISPLAY=:77 ghostpen eval startup --platform xcb --json      # under Xvfb

The child is this file run by path (`child`), so an older ghostpen can be measured with the
same code: `OLD/.venv/bin/python -c "…"` (see `run_file`), e.g. for before/after tables.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ghostpen.report import print_result

TARGETS = {"ghost_after_window_s": 0.5, "idle_rss_mb": 200}
# load this file as a module by path and run its child(): works with any installed ghostpen
_CHILD = (
    "import sys, importlib.util; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "spec = importlib.util.spec_from_file_location('ghostpen_startup_child', sys.argv[1]); "
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
    "sys.exit(m.child(sys.argv[2:]))"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="checkpoint directory (default: bundled)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes to start (3)")
    parser.add_argument("--type", default="The spirit of ", help="what is typed at once")
    parser.add_argument("--idle", type=float, default=2.0, help="idle seconds before RSS (2)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run (60)")
    parser.add_argument(
        "--platform", default=None, help="Qt platform (default: offscreen unless one is set)"
    )
    parser.add_argument(
        "--python", default=None, help="another environment's python to measure (before/after)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _child_env(tmp: str, platform: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for key, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache"),
                     ("GHOSTPEN_MODELS_DIR", "models")):  # fmt: skip
        env[key] = os.path.join(tmp, sub)
    if platform:
        env["QT_QPA_PLATFORM"] = platform
    elif not env.get("QT_QPA_PLATFORM"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def run_once(args: argparse.Namespace, python: str) -> dict:
    """One fresh process: its measurements (or {"error": …})."""
    with tempfile.TemporaryDirectory(prefix="ghostpen-startup-") as tmp:
        env = _child_env(tmp, args.platform)
        argv = [python, "-c", _CHILD, str(Path(__file__).resolve()), tmp, args.type,
                str(args.idle), str(args.timeout), args.model or ""]  # fmt: skip
        env["GHOSTPEN_STARTUP_T0"] = repr(time.time())
        try:
            done = subprocess.run(
                argv, env=env, capture_output=True, text=True, timeout=args.timeout + 30
            )
        except subprocess.TimeoutExpired:
            return {"error": f"no result within {args.timeout + 30:g} s"}
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        err = [ln for ln in done.stderr.splitlines() if ln.strip()]
        return {"error": f"exit {done.returncode}: {err[-1] if err else 'no output'}"}
    return json.loads(lines[-1])


def run(args: argparse.Namespace) -> int:
    if args.runs < 1 or args.timeout <= 0 or args.idle < 0:
        print("error: --runs and --timeout must be positive, --idle not negative", file=sys.stderr)
        return 2
    python = args.python or sys.executable
    runs = [run_once(args, python) for _ in range(args.runs)]
    errors = [r["error"] for r in runs if "error" in r]
    good = [r for r in runs if "error" not in r]
    if not good:
        print(f"error: {errors[0]}", file=sys.stderr)
        return 1
    result = {
        "python": good[0]["python"],
        "platform": good[0]["platform"],
        "model": good[0]["model"],
        "runs": len(good),
    }
    for key in ("window_s", "first_ghost_s", "ghost_after_window_s", "idle_rss_mb",
                "peak_rss_mb"):  # fmt: skip
        values = [r[key] for r in good if r.get(key) is not None]
        result[key] = round(statistics.median(values), 3) if values else None
        result[f"{key}_runs"] = [r.get(key) for r in good]
    result["mxnet_imported"] = any(r["mxnet_imported"] for r in good)
    result["targets"] = TARGETS
    result["errors"] = errors
    print_result(result, args.json)
    return 0


def _rss_mb() -> tuple[float | None, float | None]:
    """(VmRSS, VmHWM) of this process in MB, from /proc (None where there is no /proc)."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
    except (OSError, ValueError):
        return None, None
    kb = [int(fields[k].split()[0]) if k in fields else None for k in ("VmRSS", "VmHWM")]
    return tuple(round(v / 1024, 1) if v is not None else None for v in kb)


def child(argv: list[str]) -> int:
    """In the fresh process: open the window, type, wait for the ghost, idle, print JSON."""
    tmp, typed, idle, timeout, model = argv[0], argv[1], float(argv[2]), float(argv[3]), argv[4]
    t0 = float(os.environ["GHOSTPEN_STARTUP_T0"])
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtTest import QTest

    from ghostpen.editor.app import build_app, qt_application
    from ghostpen.editor.recovery import RecoveryStore

    qapp = qt_application()
    app = build_app(
        model or None,
        settings_store=QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat),
        recovery=RecoveryStore(os.path.join(tmp, "recovery")),
    )
    app.window.show()
    qapp.processEvents()
    window_s = time.time() - t0
    edit = app.window.current_editor()
    edit.setFocus()
    seen: list[float] = []
    failed: list[str] = []
    loop = QEventLoop()

    def on_painted(*_args) -> None:
        if not seen and edit.ghost() is not None:
            seen.append(time.time() - t0)
            loop.quit()

    def on_failed(message: str) -> None:
        failed.append(message)
        loop.quit()

    edit.ghostPainted.connect(on_painted)
    app.suggester.failed.connect(on_failed)
    QTest.keyClicks(edit, typed)  # typed at once, as a user who starts writing
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    if not seen:
        loop.exec()
    idle_loop = QEventLoop()
    QTimer.singleShot(int(idle * 1000), idle_loop.quit)
    idle_loop.exec()
    rss, peak = _rss_mb()
    first = seen[0] if seen else None
    out = {
        "python": ".".join(map(str, sys.version_info[:3])),
        "platform": qapp.platformName(),
        "model": str(getattr(app.suggester, "model_name", "") or model or "bundled"),
        "window_s": round(window_s, 3),
        "first_ghost_s": round(first, 3) if first else None,
        "ghost_after_window_s": round(first - window_s, 3) if first else None,
        "idle_rss_mb": rss,
        "peak_rss_mb": peak,
        "mxnet_imported": sys.modules.get("mxnet") is not None,
        "failed": failed[0] if failed else "",
    }
    print(json.dumps(out), flush=True)
    app.suggester.stop()
    os._exit(0)  # no close: the typed buffer would ask whether to save it


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "startup"], argv)


if __name__ == "__main__":
    sys.exit(main())
