"""The Model menu: Train on my documents…, the models to switch to (the one in use checked),
Manage models… (rename, delete with confirmation, show folder, details).

`ModelsController` is attached to the window by `app.build_app`. Switching is live: the
suggestion worker loads the new model in its thread (`Suggester.switch_model`), suggestions go
on, and the status bar names the model once it is loaded. The model chosen is remembered
(QSettings "model/path") and used at the next start. While a training child runs, closing the
window asks whether to stop it (an event filter on the window, so window.py stays as it is).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QActionGroup, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from ghostpen.editor.worker import checkpoint_engine
from ghostpen.model import library, modelinfo

SETTING = "model/path"
BPC_NOTE = "bpc: bits per character on held-out text, lower is better"
BPC_HELP = (
    "bpc (bits per character) is measured on held-out text: the part of a model's training "
    "documents it never trained on. Lower is better, but only numbers on the same text "
    "compare: a fine-tune shows its base model's score on that same text beside its own."
)


def _tooltip(info) -> str:
    rows = modelinfo.detail_rows(info)
    return "\n".join(f"{k}: {v}" for k, v in rows if k not in ("Folder", "Kind"))


def remembered_model(settings) -> str | None:
    """The model chosen in the Model menu last time, if its folder still holds one."""
    value = settings.store.value(SETTING)
    if isinstance(value, str) and value and (Path(value) / "meta.json").is_file():
        return value
    return None


class ModelsController(QObject):
    """Builds the Model menu of `window` and switches its suggester's model."""

    def __init__(self, window, model_path: str | None = None, train_args=()) -> None:
        super().__init__(window)
        self.window, self.train_args = window, list(train_args)
        try:
            self.current = Path(library.resolve_model(model_path))
        except library.ModelNotFound:  # the worker reports it; the menu still works
            self.current = Path(model_path)
        self.dialog = None  # the TrainDialog, once opened
        bar = window.menuBar()
        help_menu = getattr(getattr(window, "acts", None), "menus", None)
        help_menu = getattr(help_menu, "help", None)
        if help_menu is not None:  # Help stays the last menu, as on every desktop
            self.menu = QMenu("&Model", bar)
            bar.insertMenu(help_menu.menuAction(), self.menu)
        else:
            self.menu = bar.addMenu("&Model")
        self.menu.setObjectName("menu_model")
        self.menu.aboutToShow.connect(self.refresh)
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.refresh()
        window.installEventFilter(self)

    # -- the menu ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.menu.clear()
        self.train_action = self.menu.addAction("&Train on my documents…", self.open_training)
        self.menu.addSeparator()
        self.model_actions = {}
        self.menu.setToolTipsVisible(True)
        for info in library.list_models():
            if info.error:
                continue
            action = self.menu.addAction(modelinfo.menu_label(info))
            action.setToolTip(_tooltip(info))
            action.setCheckable(True)
            action.setChecked(_same(info.path, self.current))
            action.triggered.connect(lambda _=False, p=info.path: self.switch_to(p))
            self.group.addAction(action)
            self.model_actions[info.name] = action
        note = self.menu.addAction(BPC_NOTE)
        note.setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction("&Manage models…", self.manage)

    def switch_to(self, path) -> None:
        """Suggest with the checkpoint at `path` from now on (loaded in the worker thread)."""
        path = Path(path)
        prefs = self.window.settings.suggest_prefs()
        self.current = path
        self.window.settings.store.setValue(SETTING, str(path))
        self.window.status.set_model(f"loading {path.name}…")
        self.window.suggester.switch_model(checkpoint_engine(str(path), prefs.engine))
        self.refresh()

    # -- training ----------------------------------------------------------------------------
    def open_training(self):
        from ghostpen.editor.train_dialog import TrainDialog, focus

        if self.dialog is None:
            self.dialog = TrainDialog(
                self.window,
                base=(self.current.name, self.current),
                open_paths=self._open_paths,
                extra_args=self.train_args,
            )
            self.dialog.use_model.connect(self.switch_to)
            self.dialog.finished.connect(lambda _r: self.refresh())
        focus(self.dialog)
        return self.dialog

    def _open_paths(self) -> list[str]:
        return [d.path for d in self.window.documents() if d.path]

    def training_running(self) -> bool:
        return self.dialog is not None and self.dialog.is_running()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if obj is self.window and event.type() == QEvent.Type.Close and self.training_running():
            answer = QMessageBox.question(
                self.window,
                "Training is running",
                "A model is being trained. Stop it and close? (The last good checkpoint is kept.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return True
            self.dialog.stop_and_wait()
        return False

    # -- managing ----------------------------------------------------------------------------
    def manage(self):
        dialog = ManageModels(self)
        dialog.show()
        return dialog


def _same(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


class ManageModels(QDialog):
    """The list of models with Rename, Delete, Show folder and their details."""

    def __init__(self, controller: ModelsController) -> None:
        super().__init__(controller.window)
        self.controller = controller
        self.setWindowTitle("Manage models")
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setObjectName("model_details")
        row = QHBoxLayout()
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete…")
        self.folder_button = QPushButton("Show folder")
        for button, slot in (
            (self.rename_button, self.rename),
            (self.delete_button, self.delete),
            (self.folder_button, self.show_folder),
        ):
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addWidget(self.list)
        layout.addWidget(self.details)
        layout.addLayout(row)
        self.list.currentRowChanged.connect(self._show)
        self.reload()
        self.resize(560, 420)

    def reload(self, select: str | None = None) -> None:
        self.infos = library.list_models()
        self.list.clear()
        for info in self.infos:
            used = " (in use)" if _same(info.path, self.controller.current) else ""
            broken = " — cannot be used" if info.error else ""
            self.list.addItem(f"{info.name} — {info.kind}{used}{broken}")
        names = [i.name for i in self.infos]
        self.list.setCurrentRow(names.index(select) if select in names else 0)

    def selected(self):
        row = self.list.currentRow()
        return self.infos[row] if 0 <= row < len(self.infos) else None

    def _show(self, _row: int) -> None:
        info = self.selected()
        if info is None:
            self.details.setText("")
            return
        rows = modelinfo.detail_rows(info)
        self.details.setText(
            "<table>"
            + "".join(
                f"<tr><td><b>{escape(k)}</b>&nbsp;&nbsp;</td><td>{escape(v)}</td></tr>"
                for k, v in rows
            )
            + f"</table><p style='color:gray'>{escape(BPC_HELP)}</p>"
        )
        user = info.kind == "user"
        self.rename_button.setEnabled(user)
        self.delete_button.setEnabled(user and not _same(info.path, self.controller.current))

    def rename(self) -> bool:
        info = self.selected()
        if info is None or info.kind != "user":
            return False
        new, ok = QInputDialog.getText(self, "Rename model", "New name:", text=info.name)
        if not ok or not new.strip() or new.strip() == info.name:
            return False
        try:
            target = library.rename_model(info.name, new.strip())
        except (ValueError, OSError) as exc:
            QMessageBox.warning(self, "Rename model", str(exc))
            return False
        if _same(info.path, self.controller.current) or not self.controller.current.exists():
            self.controller.current = target
            self.controller.window.settings.store.setValue(SETTING, str(target))
        self.controller.refresh()
        self.reload(select=target.name)
        return True

    def delete(self) -> bool:
        info = self.selected()
        if info is None or info.kind != "user" or _same(info.path, self.controller.current):
            return False
        answer = QMessageBox.question(
            self,
            "Delete model",
            f"Delete the model {info.name!r} and its folder {info.path}? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            library.delete_model(info.name)
        except (ValueError, OSError) as exc:
            QMessageBox.warning(self, "Delete model", str(exc))
            return False
        self.controller.refresh()
        self.reload()
        return True

    def show_folder(self) -> None:
        info = self.selected()
        if info is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(info.path))):
            QMessageBox.information(
                self,
                "Show folder",
                f"No file manager could open the folder. It is:\n{info.path}",
            )
