"""The window's dialogs and the find/replace bar.

Every question that would block is a module-level function (`ask_save_changes`,
`ask_save_all`, `ask_line`,
`edit_settings`, `ask_restore`, `ask_open_paths`, …) so the window calls `dialogs.NAME(...)` and
tests replace NAME with monkeypatch. `FindBar` is the non-modal find/replace bar; the search
itself (`SearchSpec`, `find`, `replace_one`, `replace_all`) lives in `ghostpen.editor.documents`.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ghostpen.editor import documents, find_marks
from ghostpen.editor.settings import MAX_DELAY_MS, SuggestPrefs
from ghostpen.straybytes import REPLACE_CHOICE, STRAY_ENCODING

ENCODINGS = (
    "utf-8",
    STRAY_ENCODING,
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "cp1252",
    "latin-1",
    "iso8859-15",
    "cp1251",
    "koi8-r",
    "cp1250",
    "iso8859-2",
    "shift_jis",
    "euc-jp",
    "gb18030",
    "big5",
    "euc-kr",
    "mac-roman",
)
FILE_FILTER = (
    "All files (*);;Text (*.txt *.md);;HTML / XML (*.html *.htm *.xml *.svg);;Python (*.py)"
)


# --- simple questions ---------------------------------------------------------------------------
def ask_save_changes(parent: QWidget | None, name: str) -> str:
    """'save', 'discard' or 'cancel' for a modified document about to be closed."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Save the changes to “{name}” before closing?")
    box.setInformativeText("Your changes are lost if you don't save them.")
    box.setStandardButtons(
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {
        QMessageBox.StandardButton.Save: "save",
        QMessageBox.StandardButton.Discard: "discard",
    }.get(QMessageBox.StandardButton(answer), "cancel")


def ask_save_all(parent: QWidget | None, names: list[str]) -> str:
    """'save_all', 'discard_all', 'each' (ask for each one) or 'cancel' when closing the
    window with several modified documents."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"{len(names)} documents have unsaved changes. Save them before closing?")
    box.setInformativeText("\n".join(f"• {n}" for n in names[:12]) + ("\n…" * (len(names) > 12)))
    save = box.addButton("Save All", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard All", QMessageBox.ButtonRole.DestructiveRole)
    each = box.addButton("Ask for Each…", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.exec()
    clicked = box.clickedButton()
    return {id(save): "save_all", id(discard): "discard_all", id(each): "each"}.get(
        id(clicked), "cancel"
    )


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_open_paths(parent: QWidget | None, start_dir: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, "Open", start_dir, FILE_FILTER)
    return list(paths)


def ask_save_path(parent: QWidget | None, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Save As", suggested, FILE_FILTER)
    return path or None


def ask_encoding(parent: QWidget | None, current: str) -> str | None:
    items = list(ENCODINGS)
    if current not in items:
        items.insert(0, current)
    choice, ok = QInputDialog.getItem(
        parent,
        "Reopen with Encoding",
        "Encoding (any name Python knows):",
        items,
        items.index(current),
        True,
    )
    return choice.strip() if ok and choice.strip() else None


def ask_save_encoding(parent: QWidget | None, current: str) -> str | None:
    """The encoding to save with (File ▸ Save with Encoding…), or None if cancelled."""
    items = [current]
    prompt = "Save with encoding (any name Python knows):"
    if current == STRAY_ENCODING:
        items.append(REPLACE_CHOICE)
        why = (
            f"Only {STRAY_ENCODING!r} keeps the stray bytes as they are; any other encoding "
            "saves each of them as its cp1252 reading (U+FFFD where cp1252 has none)."
        )
        prompt = f"{why}\n\n{prompt}"
    items += [e for e in ENCODINGS if e not in items and e != STRAY_ENCODING]
    choice, ok = QInputDialog.getItem(parent, "Save with Encoding", prompt, items, 0, True)
    return choice.strip() if ok and choice.strip() else None


def ask_line(parent: QWidget | None, current: int, count: int) -> int | None:
    """A line number in 1..count (Go to Line), or None if cancelled."""
    line, ok = QInputDialog.getInt(
        parent, "Go to Line", f"Line number (1 – {count}):", current, 1, max(count, 1), 1
    )
    return line if ok else None


# --- settings -----------------------------------------------------------------------------------
class SettingsDialog(QDialog):
    """Suggestion preferences: on/off, minimum confidence, maximum length, delay, stop at."""

    STOP_LABELS = {
        "phrase": "End of a sure phrase",
        "word": "End of word",
        "line": "End of line",
        "none": "Maximum length",
    }

    def __init__(self, prefs: SuggestPrefs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._engine = prefs.engine
        form = QFormLayout()
        self.enabled = QCheckBox("Show ghost-text suggestions")
        self.enabled.setChecked(prefs.enabled)
        self.confidence = QDoubleSpinBox()
        self.confidence.setRange(0.0, 1.0)
        self.confidence.setSingleStep(0.05)
        self.confidence.setDecimals(2)
        self.confidence.setValue(prefs.engine.min_confidence)
        self.confidence.setToolTip("Suggestions the model is less sure of are not shown")
        self.max_chars = QSpinBox()
        self.max_chars.setRange(1, 400)
        self.max_chars.setSuffix(" characters")
        self.max_chars.setValue(prefs.engine.max_chars)
        self.delay = QSpinBox()
        self.delay.setRange(0, MAX_DELAY_MS)
        self.delay.setSuffix(" ms")
        self.delay.setValue(prefs.delay_ms)
        self.delay.setToolTip("Pause after a keystroke before asking for a suggestion")
        self.stop_at = QComboBox()
        for key, label in self.STOP_LABELS.items():
            self.stop_at.addItem(label, key)
        self.stop_at.setCurrentIndex(max(0, self.stop_at.findData(prefs.engine.stop_at)))
        self.adapt = QCheckBox("Learn words from the document")
        self.adapt.setChecked(prefs.engine.adapt)
        form.addRow(self.enabled)
        form.addRow("Minimum confidence:", self.confidence)
        form.addRow("Maximum length:", self.max_chars)
        form.addRow("Delay:", self.delay)
        form.addRow("Stop at:", self.stop_at)
        form.addRow(self.adapt)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def prefs(self) -> SuggestPrefs:
        engine = replace(
            self._engine,
            min_confidence=round(self.confidence.value(), 2),
            max_chars=self.max_chars.value(),
            stop_at=self.stop_at.currentData(),
            adapt=self.adapt.isChecked(),
        )
        return SuggestPrefs(self.enabled.isChecked(), engine, self.delay.value())


def edit_settings(parent: QWidget | None, prefs: SuggestPrefs) -> SuggestPrefs | None:
    dialog = SettingsDialog(prefs, parent)
    return dialog.prefs() if dialog.exec() == QDialog.DialogCode.Accepted else None


# --- recovery -----------------------------------------------------------------------------------
class RecoveryDialog(QDialog):
    """Lists the buffers a crashed session left; the user restores some, discards all or waits."""

    def __init__(self, docs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recover unsaved documents")
        self.choice = "later"
        self.docs = list(docs)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "ghostpen did not close properly last time. These documents had unsaved changes:"
            )
        )
        self.list = QListWidget()
        for doc in self.docs:
            name = os.path.basename(doc.path) if doc.path else "Untitled"
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(doc.saved_at))
            where = doc.path or "never saved"
            lines = doc.text.count("\n") + 1
            note = doc.age_note()  # which is newer, the copy or the file on disk
            item = QListWidgetItem(
                f"{name} — {where} — {lines} lines, saved {when}" + (f"\n{note}" if note else "")
            )
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox()
        restore = buttons.addButton("Restore Selected", QDialogButtonBox.ButtonRole.AcceptRole)
        discard = buttons.addButton("Discard All", QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton("Ask Me Later", QDialogButtonBox.ButtonRole.RejectRole)
        restore.clicked.connect(lambda: self._done("restore"))
        discard.clicked.connect(lambda: self._done("discard"))
        later.clicked.connect(lambda: self._done("later"))
        layout.addWidget(buttons)
        self.resize(640, 320)

    def _done(self, choice: str) -> None:
        self.choice = choice
        self.accept() if choice != "later" else self.reject()

    def selected(self) -> list:
        return [
            doc
            for i, doc in enumerate(self.docs)
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]


def ask_restore(parent: QWidget | None, docs) -> tuple[str, list]:
    """('restore', docs to restore — the others are discarded), ('discard', []) or
    ('later', []) — keep them all for the next start."""
    dialog = RecoveryDialog(docs, parent)
    dialog.exec()
    return dialog.choice, dialog.selected() if dialog.choice == "restore" else []


def make_button(text: str, tip: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    button.setAutoDefault(False)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return button


class FindBar(find_marks.FindMarksMixin, QWidget):
    """Non-modal find/replace bar shown under the tabs; works on `editor_getter()`."""

    closed = Signal()

    def __init__(self, editor_getter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findbar")
        self._editor = editor_getter
        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText("Find")
        self.find_edit.setClearButtonEnabled(True)
        self.replace_edit = QLineEdit(self)
        self.replace_edit.setPlaceholderText("Replace with (regex: \\1 for a group)")
        self.case = QCheckBox("Match case", self)
        self.whole = QCheckBox("Whole words", self)
        self.regex = QCheckBox("Regex", self)
        self.message = QLabel(self)
        self.message.setObjectName("findbar_message")
        self.message.setMinimumWidth(1)  # cut short rather than widen a narrow window
        prev = make_button("Previous", "Find previous (Shift+Enter)", self)
        nxt = make_button("Next", "Find next (Enter)", self)
        self.replace_button = make_button("Replace", "Replace this match and find the next", self)
        self.replace_all_button = make_button("Replace All", "Replace every match (one undo)", self)
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        close.setAutoRaise(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 3, 6, 3)
        grid.addWidget(self.find_edit, 0, 0)
        grid.addWidget(prev, 0, 1)
        grid.addWidget(nxt, 0, 2)
        grid.addWidget(self.case, 0, 3)
        grid.addWidget(self.whole, 0, 4)
        grid.addWidget(self.regex, 0, 5)
        grid.addWidget(self.message, 0, 6)
        grid.addWidget(close, 0, 7)
        grid.addWidget(self.replace_edit, 1, 0)
        grid.addWidget(self.replace_button, 1, 1)
        grid.addWidget(self.replace_all_button, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(6, 2)
        self._replace_row = (self.replace_edit, self.replace_button, self.replace_all_button)
        prev.clicked.connect(self.find_previous)
        nxt.clicked.connect(self.find_next)
        self.replace_button.clicked.connect(self.replace)
        self.replace_all_button.clicked.connect(self.replace_all)
        close.clicked.connect(self.close_bar)
        self.find_edit.installEventFilter(self)  # Enter: next, Shift+Enter: previous
        self.replace_edit.returnPressed.connect(self.replace)
        self._init_marks()
        self.hide()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if (
            watched is self.find_edit
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            self.find_previous() if shift else self.find_next()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:  # the line edits leave Esc to their parent
            self.close_bar()
            return
        super().keyPressEvent(event)

    def spec(self) -> documents.SearchSpec:
        return documents.SearchSpec(
            self.find_edit.text(),
            self.case.isChecked(),
            self.whole.isChecked(),
            self.regex.isChecked(),
        )

    def open_bar(self, replace: bool = False) -> None:
        for widget in self._replace_row:
            widget.setVisible(replace)
        edit = self._editor()
        if edit is not None:
            selected = edit.textCursor().selectedText()
            if selected and "\u2029" not in selected:
                self.find_edit.setText(selected)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        if edit is not None:
            self._origin = edit.textCursor().selectionStart()
            self.refresh_marks()

    def close_bar(self) -> None:
        self._marks_timer.stop()
        self._clear_marks()
        self.hide()
        self.closed.emit()

    def set_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c0392b;" if error else "")

    def _run(self, action):
        edit = self._editor()
        if edit is None:
            return None
        if not self.find_edit.text():
            self.set_message("Type something to find")
            return None
        try:
            return action(edit, self.spec())
        except documents.SearchError as err:
            self.set_message(str(err), error=True)
            return None

    def _report(self, result: str | None) -> None:
        if result == "not found":
            self.set_message(f"Not found: “{self.find_edit.text()}”", error=True)
        elif result in ("found", "wrapped"):
            edit = self._editor()
            if edit is not None:
                self._origin = edit.textCursor().selectionStart()
            self.refresh_marks(" (wrapped around)" if result == "wrapped" else "")

    def find_next(self) -> None:
        self._report(self._run(lambda edit, spec: documents.find(edit, spec)))

    def find_previous(self) -> None:
        self._report(self._run(lambda edit, spec: documents.find(edit, spec, backward=True)))

    def replace(self) -> None:
        text = self.replace_edit.text()
        self._report(self._run(lambda edit, spec: documents.replace_one(edit, spec, text)))

    def replace_all(self) -> None:
        text = self.replace_edit.text()
        count = self._run(lambda edit, spec: documents.replace_all(edit, spec, text))
        if count == 0:
            self._report("not found")
        elif count:
            self.refresh_marks()
            self._marks_timer.stop()  # the edit's own refresh would overwrite the message
            self.set_message(f"Replaced {count} occurrence{'s' if count != 1 else ''}")
