"""The pre-QApplication display check: missing xcb libraries become one install line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ghostpen.editor import platform_check as pc

LDD_MISSING = """\
/x/libqxcb.so:
\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => not found
\tlibfoo-x11.so.0 => not found
/x/libQt6XcbQpa.so.6:
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""
LDD_OK = "\tlibxcb-icccm.so.4 => /lib/libxcb-icccm.so.4 (0x1)\n"
X11 = {"DISPLAY": ":0"}
FILES = [Path("/x/libqxcb.so")]


def test_missing_libraries_parsed_from_ldd():
    missing = pc.missing_libraries(FILES, run=lambda args: LDD_MISSING)
    assert missing == [
        "libfoo-x11.so.0",
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
    ]


def test_message_names_the_packages_to_install():
    msg = pc.display_problem(X11, "linux", run=lambda args: LDD_MISSING, files=FILES)
    assert "missing libfoo-x11.so.0, libxcb-cursor.so.0" in msg
    assert "sudo apt install libfoo-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in msg
    assert "sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms" in msg


def test_no_problem_when_everything_loads_or_another_platform_is_chosen():
    def boom(args):
        raise AssertionError("ldd must not run")

    up = {"connect": lambda display: None}  # an X server answers
    assert pc.display_problem(X11, "linux", run=lambda a: LDD_OK, files=FILES, **up) is None
    offscreen = {"QT_QPA_PLATFORM": "offscreen"}
    assert pc.display_problem(offscreen, "linux", run=boom, files=FILES) is None
    assert pc.display_problem(X11, "darwin", run=boom, files=FILES) is None
    wayland = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    assert pc.display_problem(wayland, "linux", run=boom, files=FILES) is None


def test_explicit_xcb_is_checked_too():
    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":1"}
    assert "libxcb-icccm4" in pc.display_problem(env, "linux", lambda a: LDD_MISSING, FILES)


def test_no_display_at_all():
    msg = pc.display_problem({}, "linux", run=lambda a: LDD_OK, files=FILES)
    assert "neither DISPLAY nor WAYLAND_DISPLAY" in msg


def test_no_ldd_or_no_plugin_lets_qt_try():
    def no_ldd(args):
        raise FileNotFoundError("ldd")

    assert pc.missing_libraries(FILES, run=no_ldd) == []
    assert pc.missing_libraries([], run=lambda a: LDD_MISSING) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux-only")
def test_real_plugin_files_are_found():
    # the pinned PySide6 wheel ships the xcb plugin on Linux; the check must see it
    files = pc.xcb_plugin_files()
    assert files and all(f.is_file() for f in files)
    assert isinstance(pc.missing_libraries(files), list)


def test_ghostpen_edit_says_what_to_install_instead_of_aborting(monkeypatch, capsys):
    from ghostpen.editor import cli

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":77")
    monkeypatch.setattr(pc.sys, "platform", "linux")
    monkeypatch.setattr(
        pc, "missing_libraries", lambda files=None, run=None: ["libxcb-cursor.so.0"]
    )
    assert cli.main(["--no-suggest"]) == 2
    err = capsys.readouterr().err
    assert "ghostpen edit: Qt's X11 plugin cannot load: missing libxcb-cursor.so.0" in err
    assert "sudo apt install libxcb-cursor0" in err


def test_a_display_no_server_answers_on_is_named(tmp_path, monkeypatch):
    """Issue 17 item 5: DISPLAY=:99 with no X server: not Qt's "xcb-cursor0 is needed"."""
    monkeypatch.setenv("XAUTHORITY", str(tmp_path / "none"))
    env = {"DISPLAY": ":97"}  # (if an X server were running there, this would not test much)
    if pc.x_connection_error(":97") is None:
        pytest.skip("an X server answers on :97 here")
    msg = pc.display_problem(env, "linux", run=lambda a: LDD_OK, files=FILES)
    assert msg.startswith("cannot connect to display :97 (") and "Xvfb :97" in msg
    assert pc.x_connection_error("not a display") == "not a display name"


def test_a_display_that_answers_is_fine_and_the_check_is_injected():
    seen = []
    msg = pc.display_problem(
        {"DISPLAY": "host:3"}, "linux", lambda a: LDD_OK, FILES, connect=seen.append
    )
    assert msg is None and seen == ["host:3"]
