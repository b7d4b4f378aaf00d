"""`GHOSTPEN_TRACE=FILE ghostpen edit`: what the window shows, one JSON line per event, so a
test driving the real window from outside (xdotool under Xvfb: tests/editor/test_xvfb_e2e.py)
can wait for it and find where to click. Off unless the variable is set; it never changes
what the editor does, and a file it cannot write turns it off.

- `window`: a top-level window (the main window, a dialog, a message box) was shown, hidden,
  moved or resized, or one of its buttons enabled or disabled: `title`, `cls`, `visible`,
  `buttons` ({text: [x, y, enabled]}, x and y the button's centre on the screen) and `status`
  (the texts of its labels named "…status…");
- `ghost` (`text`): a fresh ghost was painted; `model` (`name`): a model was loaded;
- `saved` (`path`); `closed`: the window closed.
"""

from __future__ import annotations

import json
import os
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu, QWidget

ENV = "GHOSTPEN_TRACE"
SETTLE_MS = 100  # a window's buttons are where its layout puts them this long after a resize
_WATCHED = {QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.Move, QEvent.Type.Resize}


class Trace(QObject):
    """Appends the events to `path` (flushed per line)."""

    def __init__(self, path: str, parent=None) -> None:
        super().__init__(parent)
        self.path = path
        self.pending: dict[int, QWidget] = {}  # windows whose state is written shortly

    def write(self, event: str, **fields) -> None:
        if not self.path:
            return
        line = json.dumps({"event": event, "t": round(time.time(), 3), **fields})
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError:
            self.path = ""  # tracing is never worth an error

    def window_state(self, window: QWidget) -> None:
        buttons = {}
        for b in window.findChildren(QAbstractButton):
            if b.isVisible() and b.text() and b.window() is window:
                centre = b.mapToGlobal(b.rect().center())
                buttons[b.text().replace("&", "")] = [centre.x(), centre.y(), b.isEnabled()]
        status = [
            label.text()
            for label in window.findChildren(QLabel)
            if "status" in label.objectName() and label.isVisible() and label.text()
        ]
        self.write(
            "window",
            title=window.windowTitle(),
            cls=type(window).__name__,
            visible=window.isVisible(),
            buttons=buttons,
            status=status,
        )

    def later(self, window: QWidget) -> None:
        """Write the window's state once its layout has followed the event (coalesced)."""
        key = id(window)
        if key not in self.pending:
            self.pending[key] = window
            QTimer.singleShot(SETTLE_MS, lambda: self._flush(key))

    def _flush(self, key: int) -> None:
        window = self.pending.pop(key, None)
        try:
            self.window_state(window)
        except RuntimeError:  # deleted meanwhile
            pass

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if isinstance(obj, QWidget) and not isinstance(obj, QMenu):
            if kind in _WATCHED and obj.isWindow() and obj.windowTitle():
                self.later(obj)
            elif kind == QEvent.Type.EnabledChange and isinstance(obj, QAbstractButton):
                if obj.window().isVisible() and obj.window().windowTitle():
                    self.later(obj.window())
        return False


def install(app) -> Trace | None:
    """Trace `app` (a `build_app` App) when GHOSTPEN_TRACE names a file."""
    path = os.environ.get(ENV)
    if not path:
        return None
    trace = Trace(path, app.window)
    window = app.window

    def ghost(_ms: float) -> None:
        edit = window.current_editor()
        shown = edit.ghost() if edit is not None else None
        trace.write("ghost", text=shown.text if shown is not None else "")

    app.suggester.latency.connect(ghost)
    app.suggester.ready.connect(lambda name: trace.write("model", name=name))
    window.document_saved.connect(lambda path, _text: trace.write("saved", path=path))
    window.closed.connect(lambda: trace.write("closed"))
    QApplication.instance().installEventFilter(trace)
    return trace
