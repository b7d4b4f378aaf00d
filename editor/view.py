"""The window's View menu behaviour: word wrap, zoom and the light/dark theme for every tab.

Word wrap is on for prose (`suggest.prose.is_prose`: untitled, .txt, .md, …) and off for code
and markup, unless the user chose otherwise for that kind with View ▸ Word Wrap.

A mixin of `MainWindow` (it uses the window's `documents()`, `settings`, `acts` and the
`_zoom`, `_dark` fields the window initialises), kept apart so the window module
holds the file and tab logic only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ghostpen.editor import actions
from ghostpen.suggest.prose import is_prose


class ViewMixin:
    """View settings applied to every open editor."""

    def set_word_wrap(self, on: bool) -> None:
        """View ▸ Word Wrap: for the current document's kind (prose, or code and markup),
        remembered, applied to every open document of that kind."""
        doc = self.current_document()
        prose = is_prose(doc.path if doc is not None else None)
        self.settings.set_word_wrap(bool(on), prose)
        for each in self.documents():
            self.apply_word_wrap(each)

    def apply_word_wrap(self, doc) -> None:
        """Wrap `doc` as its kind is set to (prose on, code off unless the user chose)."""
        wrap = self.settings.word_wrap(is_prose(doc.path))
        if (doc.editor.lineWrapMode() != doc.editor.LineWrapMode.NoWrap) != wrap:
            doc.editor.set_word_wrap(wrap)
        if doc is self.current_document():
            self.acts.word_wrap.setChecked(wrap)

    def zoom_in(self) -> None:
        self._zoom += 1
        self._each_editor("zoom_in")

    def zoom_out(self) -> None:
        self._zoom -= 1
        self._each_editor("zoom_out")

    def zoom_reset(self) -> None:
        self._zoom = 0
        self._each_editor("zoom_reset")

    def _each_editor(self, method: str) -> None:
        for doc in self.documents():
            getattr(doc.editor, method)()

    def is_dark(self) -> bool:
        return self._dark

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self.settings.set_dark(self._dark)
        (self.acts.dark if self._dark else self.acts.light).setChecked(True)
        if self._dark:  # the editor remembers its light palette before the window turns dark
            for doc in self.documents():
                doc.set_dark(True)
            self._apply_palette()
        else:
            self._apply_palette()
            for doc in self.documents():
                doc.set_dark(False)

    def _apply_palette(self) -> None:
        """The theme for the window and for every menu, context menu, drop-down list and
        dialog opened later (those are windows of their own: the application's palette)."""
        actions.apply_palette(self, self._dark)
        app = QApplication.instance()
        if app is not None:
            app.setPalette(actions.dark_palette() if self._dark else app.style().standardPalette())
