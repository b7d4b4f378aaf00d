"""The training dialog: preview, a tiny real run in a child process, progress, cancel, finish,
and closing the window while it trains (pytest-qt; no fixed sleeps)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from ghostpen.editor import train_state
from ghostpen.editor.app import build_app
from ghostpen.editor.recovery import RecoveryStore
from ghostpen.editor.train_dialog import TrainDialog
from ghostpen.model.checkpoint import read_checkpoint

TINY = ["--seq-len", "20", "--batch-size", "4", "--valid-every", "5"]


@pytest.fixture
def docs(tmp_path, fixtures_dir):
    folder = tmp_path / "docs"
    folder.mkdir()
    text = (fixtures_dir / "tiny.txt").read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text + "\n» ß « » ß « » ß «\n", encoding="utf-8")
    (folder / "b.bin.txt").write_bytes(b"\x00\x01binary\x00" * 20)
    return folder


def _dialog(qtbot, tiny_model, docs, extra):
    dialog = TrainDialog(base=("tiny", tiny_model), extra_args=[*TINY, *extra])
    qtbot.addWidget(dialog)
    dialog.add_paths([str(docs)])
    dialog.name.setText("mine")
    dialog.show()
    return dialog


def test_preview_and_command(qtbot, tiny_model, docs, models_dir):
    dialog = _dialog(qtbot, tiny_model, docs, [])
    preview = dialog.last_preview
    assert preview.files == 1 and preview.chars > 1000
    assert [why for _, why in preview.skipped] == ["binary"]
    assert set("»ß«") <= set(preview.new_chars)
    assert "skipped 1 (1 binary)" in dialog.preview_label.text()
    argv = train_state.command(["x"], models_dir / "m", minutes=10, base="b")
    assert argv[1:4] == ["-c", train_state.CHILD_ENTRY, "train"] and "--progress" in argv
    assert argv[argv.index("--threads") + 1] == "1" and argv[argv.index("--nice") + 1] == "10"
    assert train_state.child_environment({})["OMP_NUM_THREADS"] == "1"


def test_without_mxnet_the_dialog_says_why_before_start(qtbot, tiny_model, docs, models_dir,
                                                        monkeypatch):  # fmt: skip
    import sys

    monkeypatch.setitem(sys.modules, "mxnet", None)  # as on Python 3.13
    dialog = _dialog(qtbot, tiny_model, docs, [])
    assert dialog.last_preview.files == 1  # the preview still works
    assert not dialog.start_button.isEnabled()
    assert "MXNet" in dialog.status.text() and "Python 3.10-3.12" in dialog.status.text()
    assert dialog.start() is False and dialog.process is None
    assert not (models_dir / "mine").exists()


def test_a_corpus_with_no_readable_text_is_refused(qtbot, tmp_path, tiny_model, models_dir):
    (tmp_path / "only-binary").mkdir()
    (tmp_path / "only-binary" / "x.txt").write_bytes(b"\x00\x02" * 100)
    dialog = TrainDialog(base=("tiny", tiny_model))
    qtbot.addWidget(dialog)
    assert not dialog.start_button.isEnabled()  # nothing chosen yet
    dialog.add_paths([str(tmp_path / "only-binary")])
    assert "no text to train on" in dialog.preview_label.text()
    assert not dialog.start() and dialog.process is None


def test_tiny_run_shows_progress_finishes_and_offers_the_model(qtbot, tiny_model, docs, models_dir):
    dialog = _dialog(qtbot, tiny_model, docs, ["--epochs", "2"])
    with qtbot.waitSignal(dialog.finished, timeout=180000) as done:
        assert dialog.start()
    result = done.args[0]
    assert result["event"] == "done" and result["base_model"] == "tiny"
    assert result["base_val_bpc"] > result["best_val_bpc"] > 0
    assert dialog.progress.step is not None  # step events were read and shown
    assert dialog.bar.value() == 100
    assert "the base model tiny" in dialog.status.text() and "Switch to it" in dialog.status.text()
    assert read_checkpoint(models_dir / "mine").training["base_model"]["name"] == "tiny"
    assert dialog.use_button.isEnabled()
    with qtbot.waitSignal(dialog.use_model) as used:
        dialog.use_button.click()
    assert used.args == [str(models_dir / "mine")]


def test_cancel_stops_the_child_and_keeps_the_last_checkpoint(qtbot, tiny_model, docs, models_dir):
    dialog = _dialog(qtbot, tiny_model, docs, ["--epochs", "1000", "--patience", "1000"])
    assert dialog.start()
    qtbot.waitUntil(
        lambda: dialog.progress.val_bpc is not None and dialog.progress.step is not None,
        timeout=180000,
    )
    assert "loss" in dialog.status.text() and "chars/s" in dialog.status.text()
    assert "ETA" in dialog.status.text() and "val bpc" in dialog.status.text()
    with qtbot.waitSignal(dialog.finished, timeout=60000) as done:
        dialog.cancel()
    assert done.args[0]["reason"] == "interrupted"
    assert read_checkpoint(models_dir / "mine").files["params"]


def test_closing_the_window_while_training_asks(
    qtbot, tmp_path, tiny_model, docs, models_dir, monkeypatch
):
    shutil.copytree(tiny_model, models_dir / "base")
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    app = build_app(
        str(models_dir / "base"),
        settings_store=store,
        recovery=RecoveryStore(tmp_path / "r"),
        suggest=False,
        train_args=(*TINY, "--epochs", "1000", "--patience", "1000"),
    )
    qtbot.addWidget(app.window)
    app.window.show()
    dialog = app.models.open_training()
    dialog.add_paths([str(docs)])
    dialog.name.setText("mine")
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.step is not None, timeout=180000)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked = []

    def question(*args, **kwargs):
        asked.append(args[2])
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    assert not app.window.close()  # said No: the window and the training stay
    assert dialog.is_running() and "being trained" in asked[0]
    assert app.window.close()  # said Yes: training stopped cleanly, then the window closed
    assert not dialog.is_running() and dialog.result["reason"] == "interrupted"
    app.suggester.stop()
