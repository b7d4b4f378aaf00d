"""The real thing, as a new user meets it (issue 17): a non-editable install (`pip install .` into
a fresh venv), `ghostpen` started from the checkout's folder on a real X server (Xvfb + openbox),
driven by xdotool's keys and clicks. It types and takes a ghost with Tab, fine-tunes for 20
seconds from Model ▸ Train on my documents…, switches to the new model, saves avatars from
Tools ▸ Generate Avatars…, and quits without a question it should not ask.

The window reports what it shows through `GHOSTPEN_TRACE` (editor/trace.py: windows with
their buttons' screen positions, ghosts, models, saves); every check also looks at what is on
disk. Skips, with the reason, without Linux, Xvfb, xdotool or openbox (`.ci/xvfb.sh` installs
them) or when the build requirements cannot be installed. `GHOSTPEN_E2E_SHOTS=DIR` saves
screenshots (ImageMagick's `import`) at each step.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("Xvfb", "xdotool", "openbox")
IGNORE = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build", "runs")
TRAIN_ARGS = "--minutes 0.33 --batch-size 8 --seq-len 50 --valid-every 10"
UNWANTED = re.compile(r"Unsaved changes|Training is running|Cannot|failed", re.IGNORECASE)


def _run(argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture(scope="module")
def ghostpen_bin(tmp_path_factory) -> Path:
    """The `ghostpen` of a venv holding a non-editable install of this checkout (the test's own
    site-packages give it PySide6, numpy, MXNet, without a download)."""
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if not sys.platform.startswith("linux") or missing:
        pytest.skip(f"needs Linux and {', '.join(TOOLS)} (missing: {', '.join(missing)})")
    tmp = tmp_path_factory.mktemp("install")
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    _run([str(base), "-m", "venv", str(tmp / "venv")]).check_returncode()
    site = Path(sysconfig.get_paths(vars={"base": str(tmp / "venv")})["purelib"])
    (site / "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    shutil.copytree(ROOT, tmp / "src", ignore=IGNORE)
    pip = [str(tmp / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps"]
    done = _run([*pip, str(tmp / "src")])
    if done.returncode and "setuptools" in done.stderr and "No matching" in done.stderr:
        pytest.skip("the build requirements (setuptools, wheel) cannot be installed here")
    assert done.returncode == 0, done.stderr[-2000:]
    return tmp / "venv" / "bin" / "ghostpen"


@pytest.fixture(scope="module")
def display(ghostpen_bin):
    """A fresh X server (the first free display number) with a window manager."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-screen",
            "0",
            "1280x900x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    ready, _, _ = select.select([read], [], [], 30)
    number = os.read(read, 16).decode().strip() if ready else ""  # (read stays open: Xvfb
    if not number:  # writes the number again after a reset, and dies if it cannot)
        xvfb.kill()
        pytest.fail("Xvfb did not start")
    env = {**os.environ, "DISPLAY": f":{number}"}
    wm = subprocess.Popen(
        ["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    yield f":{number}"
    for proc in (wm, xvfb):
        proc.terminate()
        proc.wait(10)
    os.close(read)


class Session:
    """A running `ghostpen` and what its trace says."""

    def __init__(self, argv, env, trace: Path, shots: str | None) -> None:
        self.env, self.trace, self.shots, self.shot_count = env, trace, shots, 0
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)

    def events(self) -> list[dict]:
        if not self.trace.exists():
            return []
        return [json.loads(line) for line in self.trace.read_text().splitlines() if line]

    def wait(self, what: str, predicate, timeout: float = 60.0) -> dict:
        """The first trace event `predicate` accepts (polling the file for `timeout` s)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for event in self.events():
                if predicate(event):
                    return event
            if self.proc.poll() is not None:
                pytest.fail(f"ghostpen exited ({self.proc.returncode}) waiting for {what}: "
                            f"{self.proc.stderr.read()[-2000:]}")  # fmt: skip
            time.sleep(0.2)
        self.shot(f"timeout-{what}")
        pytest.fail(f"no {what} in {timeout:.0f} s; last events: {self.events()[-5:]}")

    def window(self, title: str, timeout: float = 60.0, button: str | None = None) -> dict:
        """The latest state of the visible window whose title matches `title` (with `button`
        shown and enabled, when given)."""

        def ok(e: dict) -> bool:
            if e["event"] != "window" or not re.search(title, e["title"]):
                return False
            last = [x for x in self.events() if x["event"] == "window" and x["title"] == e["title"]]
            e.update(last[-1])
            found = [v for k, v in e["buttons"].items() if button and re.search(button, k)]
            return e["visible"] and (button is None or bool(found and found[0][2]))

        return self.wait(f"window {title!r} ({button or 'shown'})", ok, timeout)

    def settled(self, title: str) -> dict:
        """The window's state once the window manager has stopped moving it (no new event
        for half a second, at most 10 s)."""
        end = time.monotonic() + 10
        mine = [e for e in self.events() if e["event"] == "window" and e["title"] == title]
        while time.monotonic() < end:
            time.sleep(0.5)
            now = [e for e in self.events() if e["event"] == "window" and e["title"] == title]
            if len(now) == len(mine):
                break
            mine = now
        return mine[-1]

    def click(self, title: str, button: str, timeout: float = 60.0) -> None:
        state = self.settled(self.window(title, timeout, button)["title"])
        x, y, enabled = next(v for k, v in state["buttons"].items() if re.search(button, k))
        assert enabled, f"{button} in {title} is disabled"
        self.xdo("mousemove", "--sync", str(x), str(y), "click", "1")

    def xdo(self, *args: str) -> None:
        _run(["xdotool", *args], env=self.env).check_returncode()

    def focus(self, title: str) -> None:
        self.window(title)
        self.xdo("search", "--sync", "--name", title, "windowactivate", "--sync")

    def shot(self, name: str) -> None:
        if self.shots and shutil.which("import"):
            self.shot_count += 1
            path = Path(self.shots) / f"{self.shot_count:02d}-{name}.png"
            _run(["import", "-window", "root", str(path)], env=self.env)


@pytest.fixture
def session(ghostpen_bin, display, tmp_path):
    home = tmp_path / "home"
    notes = tmp_path / "notes.txt"
    text = (ROOT / "tests" / "fixtures" / "tiny.txt").read_text(encoding="utf-8")
    notes.write_text(text * 14 + "\n", encoding="utf-8")  # ~20 KB to learn from
    env = {
        **os.environ,
        "DISPLAY": display,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "GHOSTPEN_MODELS_DIR": str(tmp_path / "models"),
        "GHOSTPEN_TRACE": str(tmp_path / "trace.jsonl"),
        "OMP_NUM_THREADS": "1",
        "QT_QPA_PLATFORM": "xcb",
    }
    env.pop("QT_QPA_PLATFORMTHEME", None)  # Qt's own file dialogs
    argv = [str(ghostpen_bin), "edit", str(notes), "--train-args", TRAIN_ARGS]
    s = Session(argv, env, tmp_path / "trace.jsonl", os.environ.get("GHOSTPEN_E2E_SHOTS"))
    s.notes, s.tmp = notes, tmp_path
    yield s
    if s.proc.poll() is None:
        s.proc.kill()
        s.proc.wait(10)


def _type_and_take_a_ghost(s: Session, typed: str) -> str:
    """Type `typed` on a new line at the end, wait for the ghost of what was typed (the last one
    painted once the typing is over), take it with Tab, save; returns the ghost's text."""
    s.xdo("key", "--clearmodifiers", "ctrl+End", "Return")
    begun = time.time()
    s.xdo("type", "--delay", "40", typed)
    done = time.time()  # the last key's ghost may be painted before xdotool returns
    s.wait("a ghost", lambda e: e["event"] == "ghost" and e["t"] > begun and e["text"])
    time.sleep(1.0)  # (an external process: poll for a quiet second, no other ghost after it)
    ghost = [e for e in s.events() if e["event"] == "ghost" and e["t"] > begun][-1]
    assert ghost["t"] > done - 0.5, "the last ghost is from the middle of the typing"
    s.shot("ghost")
    s.xdo("key", "--clearmodifiers", "Tab")
    s.xdo("key", "--clearmodifiers", "ctrl+s")
    s.wait("the save", lambda e: e["event"] == "saved" and e["t"] > ghost["t"])
    return ghost["text"]


def _child_imports_from_the_working_folder() -> bool:
    """The training dialog's child before the "runs anywhere" fix: `python -m ghostpen` from
    the checkout's folder finds its `./ghostpen/` (no `ghostpen.editor`) and fails at once."""
    from ghostpen.editor.train_state import command

    return command(["x"], Path("out"), minutes=1)[1:3] == ["-m", "ghostpen"]


@pytest.mark.xfail(
    _child_imports_from_the_working_folder(),
    reason="needs the fix of editor/train_state.py that runs the installed ghostpen",
    strict=True,
)
def test_type_fine_tune_switch_avatars_and_quit_on_a_real_x_server(session):
    s = session
    s.wait("the bundled model", lambda e: e["event"] == "model")
    s.focus("notes.txt")
    ghost = _type_and_take_a_ghost(s, "It is almost the same ")
    saved = s.notes.read_text(encoding="utf-8")
    assert saved.endswith("\nIt is almost the same " + ghost)  # the ghost was there: Tab took it

    s.xdo("key", "--clearmodifiers", "alt+m", "t")  # Model ▸ Train on my documents…
    s.click("Train on my documents", "Add open documents")
    s.click("Train on my documents", "^Start$")
    s.shot("training")
    failed = s.wait(  # the fine-tune's end: the new model offered, or a failure said
        "the fine-tune's end",
        lambda e: (
            e["event"] == "window"
            and "Train on my documents" in e["title"]
            and (e["buttons"].get("Use the new model", [0, 0, False])[2] or "failed" in str(e))
        ),
        timeout=300,
    )
    assert "failed" not in str(failed["status"]), failed["status"]
    s.click("Train on my documents", "Use the new model")
    s.wait("the new model", lambda e: e["event"] == "model" and "my-writing" in e["name"])
    assert list((s.tmp / "models").glob("my-writing-*/meta.json"))
    s.focus("notes.txt")
    more = _type_and_take_a_ghost(s, "The ")  # the new model suggests
    assert s.notes.read_text(encoding="utf-8").endswith("\nThe " + more)

    out = s.tmp / "avatars"
    out.mkdir()
    s.xdo("key", "--clearmodifiers", "alt+t", "a")  # Tools ▸ Generate Avatars…
    s.click("Generate avatars", "Save all")
    s.window("Save all avatars")
    s.xdo("key", "--clearmodifiers", "ctrl+a")
    s.xdo("type", "--delay", "20", str(out))
    s.xdo("key", "--clearmodifiers", "Return")
    end = time.monotonic() + 30
    while not list(out.glob("*.png")) and time.monotonic() < end:
        time.sleep(0.2)
    s.shot("avatars")
    assert list(out.glob("*.png")), "no avatar was saved"

    s.focus("notes.txt")
    s.xdo("key", "--clearmodifiers", "ctrl+q")
    s.wait("the window to close", lambda e: e["event"] == "closed", timeout=30)
    assert s.proc.wait(30) == 0
    asked = [
        e["title"] for e in s.events() if e["event"] == "window" and UNWANTED.search(e["title"])
    ]
    assert asked == []
