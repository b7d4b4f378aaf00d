"""Tools -> Generate avatars…: a non-modal panel over the DCGAN generator (thin Qt layer).

A grid of 8 avatars for a seed (same seed, same faces), Regenerate (a new seed), click one to
enlarge it (x4, nearest or smooth), click a second to slide between the two (spherical latent
interpolation), save the selected one or all as PNG, copy to the clipboard, choose another
generator folder. All generation runs in `AvatarWorker` on its own QThread (numpy, no MXNet);
results carry a request id so stale ones are dropped; only this GUI thread touches widgets.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, QThread, Signal, Slot
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

COUNT = 8
MAX_SEED = 2**31 - 1


def to_qimage(image: np.ndarray) -> QImage:
    """uint8 (H, W, 3) -> a QImage owning its pixels."""
    h, w = image.shape[:2]
    data = np.ascontiguousarray(image)
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class AvatarWorker(QObject):
    """Loads the generator and draws avatars off the GUI thread."""

    images = Signal(int, str, object)  # request id, kind ("grid" / "blend"), uint8 (N, 64, 64, 3)
    failed = Signal(int, str)
    model_loaded = Signal(str, str)  # path, the training data's credit line

    def __init__(self) -> None:
        super().__init__()
        self.model = None

    @Slot(int, object)
    def load(self, request: int, path) -> None:
        from ghostpen.model.avatars import AvatarModel
        from ghostpen.model.gan_checkpoint import GanCheckpointError

        try:
            self.model = AvatarModel.load(path)
        except GanCheckpointError as exc:
            self.failed.emit(request, str(exc))
            return
        credit = self.model.info.get("dataset", {}).get("credit", "")
        self.model_loaded.emit(str(self.model.path), str(credit))

    @Slot(int, int)
    def grid(self, request: int, seed: int) -> None:
        if self.model is None:
            self.failed.emit(request, "no generator loaded")
            return
        self.images.emit(request, "grid", self.model.generate(seed, COUNT))

    @Slot(int, int, int, int, int, float)
    def blend(self, request: int, seed_a: int, i: int, seed_b: int, j: int, t: float) -> None:
        from ghostpen.model.avatars import slerp

        if self.model is None:
            return
        za, zb = self.model.latents(seed_a, COUNT)[i], self.model.latents(seed_b, COUNT)[j]
        self.images.emit(request, "blend", self.model.generate_latent(slerp(za, zb, t)[None]))


class AvatarPanel(QWidget):
    """The panel; `images` holds the current grid (uint8 (8, 64, 64, 3)) once `ready` fired."""

    ready = Signal()  # a new grid is shown
    blended = Signal()  # the interpolation preview is updated
    error = Signal(str)
    _load = Signal(int, object)
    _grid = Signal(int, int)
    _blend = Signal(int, int, int, int, int, float)

    def __init__(self, parent=None, model_path=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Generate avatars")
        self.images: np.ndarray | None = None
        self.selected: list[int] = []
        self.preview: np.ndarray | None = None
        self.request = 0
        self.shown_seed = self._pending_seed = 0
        self._build()
        self.thread = QThread(self)
        self.worker = AvatarWorker()
        self.worker.moveToThread(self.thread)
        self._load.connect(self.worker.load)
        self._grid.connect(self.worker.grid)
        self._blend.connect(self.worker.blend)
        self.worker.images.connect(self._on_images)
        self.worker.failed.connect(self._on_failed)
        self.worker.model_loaded.connect(self._on_model)
        self.thread.start()
        self.set_model(model_path)

    def _build(self) -> None:
        self.seed_box = QSpinBox(maximum=MAX_SEED)
        self.seed_box.setObjectName("avatar_seed")
        self.seed_box.editingFinished.connect(self.generate)
        self.regen = QPushButton("&Regenerate")
        self.regen.clicked.connect(self.regenerate)
        self.model_button = QPushButton("Generator…")
        self.model_button.clicked.connect(self.choose_model)
        top = QHBoxLayout()
        for w in (QLabel("Seed:"), self.seed_box, self.regen, self.model_button):
            top.addWidget(w)
        self.buttons = []
        grid = QGridLayout()
        for i in range(COUNT):
            b = QToolButton(checkable=True)
            b.setIconSize(QSize(128, 128))
            b.clicked.connect(lambda _on=False, i=i: self.toggle(i))
            grid.addWidget(b, i // 4, i % 4)
            self.buttons.append(b)
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, enabled=False)
        self.slider.valueChanged.connect(self._request_blend)
        self.big = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.big.setMinimumSize(256, 256)
        self.smooth = QCheckBox("Smooth")
        self.smooth.toggled.connect(self._show_preview)
        self.status = QLabel("Loading the generator…")
        self.credit = QLabel(wordWrap=True)  # the attribution of the generator's training data
        self.credit.setStyleSheet("font-size: small")
        save_sel = QPushButton("Save selected…")
        save_sel.clicked.connect(lambda: self._ask_save(selected=True))
        save_all = QPushButton("Save all…")
        save_all.clicked.connect(lambda: self._ask_save(selected=False))
        copy = QPushButton("Copy")
        copy.clicked.connect(self.copy_selected)
        bottom = QHBoxLayout()
        for w in (self.smooth, save_sel, save_all, copy):
            bottom.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(QLabel("Click one to enlarge it, a second to slide between them:"))
        layout.addWidget(self.slider)
        layout.addWidget(self.big)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        layout.addWidget(self.credit)

    # --- requests (GUI thread -> worker) ---
    def set_model(self, path=None) -> None:
        self.request += 1
        self._load.emit(self.request, None if path is None else str(path))
        self.generate()

    def generate(self) -> None:
        self.request += 1
        self._pending_seed = self.seed_box.value()
        self._grid.emit(self.request, self._pending_seed)

    def regenerate(self) -> None:
        seed = int(np.random.default_rng().integers(0, MAX_SEED))
        self.seed_box.setValue(seed)
        self.generate()

    def set_seed(self, seed: int) -> None:
        self.seed_box.setValue(seed)
        self.generate()

    def toggle(self, i: int) -> None:
        if i in self.selected:
            self.selected.remove(i)
        else:
            self.selected = (self.selected + [i])[-2:]
        for k, b in enumerate(self.buttons):
            b.setChecked(k in self.selected)
        self.slider.setEnabled(len(self.selected) == 2)
        if len(self.selected) == 2:
            self._request_blend()
        else:
            one = self.selected and self.images is not None
            self.preview = self.images[self.selected[0]] if one else None
            self._show_preview()

    def _request_blend(self, *_args) -> None:
        if len(self.selected) != 2:
            return
        a, b = self.selected
        self.request += 1
        seed = self.shown_seed
        self._blend.emit(self.request, seed, a, seed, b, self.slider.value() / 100.0)

    # --- results (worker -> GUI thread) ---
    @Slot(int, str, object)
    def _on_images(self, request: int, kind: str, images) -> None:
        if request != self.request:
            return  # a newer request is on its way
        if kind == "grid":
            self.images, self.shown_seed = images, self._pending_seed
            self.selected, self.preview = [], None
            for b, im in zip(self.buttons, images, strict=True):
                b.setChecked(False)
                b.setIcon(QIcon(QPixmap.fromImage(to_qimage(im)).scaled(128, 128)))
            self.slider.setEnabled(False)
            self._show_preview()
            self.status.setText(f"Seed {self.shown_seed}")
            self.ready.emit()
        else:
            self.preview = images[0]
            self._show_preview()
            self.blended.emit()

    @Slot(int, str)
    def _on_failed(self, _request: int, message: str) -> None:
        self.status.setText(message)
        self.error.emit(message)

    @Slot(str, str)
    def _on_model(self, path: str, credit: str) -> None:
        self.model_button.setToolTip(path)
        self.credit.setText(credit)

    def _show_preview(self, *_args) -> None:
        if self.preview is None:
            self.big.clear()
            return
        from ghostpen.model.avatars import enlarge

        big = np.asarray(enlarge(self.preview, 4, smooth=self.smooth.isChecked()))
        self.big.setPixmap(QPixmap.fromImage(to_qimage(big)))

    # --- output ---
    def chosen(self) -> list[np.ndarray]:
        if self.preview is not None:
            return [self.preview]
        return [] if self.images is None else list(self.images)

    def save_selected(self, path: str | Path) -> None:
        from PIL import Image

        if self.chosen():
            Image.fromarray(self.chosen()[0]).save(Path(path), format="PNG")

    def save_all(self, folder: str | Path) -> list[Path]:
        from PIL import Image

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for i, im in enumerate([] if self.images is None else self.images):
            out.append(folder / f"avatar-{self.shown_seed}-{i:02d}.png")
            Image.fromarray(im).save(out[-1], format="PNG")
        return out

    def _ask_save(self, selected: bool) -> None:
        try:
            if selected:
                path, _ = QFileDialog.getSaveFileName(
                    self, "Save avatar", "avatar.png", "PNG (*.png)"
                )
                if path:
                    self.save_selected(path)
            else:
                folder = QFileDialog.getExistingDirectory(self, "Save all avatars into")
                if folder:
                    self.save_all(folder)
        except OSError as exc:
            self._on_failed(0, f"cannot save: {exc.strerror or exc}")

    def copy_selected(self) -> None:
        if self.chosen():
            QGuiApplication.clipboard().setImage(to_qimage(self.chosen()[0]))

    def choose_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a generator folder")
        if folder:
            self.set_model(folder)

    def stop(self) -> None:
        if self.thread.isRunning():
            self.thread.quit()
            self.thread.wait()


def show_panel(window) -> AvatarPanel:
    """Open (or raise) the window's avatar panel."""
    panel = getattr(window, "_avatar_panel", None)
    if panel is None:
        panel = AvatarPanel(window)
        window._avatar_panel = panel
        QApplication.instance().aboutToQuit.connect(panel.stop)
    panel.show()
    panel.raise_()
    return panel
