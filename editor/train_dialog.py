"""Model > Train on my documents…: choose documents, preview them, train in a child process.

The dialog never trains in the GUI or suggestion thread: Start runs
`ghostpen train --progress json …` (`train_state.command`) as a QProcess (one MXNet thread via
`OMP_NUM_THREADS=1` and `--threads 1`, a lower priority via `--nice`), reads its JSON lines
(`train_state.TrainProgress`) and shows a progress bar, ETA, loss, validation bpc and chars/s.
Cancel sends SIGINT (the child saves its last good checkpoint and exits), then kills it after
`KILL_AFTER_MS`. When it finishes it shows base vs new bpc and offers the new model
(`use_model` signal with its folder). Where MXNet is missing (Python 3.13) it says so in
one line before Start, and Start stays off.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from PySide6.QtCore import QProcess, QProcessEnvironment, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
)

from ghostpen.editor import train_state
from ghostpen.model.library import is_plain_name, user_models_dir

KILL_AFTER_MS = 15000  # after SIGINT, the child gets this long to save before it is killed


class TrainDialog(QDialog):
    """`base`: (name, checkpoint folder) of the model in use; `open_paths`: a callable giving
    the paths of the documents open now; `extra_args`: appended to the child's flags (tests)."""

    use_model = Signal(str)  # the new model's folder
    finished = Signal(dict)  # the done event ({} if the child ended without one)

    def __init__(self, parent=None, *, base=None, open_paths=None, extra_args=()) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train on my documents")
        self.setObjectName("train_dialog")
        self.base, self.open_paths, self.extra_args = base, open_paths, list(extra_args)
        self.process: QProcess | None = None
        self.progress: train_state.TrainProgress | None = None
        self.out: Path | None = None
        self.result: dict | None = None
        self._base_vocab = None
        self._kill_timer = QTimer(self)  # owned by the dialog: it dies with it
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._kill)
        self.unavailable = train_state.unavailable()  # "" when MXNet is here to train
        self._build()
        self.refresh_preview()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.files = QListWidget()
        self.files.setObjectName("train_files")
        layout.addWidget(QLabel("Documents to learn from (files and folders):"))
        layout.addWidget(self.files)
        row = QHBoxLayout()
        for text, slot in (
            ("Add files…", self._add_files),
            ("Add folder…", self._add_folder),
            ("Add open documents", self.add_open_documents),
            ("Remove", self._remove_selected),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("train_preview")
        self.preview_label.setWordWrap(True)
        layout.addWidget(self.preview_label)
        form = QFormLayout()
        base_name = self.base[0] if self.base else "the current model"
        self.finetune = QRadioButton(f"Fine-tune {base_name} (keeps what it knows; faster)")
        self.scratch = QRadioButton("Train a new model from scratch")
        self.finetune.setChecked(self.base is not None)
        self.finetune.setEnabled(self.base is not None)
        self.scratch.setChecked(self.base is None)
        group = QButtonGroup(self)
        group.addButton(self.finetune)
        group.addButton(self.scratch)
        form.addRow(self.finetune)
        form.addRow(self.scratch)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(10)
        self.minutes.setSuffix(" minutes")
        self.minutes.valueChanged.connect(
            lambda n: self.minutes.setSuffix(" minute" if n == 1 else " minutes")
        )
        form.addRow("Time budget:", self.minutes)
        self.name = QLineEdit(train_state.default_name())
        form.addRow("New model's name:", self.name)
        layout.addLayout(form)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.status = QLabel("")
        self.status.setObjectName("train_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.cancel_button = QPushButton("Cancel training")
        self.use_button = QPushButton("Use the new model")
        self.close_button = QPushButton("Close")
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.use_button.clicked.connect(self._use)
        self.close_button.clicked.connect(self.close)
        for b in (self.start_button, self.cancel_button, self.use_button, self.close_button):
            buttons.addWidget(b)
        self.cancel_button.setEnabled(False)
        self.use_button.setEnabled(False)
        layout.addLayout(buttons)
        self.resize(620, 520)

    # -- the corpus --------------------------------------------------------------------------
    def paths(self) -> list[str]:
        return [self.files.item(i).text() for i in range(self.files.count())]

    def add_paths(self, paths) -> None:
        known = set(self.paths())
        for p in paths:
            if p and p not in known:
                self.files.addItem(str(p))
                known.add(p)
        self.refresh_preview()

    def _add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Documents to learn from")
        self.add_paths(files)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder of documents")
        self.add_paths([folder] if folder else [])

    def add_open_documents(self) -> None:
        self.add_paths(list(self.open_paths() if self.open_paths else []))

    def _remove_selected(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self.refresh_preview()

    def _vocab(self):
        if self._base_vocab is None and self.base is not None:
            from ghostpen.model.checkpoint import CheckpointError, read_checkpoint

            try:
                self._base_vocab = read_checkpoint(self.base[1]).vocab
            except CheckpointError:
                return None
        return self._base_vocab

    def refresh_preview(self) -> train_state.Preview:
        self.last_preview = train_state.preview(self.paths(), self._vocab())
        self.preview_label.setText(self.last_preview.text())
        if self.unavailable and self.process is None:
            self.status.setText(self.unavailable)  # before Start: why it cannot train here
        ready = not self.last_preview.error and not self.unavailable
        self.start_button.setEnabled(ready and self.process is None)
        return self.last_preview

    # -- the child ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def start(self) -> bool:
        """Start training; False (with the reason shown) when it cannot start."""
        preview = self.refresh_preview()
        name = self.name.text().strip()
        if preview.error:
            return False
        if self.unavailable:
            self.status.setText(self.unavailable)
            return False
        if not is_plain_name(name) or (user_models_dir() / name).exists():
            self.status.setText(f"Choose another name: {name!r} is taken or not a plain name.")
            return False
        self.out = user_models_dir() / name
        base = str(self.base[1]) if (self.base and self.finetune.isChecked()) else None
        argv = train_state.command(
            self.paths(), self.out, minutes=self.minutes.value(), base=base, extra=self.extra_args
        )
        env = QProcessEnvironment()
        for key, value in train_state.child_environment(dict(os.environ)).items():
            env.insert(key, value)
        self.progress = train_state.TrainProgress(self.minutes.value())
        self.result = None
        self.process = QProcess(self)
        self.process.setProcessEnvironment(env)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._on_finished)
        self.process.start(argv[0], argv[1:])
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.use_button.setEnabled(False)
        self.status.setText(self.progress.status())
        return True

    def _read(self) -> None:
        if self.process is None or self.progress is None:
            return
        data = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        if self.progress.feed(data):
            self.bar.setValue(self.progress.percent())
            self.status.setText(self.progress.status())

    def cancel(self) -> None:
        """Stop the child cleanly: SIGINT (it saves and exits), kill after KILL_AFTER_MS."""
        if not self.is_running():
            return
        self.status.setText("Stopping (saving the last good checkpoint)…")
        pid = int(self.process.processId())
        try:
            os.kill(pid, signal.SIGINT)
        except (OSError, AttributeError):
            self.process.terminate()
        self._kill_timer.start(KILL_AFTER_MS)

    def _kill(self) -> None:
        if self.is_running():
            self.process.kill()

    def _on_finished(self, code: int, _status) -> None:
        self._kill_timer.stop()
        self._read()
        err = bytes(self.process.readAllStandardError()).decode("utf-8", "replace")
        self.result = self.progress.done or {}
        self.cancel_button.setEnabled(False)
        self.start_button.setEnabled(True)
        if self.result:
            self.bar.setValue(100)
            text = self.progress.summary()
        else:
            lines = [ln for ln in err.splitlines() if ln.strip()]
            text = f"Training failed (exit {code}): " + (lines[-1] if lines else "no message")
        usable = self.out is not None and (self.out / "meta.json").is_file()
        self.use_button.setEnabled(usable)
        self.status.setText(text + ("\nSwitch to it now?" if usable else ""))
        self.finished.emit(self.result)

    def _use(self) -> None:
        if self.out is not None:
            self.use_model.emit(str(self.out))
            self.close()

    def stop_and_wait(self, msecs: int = KILL_AFTER_MS) -> None:
        """Cancel and wait for the child (the window is closing)."""
        if self.is_running():
            self.cancel()
            if not self.process.waitForFinished(msecs):
                self.process.kill()
                self.process.waitForFinished(2000)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # training goes on in the background while the dialog is hidden; the window asks
        event.accept()


def focus(dialog: TrainDialog) -> None:
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.setWindowState(dialog.windowState() & ~Qt.WindowState.WindowMinimized)
