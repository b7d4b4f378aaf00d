"""The avatar panel: opens from Tools, shows 8 faces, regenerates, same seed same faces, saves;
styles and names, sizes, the confirmation, Close and Esc, a bad folder's message that stays."""

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
    panel.size_box.setCurrentIndex(panel.size_box.findData(512))
    panel.save_selected(tmp_path / "one.png")
    assert (tmp_path / "one.png").exists()
    assert "one.png" in panel.status.text() and str(tmp_path) in panel.status.text()
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


@pytest.fixture
def cpanel(qtbot, tiny_cgan):
    p = AvatarPanel(model_path=tiny_cgan)
    qtbot.addWidget(p)
    qtbot.waitUntil(lambda: p.images is not None and p.style_box.count() == 4, timeout=10000)
    yield p
    p.stop()


def test_style_picker_and_names(qtbot, cpanel):
    from ghostpen.model.avatars import AvatarModel

    styles = [cpanel.style_box.itemText(i) for i in range(cpanel.style_box.count())]
    assert styles == ["any", "pixel-art", "open-peeps", "personas"]
    a = _wait_grid(qtbot, cpanel, lambda: cpanel.set_style("personas"))
    model = AvatarModel.load(cpanel.worker.model.path)
    assert np.array_equal(a, model.generate(cpanel.shown_seed, 8, "personas"))
    with qtbot.waitSignal(cpanel.named, timeout=10000):
        cpanel.name_edit.setText("Ada Lovelace")
    ada = cpanel.preview.copy()
    assert np.array_equal(ada, model.for_name("ada   LOVELACE", "personas")[0])
    with qtbot.waitSignal(cpanel.named, timeout=10000):
        cpanel.name_edit.setText("Alan Turing")
    assert not np.array_equal(ada, cpanel.preview)
    assert "Alan Turing" in cpanel.status.text()


def test_name_saves_at_the_chosen_size_with_a_confirmation(qtbot, cpanel, tmp_path):
    from PIL import Image

    with qtbot.waitSignal(cpanel.named, timeout=10000):
        cpanel.name_edit.setText("Grace Hopper")
    cpanel.size_box.setCurrentIndex(cpanel.size_box.findData(128))
    path = cpanel.save_selected(tmp_path / "grace.png")
    assert Image.open(path).size == (128, 128)
    assert cpanel.status.text().startswith("Saved grace.png (128 × 128)")
    cpanel.copy_selected()
    assert "Copied a 128 × 128" in cpanel.status.text()


def test_preview_fits_beside_the_grid_at_the_default_size(qtbot):
    cpanel = AvatarPanel()  # the shipped generator: its long credit line wraps below
    qtbot.addWidget(cpanel)
    cpanel.show()
    qtbot.waitExposed(cpanel)
    qtbot.waitUntil(lambda: cpanel.images is not None and "Draftbit" in cpanel.credit.text(),
                    timeout=10000)  # fmt: skip
    cpanel.toggle(0)

    def rect(w):
        return w.geometry().translated(w.parentWidget().mapTo(cpanel, w.pos()) - w.pos())

    try:
        qtbot.waitUntil(lambda: rect(cpanel.big).bottom() < rect(cpanel.close_button).top(),
                        timeout=3000)  # fmt: skip
        credit = rect(cpanel.credit)
        assert cpanel.rect().contains(rect(cpanel.big)) and cpanel.rect().contains(credit)
        assert rect(cpanel.status).bottom() <= credit.top()
        assert cpanel.big.pixmap().width() == 256
    finally:
        cpanel.stop()


def test_close_button_and_escape_close(qtbot, cpanel):
    from PySide6.QtCore import Qt

    cpanel.show()
    qtbot.waitExposed(cpanel)
    qtbot.keyClick(cpanel.name_edit, Qt.Key.Key_Escape)  # from inside a field
    qtbot.waitUntil(lambda: not cpanel.isVisible(), timeout=3000)
    cpanel.show()
    qtbot.waitExposed(cpanel)
    cpanel.close_button.click()
    qtbot.waitUntil(lambda: not cpanel.isVisible(), timeout=3000)


def test_a_folder_that_is_not_a_generator_keeps_its_message(qtbot, cpanel, tmp_path):
    width = cpanel.sizeHint().width()
    with qtbot.waitSignal(cpanel.error, timeout=10000):
        cpanel.set_model(tmp_path)
    # the grid that follows (drawn by the generator still loaded) does not hide the message
    _wait_grid(qtbot, cpanel, lambda: cpanel.set_seed(42))
    assert cpanel.problem.isVisibleTo(cpanel) and "meta.json" in cpanel.problem.text()
    assert cpanel.status.text().startswith("Seed 42")
    assert cpanel.sizeHint().width() <= width + 10  # the window does not grow
