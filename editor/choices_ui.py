"""A suggestion's alternatives in the window: their keys, the strip that shows them, the setting.

The engine gives each suggestion up to two `alternatives` (`EngineSettings.choices`); the
editor offers them one of three ways, chosen in *Suggestions ▸ Alternatives* and remembered
(`AppSettings.choices_view`):

- "cycle" (the default): the ghost is one choice, with a small "2/3" badge after it;
  Alt+] / Alt+[ show the next / previous one (as VS Code and Copilot do), Tab takes it;
- "strip": the ghost is the first choice and a slim row under the text shows all of them
  ("Alt+1 time · Alt+2 thing · Alt+3 as"); Alt+1 / Alt+2 / Alt+3 (or a click) take one;
- "one": one ghost, no alternatives (the engine then computes none).

Every key is a window `QAction` (object name `action_ghost_*`, listed with the window's
actions, e.g. by *Help → Keyboard shortcuts*) whose shortcuts the user can change
(`AppSettings.shortcuts`: "shortcuts/ghost_next" = "Alt+N"). The defaults have a second key
on the base level of AltGr layouts, where "[" and "]" need AltGr (German, French, Nordic):
Alt+. / Alt+, cycle too. Keys act on the focused editor's ghost only, and do nothing without
one.
"""

from __future__ import annotations

import functools
from html import escape

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ghostpen.editor.settings import CHOICE_VIEWS
from ghostpen.suggest.types import MAX_CHOICES

# name -> (menu text, default shortcuts, status tip)
GHOST_ACTIONS = {
    "ghost_next": (
        "&Next Alternative",
        ("Alt+]", "Alt+."),
        "Show the suggestion's next alternative as the ghost (cycle view)",
    ),
    "ghost_previous": (
        "&Previous Alternative",
        ("Alt+[", "Alt+,"),
        "Show the suggestion's previous alternative as the ghost (cycle view)",
    ),
    **{
        f"ghost_take_{k}": (
            f"Take Suggestion &{k}",
            (f"Alt+{k}",),
            f"Insert the suggestion's choice {k} (the strip's slot {k}; 1 is the ghost)",
        )
        for k in range(1, MAX_CHOICES + 1)
    },
}
VIEW_TEXTS = {
    "one": "&One Suggestion",
    "cycle": "&Cycle Alternatives (Alt+] / Alt+[)",
    "strip": "Alternatives &Strip (Alt+1 / Alt+2 / Alt+3)",
}
STRIP_SEPARATOR = "  ·  "
MAX_STRIP_CHARS = 24  # a longer choice is shown cut, with an ellipsis


def strip_label(k: int, text: str, key: str) -> str:
    """The rich text of slot k (1-based) of the strip: its key, dim, then the choice."""
    shown = text.replace("\n", "⏎").replace("\t", "⇥")
    if len(shown) > MAX_STRIP_CHARS:
        shown = shown[: MAX_STRIP_CHARS - 1] + "…"
    shown = escape(shown).replace(" ", "&nbsp;") or "&nbsp;"
    return f"<span style='color: gray'>{escape(key)}</span>&nbsp;{shown}"


class ChoicesStrip(QFrame):
    """The slim row under the text that shows the focused editor's choices."""

    def __init__(self, controller: ChoicesController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("choices_strip")
        self._controller = controller
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        row.setSpacing(0)
        self.labels: list[QLabel] = []
        for k in range(MAX_CHOICES):
            if k:
                sep = QLabel(STRIP_SEPARATOR)
                sep.setEnabled(False)
                row.addWidget(sep)
            label = QLabel()
            label.setObjectName(f"choice_{k + 1}")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setCursor(Qt.CursorShape.PointingHandCursor)
            label.mousePressEvent = lambda event, k=k: self._clicked(event, k)
            row.addWidget(label)
            self.labels.append(label)
        row.addStretch(1)

    def _clicked(self, event, k: int) -> None:
        event.accept()
        self._controller.take(k)

    def set_choices(self, texts: list[str], keys: list[str]) -> None:
        """Show `texts` (at most MAX_CHOICES; none: an empty row) with their keys."""
        for k, label in enumerate(self.labels):
            has = k < len(texts)
            label.setText(strip_label(k + 1, texts[k], keys[k]) if has else "")
            label.setToolTip(f"{keys[k]}: insert {texts[k]!r}" if has else "")
        for sep in self.findChildren(QLabel):
            if sep not in self.labels:
                sep.setVisible(len(texts) > 1)

    def texts(self) -> list[str]:
        """The plain texts shown (for tests)."""
        return [label.text() for label in self.labels]


class ChoicesController(QObject):
    """The ghost-choice actions, the Alternatives menu and the strip of `window`."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.actions: dict[str, QAction] = {}
        self._watched: set[int] = set()
        for name, (text, keys, tip) in GHOST_ACTIONS.items():
            self._action(name, text, keys, tip)
        self.view_group = QActionGroup(window)
        self.view_actions: dict[str, QAction] = {}
        for view in CHOICE_VIEWS:
            action = QAction(VIEW_TEXTS[view], window)
            action.setObjectName(f"action_choices_{view}")
            action.setCheckable(True)
            action.triggered.connect(lambda _c=False, v=view: self.set_view(v))
            self.view_group.addAction(action)
            self.view_actions[view] = action
        self.menu = window.acts.menus.suggest.addMenu("&Alternatives")
        self.menu.setObjectName("menu_alternatives")
        self.menu.addActions(list(self.view_actions.values()))
        self.menu.addSeparator()
        self.menu.addActions(list(self.actions.values()))
        self.strip = ChoicesStrip(self, window.centralWidget())
        layout = window.centralWidget().layout()
        layout.insertWidget(layout.indexOf(window.tabs) + 1, self.strip)
        window.tabs.currentChanged.connect(self._on_current)
        self.view = ""
        self.set_view(window.settings.choices_view(), save=False)

    def _action(self, name: str, text: str, keys, tip: str) -> QAction:
        window = self.window
        action = QAction(text, window)
        action.setObjectName(f"action_{name}")
        chosen = window.settings.shortcuts(name)
        action.setShortcuts([QKeySequence(k) for k in (keys if chosen is None else chosen)])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        if name == "ghost_next":
            action.triggered.connect(lambda: self.cycle(1))
        elif name == "ghost_previous":
            action.triggered.connect(lambda: self.cycle(-1))
        else:
            k = int(name.rsplit("_", 1)[1]) - 1
            action.triggered.connect(lambda _c=False, k=k: self.take(k))
        window.addAction(action)
        setattr(window.acts, name, action)
        self.actions[name] = action
        return action

    def keys(self) -> list[str]:
        """The first shortcut of each take action (what the strip shows)."""
        out = []
        for k in range(1, MAX_CHOICES + 1):
            seqs = self.actions[f"ghost_take_{k}"].shortcuts()
            out.append(seqs[0].toString(QKeySequence.SequenceFormat.NativeText) if seqs else "")
        return out

    # -- the setting -------------------------------------------------------------------------
    def set_view(self, view: str, save: bool = True) -> None:
        """Offer alternatives as `view` ("one", "cycle", "strip"); the engine computes them
        only when they are shown."""
        if view not in CHOICE_VIEWS:
            return
        window = self.window
        old, self.view = self.view, view
        self.view_actions[view].setChecked(True)
        for doc in window.documents():
            doc.editor.set_choices_view(view)
        self.strip.setVisible(view == "strip")
        if save:
            window.settings.set_choices_view(view)
            if (old == "one") != (view == "one"):
                window.suggester.set_settings(window.settings.suggest_prefs().engine)
        self._refresh()

    # -- the focused editor ------------------------------------------------------------------
    def _editor(self):
        edit = self.window.current_editor()
        return edit if edit is not None and edit.ghost() is not None else None

    def cycle(self, step: int) -> bool:
        edit = self._editor()
        return edit is not None and edit.cycle_ghost(step)

    def take(self, k: int) -> str:
        edit = self._editor()
        return "" if edit is None else edit.take_choice(k)

    def _on_current(self, _index: int = -1) -> None:
        edit = self.window.current_editor()
        if edit is not None:
            edit.set_choices_view(self.view)
            key = id(edit)
            if key not in self._watched:
                self._watched.add(key)
                edit.ghostChanged.connect(self._refresh)
                edit.destroyed.connect(functools.partial(self._watched.discard, key))
        self._refresh()

    def _refresh(self) -> None:
        if self.view != "strip":
            return
        edit = self.window.current_editor()
        choices = edit.ghost_choices() if edit is not None else ()
        self.strip.set_choices([c.text for c in choices], self.keys())
