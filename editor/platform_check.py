"""Check, before a QApplication exists, that Qt can open a window on this Linux desktop.

Qt aborts the whole process ("no Qt platform plugin could be initialized", SIGABRT) when the X11
plugin's shared libraries are missing (`libxcb-cursor0`, `libxcb-icccm4`, `libxcb-keysyms1`, …),
when there is no display at all, or when DISPLAY names one no X server answers on (`:99` with
no Xvfb: then Qt blames "xcb-cursor0", installed or not). This module finds that out first (`ldd`
on PySide6's xcb plugin, then a test connection through libxcb) and turns it into one line:
what to install, or "cannot connect to display :99", so `ghostpen edit` prints a message
instead of a core dump. Qt-free: it looks at files, the environment and the X socket.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package); others follow `_debian_guess`
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)

Runner = Callable[[list[str]], str]
Connector = Callable[[str], "str | None"]
CONNECT_TIMEOUT_S = 5.0


def _ldd(args: list[str]) -> str:
    done = subprocess.run(["ldd", *args], capture_output=True, text=True, timeout=20)
    return done.stdout


def _debian_guess(soname: str) -> str:
    """libxcb-foo.so.1 -> libxcb-foo1, libfoo-x11.so.0 -> libfoo-x11-0 (Debian's naming)."""
    stem, _, version = soname.partition(".so.")
    version = version.split(".")[0]
    return f"{stem}-{version}" if stem[-1:].isdigit() else f"{stem}{version}"


def xcb_plugin_files() -> list[Path]:
    """PySide6's xcb platform plugin and the Qt library it loads (those that exist)."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.origin:
        return []
    qt = Path(spec.origin).parent / "Qt"
    files = [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"]
    return [f for f in files if f.is_file()]


def missing_libraries(files: list[Path] | None = None, run: Runner = _ldd) -> list[str]:
    """Sonames the xcb plugin needs that the dynamic loader cannot find (sorted, unique)."""
    files = xcb_plugin_files() if files is None else files
    if not files:
        return []
    try:
        output = run([str(f) for f in files])
    except (OSError, subprocess.SubprocessError):
        return []  # no ldd: let Qt try
    return sorted(set(_NOT_FOUND.findall(output)))


def install_hint(missing: list[str]) -> str:
    """The apt and dnf lines that bring in `missing`."""
    debian = [PACKAGES.get(s, (_debian_guess(s), ""))[0] for s in missing]
    fedora = [PACKAGES[s][1] for s in missing if s in PACKAGES and PACKAGES[s][1]]
    hint = f"sudo apt install {' '.join(debian)}"
    if fedora:
        hint += f"  (Fedora: sudo dnf install {' '.join(fedora)})"
    return hint


def x_connection_error(display: str) -> str | None:
    """None when an X server accepts a connection at `display` (libxcb's `xcb_connect`, as
    Qt does, so authorisation counts too), else why not in a few words. A libxcb that cannot
    be loaded is left to Qt's own message (None)."""
    import ctypes
    import threading

    try:
        lib = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None
    lib.xcb_connect.restype = ctypes.c_void_p
    lib.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    lib.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    lib.xcb_disconnect.argtypes = [ctypes.c_void_p]
    result: list[int] = []

    def connect() -> None:
        conn = lib.xcb_connect(display.encode("utf-8", "replace"), None)
        result.append(lib.xcb_connection_has_error(conn))
        lib.xcb_disconnect(conn)

    thread = threading.Thread(target=connect, daemon=True)  # a far host may not answer
    thread.start()
    thread.join(CONNECT_TIMEOUT_S)
    if not result:
        return f"no answer in {CONNECT_TIMEOUT_S:.0f} s"
    return {0: None, 5: "not a display name", 6: "no such screen"}.get(
        result[0], "no X server accepts connections there"
    )


def uses_x11(environ: Mapping[str, str]) -> bool:
    """Qt will pick its xcb plugin: X11 display and not a Wayland session it would prefer."""
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] not in ("", "xcb"):
        return False
    wayland = environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland"
    return bool(environ.get("DISPLAY")) and not wayland


def display_problem(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    run: Runner = _ldd,
    files: list[Path] | None = None,
    connect: Connector = x_connection_error,
) -> str | None:
    """Why Qt would abort before showing a window, as one message; None when it should start."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if not platform.startswith("linux") or chosen not in ("", "xcb"):
        return None  # another OS, or the user chose another platform plugin (offscreen, vnc…)
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return (
            "no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            "run ghostpen from a desktop session, or start Xvfb and set DISPLAY"
        )
    if not uses_x11(environ):
        return None
    missing = missing_libraries(files, run)
    if not missing:
        display = environ["DISPLAY"]
        why = connect(display)
        if why is None:
            return None
        return (
            f"cannot connect to display {display} ({why}); check DISPLAY, or start an X "
            "server there (e.g. `Xvfb " + (display if display.startswith(":") else ":99") + " &`)"
        )
    return (
        f"Qt's X11 plugin cannot load: missing {', '.join(missing)}. Install them with: "
        f"{install_hint(missing)}"
    )
