"""The window's status bar: cursor position, encoding, line ending, language, model, latency.

Each piece is a permanent QLabel on the right; transient messages (saved, not found, …) use the
status bar's own message area on the left. The labels shrink (their text cut) rather than set
the window's minimum width. The setters are cheap: the window calls
`set_position` on every cursor move.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from ghostpen.straybytes import STRAY_ENCODING, count_stray, describe, explain

MAX_MODEL_TEXT = 70  # longer model/error texts are cut (the tooltip has all)
NEWLINE_NAMES = {"\n": "LF", "\r\n": "CRLF", "\r": "CR"}
ENCODING_TIP = "Encoding the file is read and saved with (File ▸ Reopen with Encoding…)"


def encoding_label(encoding: str) -> str:
    """How an encoding name from `ghostpen.editor.files` is shown ("utf-8" -> "UTF-8")."""
    names = {
        "utf-8-sig": "UTF-8 with BOM",
        "utf-16": "UTF-16 LE with BOM",
        "utf-16-be-bom": "UTF-16 BE with BOM",
        "utf-32": "UTF-32 LE with BOM",
        "utf-32-be-bom": "UTF-32 BE with BOM",
        "latin-1": "Latin-1",
        "iso8859-1": "Latin-1",
        STRAY_ENCODING: "UTF-8 (stray bytes)",
    }
    return names.get(encoding, encoding.upper())


class StatusBar(QStatusBar):
    """Status bar with one label per fact; `text_of(name)` reads them back (tests, tooltips)."""

    FIELDS = ("position", "encoding", "newline", "language", "model", "latency")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusbar")
        self._labels: dict[str, QLabel] = {}
        tips = {
            "position": "Line and column of the cursor",
            "encoding": ENCODING_TIP,
            "newline": "Line ending kept when the file is saved",
            "language": "Syntax highlighting",
            "model": "Suggestion model",
            "latency": "Time from the last keystroke to its ghost text",
        }
        for name in self.FIELDS:
            label = QLabel(self)
            label.setObjectName(f"status_{name}")
            label.setToolTip(tips[name])
            label.setContentsMargins(6, 0, 6, 0)
            label.setMinimumWidth(1)  # may be cut short: the window can be narrow (tooltips)
            self._labels[name] = label
            self.addPermanentWidget(label)
        self.set_position(1, 1)
        self.set_latency(None)

    def text_of(self, name: str) -> str:
        return self._labels[name].text()

    def tip_of(self, name: str) -> str:
        return self._labels[name].toolTip()

    def set_position(self, line: int, column: int, selected: int = 0) -> None:
        text = f"Ln {line}, Col {column}"
        if selected:
            text += f" ({selected} selected)"
        self._labels["position"].setText(text)

    def set_encoding(self, encoding: str | None, stray: int = 0) -> None:
        """The encoding's name; for UTF-8 with stray bytes, how many (`stray`) and a tooltip
        saying what they are."""
        label = self._labels["encoding"]
        if encoding == STRAY_ENCODING:
            label.setText(describe(stray))
            label.setToolTip(explain(stray))
        else:
            label.setText(encoding_label(encoding) if encoding else "")
            label.setToolTip(ENCODING_TIP)

    def set_newline(self, newline: str | None) -> None:
        self._labels["newline"].setText(NEWLINE_NAMES.get(newline or "", ""))

    def set_language(self, language: str, highlighted: bool = True) -> None:
        self._labels["language"].setText(language if highlighted else f"{language} (no colours)")
        self._labels["language"].setToolTip(
            "Syntax highlighting" if highlighted else "Highlighting is off for very large documents"
        )

    def set_model(self, text: str, error: str | None = None) -> None:
        label = self._labels["model"]
        label.setText(text if len(text) <= MAX_MODEL_TEXT else text[: MAX_MODEL_TEXT - 1] + "…")
        label.setToolTip(error or "Suggestion model")
        label.setStyleSheet("color: #c0392b;" if error else "")

    def show_document(self, doc) -> None:
        """Encoding, line ending and language of a `documents.Document`."""
        stray = count_stray(doc.text()) if doc.encoding == STRAY_ENCODING else 0
        self.set_encoding(doc.encoding, stray)
        self.set_newline(doc.newline)
        self.set_language(doc.language, doc.highlighted)

    def show_cursor(self, cursor) -> None:
        selected = abs(cursor.selectionEnd() - cursor.selectionStart())
        self.set_position(cursor.blockNumber() + 1, cursor.positionInBlock() + 1, selected)

    def show_failure(self, message: str) -> None:
        """The suggestion worker failed: "suggestions off: <why>", the innermost reason first
        (messages nest as "context: file: reason"); the full text is in the tooltip."""
        reason = message.rstrip(". ").rsplit(": ", 1)[-1]
        self.set_model(f"suggestions off: {reason}", error=message)
        self.set_latency(None)

    def set_latency(self, ms: float | None) -> None:
        label = self._labels["latency"]
        label.setText("" if ms is None else f"ghost {ms:.0f} ms")
        label.setVisible(ms is not None)
