"""The avatar panel: opens from Tools, shows 8 faces, regenerates, same seed same faces, saves."""

from __future__ import annotations

import numpy as np
import pytest

from ghostpen.editor.avatars import AvatarPanel


@pytest.fixture
def panel(qtbot, tiny_gan):
    p = AvatarPanel(model_path=tiny_gan)
    qtbot.addWidget(p)
    yield p
    p.stop()


def _wait_grid(qtbot, panel, action):
    with qtbot.waitSignal(panel.ready, timeout=10000):
        action()
    return panel.images.copy()


def test_shows_8_and_regenerate_changes_them(qtbot, panel):
    qtbot.waitUntil(lambda: panel.images is not None, timeout=10000)
    assert panel.images.shape == (8, 64, 64, 3)
    assert all(not b.icon().isNull() for b in panel.buttons)
    first = panel.images.copy()
    again = _wait_grid(qtbot, panel, panel.regenerate)
    assert not np.array_equal(first, again)


def test_same_seed_same_faces(qtbot, panel):
    a = _wait_grid(qtbot, panel, lambda: panel.set_seed(42))
    _wait_grid(qtbot, panel, lambda: panel.set_seed(7))
    b = _wait_grid(qtbot, panel, lambda: panel.set_seed(42))
    assert np.array_equal(a, b) and panel.shown_seed == 42


def test_enlarge_slide_and_save(qtbot, panel, tmp_path):
    grid = _wait_grid(qtbot, panel, lambda: panel.set_seed(5))
    panel.toggle(2)
    assert np.array_equal(panel.preview, grid[2]) and panel.big.pixmap().width() == 256
    with qtbot.waitSignal(panel.blended, timeout=10000):
        panel.toggle(6)
    assert panel.slider.isEnabled()
    with qtbot.waitSignal(panel.blended, timeout=10000):
        panel.slider.setValue(100)
    assert np.array_equal(panel.preview, grid[6])
    panel.save_selected(tmp_path / "one.png")
    assert (tmp_path / "one.png").exists()
    saved = panel.save_all(tmp_path / "all")
    assert len(saved) == 8 and all(p.exists() for p in saved)
    panel.copy_selected()


def test_bad_model_says_so(qtbot, tmp_path):
    p = AvatarPanel(model_path=tmp_path)
    qtbot.addWidget(p)
    try:
        with qtbot.waitSignal(p.error, timeout=10000) as blocker:
            pass
        assert "meta.json" in blocker.args[0]
    finally:
        p.stop()


def test_tools_menu_opens_the_panel(qtbot, monkeypatch, tiny_gan):
    from PySide6.QtWidgets import QMainWindow

    from ghostpen.editor import actions, avatars

    class Window(QMainWindow):  # the menus only need these of the real window
        def refresh_recent_menu(self):
            pass

    monkeypatch.setattr(avatars, "AvatarPanel", lambda w: AvatarPanel(w, model_path=tiny_gan))
    w = Window()
    qtbot.addWidget(w)
    w.acts = actions.build(w)
    assert w.acts.avatars in w.acts.menus.tools.actions()
    w.acts.avatars.trigger()
    panel = w._avatar_panel
    try:
        qtbot.waitUntil(lambda: panel.images is not None, timeout=10000)
        assert panel.isVisible() and not panel.isModal()
    finally:
        panel.stop()


def test_default_is_the_shipped_generator(qtbot):
    p = AvatarPanel()
    qtbot.addWidget(p)
    try:
        qtbot.waitUntil(lambda: p.images is not None, timeout=10000)
        assert p.images.shape == (8, 64, 64, 3) and "Draftbit" in p.credit.text()
    finally:
        p.stop()
