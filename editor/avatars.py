"""Tools -> Generate avatars…: a non-modal panel over the DCGAN generator (thin Qt layer).

A style picker (the generator's styles or "any"), a name field (a name always gives the same
avatar, see `model/avatars.py`), a grid of 8 avatars for a seed (same seed, same faces),
Regenerate (a new seed); click one to enlarge it, a second to slide between the two (spherical
latent interpolation). The preview sits beside the grid, so it fits at the default size. Save…
writes the chosen avatar as PNG at the chosen size (64-512, nearest neighbour for pixel-art,
smooth for the others) and says where; Copy puts it on the clipboard; Close and Esc close.
A folder that is not a generator gets a message that stays until a generator loads (the
previous generator keeps drawing). All generation runs in `AvatarWorker` on its own QThread
(numpy, no MXNet); results carry a request id so stale ones are dropped; only this GUI thread
touches widgets.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, QThread, Signal, Slot
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

COUNT = 8
MAX_SEED = 2**31 - 1
PREVIEW = 256  # the enlarged preview's side in pixels
ICON = 96  # a grid avatar's side in pixels


def to_qimage(image: np.ndarray) -> QImage:
    """uint8 (H, W, 3) -> a QImage owning its pixels."""
    h, w = image.shape[:2]
    data = np.ascontiguousarray(image)
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class AvatarWorker(QObject):
    """Loads the generator and draws avatars off the GUI thread."""

    images = Signal(int, str, object, str)  # request id, kind (grid/blend/name), uint8, style
    failed = Signal(int, str)
    model_loaded = Signal(str, str, object)  # path, the data's credit line, style names

    def __init__(self) -> None:
        super().__init__()
        self.model = None

    @Slot(int, object)
    def load(self, request: int, path) -> None:
        from ghostpen.model.avatars import AvatarModel
        from ghostpen.model.gan_checkpoint import GanCheckpointError

        try:
            model = AvatarModel.load(path)
        except GanCheckpointError as exc:
            self.failed.emit(request, f"Not a generator: {exc}")
            return
        self.model = model
        credit = model.info.get("dataset", {}).get("credit", "")
        self.model_loaded.emit(str(model.path), str(credit), list(model.styles))

    def _style(self, style: str) -> str:
        return style if self.model is not None and style in self.model.styles else "any"

    @Slot(int, int, str)
    def grid(self, request: int, seed: int, style: str) -> None:
        if self.model is None:
            return
        style = self._style(style)
        ids = self.model.style_ids(style, COUNT, seed)
        names = style if ids is None else ",".join(self.model.styles[int(i)] for i in ids)
        self.images.emit(request, "grid", self.model.generate(seed, COUNT, style), names)

    @Slot(int, str, str)
    def name(self, request: int, name: str, style: str) -> None:
        if self.model is None:
            return
        try:
            image, drawn = self.model.for_name(name, self._style(style))
        except ValueError as exc:
            self.failed.emit(request, str(exc))
            return
        self.images.emit(request, "name", image[None], drawn)

    @Slot(int, int, int, int, int, float, str)
    def blend(self, request, seed_a, i, seed_b, j, t, style) -> None:
        from ghostpen.model.avatars import slerp

        if self.model is None:
            return
        style = self._style(style)
        za, zb = self.model.latents(seed_a, COUNT)[i], self.model.latents(seed_b, COUNT)[j]
        ids = self.model.style_ids(style, COUNT, seed_a)
        label = None if ids is None else ids[[i if t < 0.5 else j]]
        image = self.model.generate_latent(slerp(za, zb, t)[None], label)
        self.images.emit(request, "blend", image, style)


class AvatarPanel(QWidget):
    """The panel; `images` holds the current grid (uint8 (8, 64, 64, 3)) once `ready` fired."""

    ready = Signal()  # a new grid is shown
    blended = Signal()  # the interpolation preview is updated
    named = Signal()  # the name's avatar is shown
    error = Signal(str)
    _load = Signal(int, object)
    _grid = Signal(int, int, str)
    _name = Signal(int, str, str)
    _blend = Signal(int, int, int, int, int, float, str)

    def __init__(self, parent=None, model_path=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Generate avatars")
        self.images: np.ndarray | None = None
        self.selected: list[int] = []
        self.preview: np.ndarray | None = None
        self.preview_style = "any"
        self.preview_kind = ""  # "grid" (a clicked avatar), "name" or "blend"
        self.request = 0  # the latest grid (or generator) request
        self.preview_request = 0  # the latest name or blend request
        self.shown_seed = self._pending_seed = 0
        self.last_saved: Path | None = None
        self.grid_styles = ["any"]
        self._build()
        self.thread = QThread(self)
        self.worker = AvatarWorker()
        self.worker.moveToThread(self.thread)
        self._load.connect(self.worker.load)
        self._grid.connect(self.worker.grid)
        self._name.connect(self.worker.name)
        self._blend.connect(self.worker.blend)
        self.worker.images.connect(self._on_images)
        self.worker.failed.connect(self._on_failed)
        self.worker.model_loaded.connect(self._on_model)
        self.thread.start()
        self.set_model(model_path)

    def _build(self) -> None:
        self.style_box = QComboBox()
        self.style_box.setObjectName("avatar_style")
        self.style_box.addItem("any")
        self.style_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.style_box.currentTextChanged.connect(self._style_changed)
        self.name_edit = QLineEdit(placeholderText="a name, e.g. Ada Lovelace")
        self.name_edit.setObjectName("avatar_name")
        self.name_edit.setClearButtonEnabled(True)
        self.name_edit.textChanged.connect(self.show_name)
        self.seed_box = QSpinBox(maximum=MAX_SEED)
        self.seed_box.setObjectName("avatar_seed")
        self.seed_box.editingFinished.connect(self.generate)
        self.regen = QPushButton("&Regenerate")
        self.regen.clicked.connect(self.regenerate)
        self.model_button = QPushButton("Generator…")
        self.model_button.clicked.connect(self.choose_model)
        top = QHBoxLayout()
        for w in (QLabel("Style:"), self.style_box, QLabel("Name:"), self.name_edit,
                  QLabel("Seed:"), self.seed_box, self.regen, self.model_button):  # fmt: skip
            top.addWidget(w)
        self.buttons = []
        grid = QGridLayout()
        for i in range(COUNT):
            b = QToolButton(checkable=True)
            b.setIconSize(QSize(ICON, ICON))
            b.clicked.connect(lambda _on=False, i=i: self.toggle(i))
            grid.addWidget(b, i // 4, i % 4)
            self.buttons.append(b)
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, enabled=False)
        self.slider.valueChanged.connect(self._request_blend)
        left = QVBoxLayout()
        left.addLayout(grid)
        left.addWidget(QLabel("Click one to enlarge it, a second to slide between them:"))
        left.addWidget(self.slider)
        left.addStretch(1)
        self.big = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.big.setFixedSize(PREVIEW, PREVIEW)
        self.big.setStyleSheet("border: 1px solid palette(mid)")
        middle = QHBoxLayout()
        middle.addLayout(left)
        middle.addWidget(self.big, alignment=Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle)
        layout.addLayout(self._bottom_row())
        self.status = QLabel("Loading the generator…", wordWrap=True)
        self.status.setObjectName("avatar_status")
        self.problem = QLabel(wordWrap=True)  # a generator that did not load; stays until one does
        self.problem.setObjectName("avatar_problem")
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        self.credit = QLabel(wordWrap=True)  # the attribution of the generator's training data
        self.credit.setStyleSheet("font-size: small")
        for w in (self.problem, self.status, self.credit):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(w)

    def _bottom_row(self) -> QHBoxLayout:
        from ghostpen.model.avatars import EXPORT_SIZES

        self.size_box = QComboBox()
        self.size_box.setObjectName("avatar_size")
        for s in EXPORT_SIZES:
            self.size_box.addItem(f"{s} × {s}", s)
        self.size_box.setCurrentIndex(EXPORT_SIZES.index(256))
        save = QPushButton("&Save…")
        save.clicked.connect(self._ask_save)
        save_all = QPushButton("Save all…")
        save_all.clicked.connect(self._ask_save_all)
        copy = QPushButton("&Copy")
        copy.clicked.connect(self.copy_selected)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        row = QHBoxLayout()
        for w in (QLabel("Size:"), self.size_box, save, save_all, copy):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.close_button)
        return row

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape:  # unhandled by the fields: close the panel
            self.close()
            return
        super().keyPressEvent(event)

    # --- requests (GUI thread -> worker) ---
    def style(self) -> str:
        return self.style_box.currentText()

    def set_model(self, path=None) -> None:
        self.request += 1
        self._load.emit(self.request, None if path is None else str(path))
        self.generate()

    def generate(self) -> None:
        self.request += 1
        self._pending_seed = self.seed_box.value()
        self._grid.emit(self.request, self._pending_seed, self.style())

    def regenerate(self) -> None:
        seed = int(np.random.default_rng().integers(0, MAX_SEED))
        self.seed_box.setValue(seed)
        self.generate()

    def set_seed(self, seed: int) -> None:
        self.seed_box.setValue(seed)
        self.generate()

    def set_style(self, style: str) -> None:
        self.style_box.setCurrentText(style)

    def _style_changed(self, _style: str) -> None:
        self.generate()
        self.show_name()  # the name's avatar in the new style

    def show_name(self, *_args) -> None:
        """Draw the name's avatar into the preview (nothing for an empty name)."""
        name = self.name_edit.text()
        if not name.strip():
            return
        self.preview_request += 1
        self._name.emit(self.preview_request, name, self.style())

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
            self.preview_kind = "grid"
            self._show_preview()

    def _request_blend(self, *_args) -> None:
        if len(self.selected) != 2:
            return
        a, b = self.selected
        self.preview_request += 1
        seed = self.shown_seed
        self._blend.emit(
            self.preview_request, seed, a, seed, b, self.slider.value() / 100.0, self.style()
        )

    # --- results (worker -> GUI thread) ---
    @Slot(int, str, object, str)
    def _on_images(self, request: int, kind: str, images, style: str) -> None:
        if request != (self.request if kind == "grid" else self.preview_request):
            return  # a newer request is on its way
        if kind == "grid":
            self.images, self.shown_seed = images, self._pending_seed
            self.grid_styles = style.split(",")
            self.selected = []
            if self.preview_kind != "name":  # a name's avatar stays beside a new grid
                self.preview = None
            for b, im in zip(self.buttons, images, strict=True):
                b.setChecked(False)
                b.setIcon(QIcon(QPixmap.fromImage(to_qimage(im)).scaled(ICON, ICON)))
            self.slider.setEnabled(False)
            self._show_preview()
            self.status.setText(f"Seed {self.shown_seed}, style {self.style()}")
            self.ready.emit()
        elif kind == "name":
            self.preview, self.preview_style, self.preview_kind = images[0], style, "name"
            self.selected = []
            for b in self.buttons:
                b.setChecked(False)
            self._show_preview()
            self.status.setText(f"The avatar of “{self.name_edit.text().strip()}” ({style})")
            self.named.emit()
        else:
            self.preview, self.preview_style, self.preview_kind = images[0], style, "blend"
            self._show_preview()
            self.blended.emit()

    @Slot(int, str)
    def _on_failed(self, _request: int, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self._fit_height()
        self.error.emit(message)

    @Slot(str, str, object)
    def _on_model(self, path: str, credit: str, styles) -> None:
        self.problem.hide()
        self.model_button.setToolTip(path)
        self.credit.setText(credit)
        self._fit_height()
        current = self.style()
        self.style_box.blockSignals(True)
        self.style_box.clear()
        self.style_box.addItems(["any", *styles])
        self.style_box.setCurrentText(current if current in styles else "any")
        self.style_box.blockSignals(False)

    def _fit_height(self) -> None:
        """Grow to the height the wrapped labels need at this width (never overlap the rows)."""
        layout = self.layout()
        layout.activate()
        need = layout.totalHeightForWidth(self.width())
        if need > self.height():
            self.resize(self.width(), need)

    def _show_preview(self, *_args) -> None:
        if self.preview is None:
            self.big.clear()
            return
        if len(self.selected) == 1 and self.images is not None:
            self.preview_style = self.grid_styles[self.selected[0] % len(self.grid_styles)]
        from ghostpen.model.avatars import export_image

        big = np.asarray(export_image(self.preview, PREVIEW, self.preview_style))
        self.big.setPixmap(QPixmap.fromImage(to_qimage(big)))

    # --- output ---
    def chosen(self) -> np.ndarray | None:
        """The avatar Save and Copy use: the preview, else the grid's first."""
        if self.preview is not None:
            return self.preview
        return None if self.images is None else self.images[0]

    def export_size(self) -> int:
        return int(self.size_box.currentData())

    def _exported(self):
        from ghostpen.model.avatars import export_image

        image = self.chosen()
        if image is None:
            return None
        style = self.preview_style if self.preview is not None else self.grid_styles[0]
        return export_image(image, self.export_size(), style)

    def save_selected(self, path: str | Path) -> Path | None:
        """Write the chosen avatar as PNG at the chosen size; the status names the file."""
        img = self._exported()
        if img is None:
            return None
        path = Path(path)
        img.save(path, format="PNG")
        self.last_saved = path
        self.status.setText(f"Saved {path.name} ({img.width} × {img.height}) in {path.parent}")
        return path

    def save_all(self, folder: str | Path) -> list[Path]:
        from ghostpen.model.avatars import export_image

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for i, im in enumerate([] if self.images is None else self.images):
            out.append(folder / f"avatar-{self.shown_seed}-{i:02d}.png")
            style = self.grid_styles[i % len(self.grid_styles)]
            export_image(im, self.export_size(), style).save(out[-1], format="PNG")
        if out:
            self.status.setText(f"Saved {len(out)} avatars (avatar-{self.shown_seed}-00.png …) "
                                f"in {folder}")  # fmt: skip
        return out

    def _ask_save(self) -> None:
        name = self.name_edit.text().strip()
        suggested = ("-".join(name.lower().split()) or "avatar") + ".png"
        path, _ = QFileDialog.getSaveFileName(self, "Save avatar", suggested, "PNG (*.png)")
        if path:
            self._guarded(lambda: self.save_selected(path))

    def _ask_save_all(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save all avatars into")
        if folder:
            self._guarded(lambda: self.save_all(folder))

    def _guarded(self, action) -> None:
        try:
            action()
        except OSError as exc:
            self.status.setText(f"Cannot save: {exc.strerror or exc}")

    def copy_selected(self) -> None:
        img = self._exported()
        if img is None:
            return
        QGuiApplication.clipboard().setImage(to_qimage(np.asarray(img.convert("RGB"))))
        self.status.setText(f"Copied a {img.width} × {img.height} avatar to the clipboard")

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
