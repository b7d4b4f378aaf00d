"""Keys the user can change: the ghost's own keys as actions, and rebinding any action's keys.

The ghost's four keys (Tab, Ctrl+Right, Ctrl+Shift+Right, Esc) act only while a ghost is shown
and keep their usual meaning otherwise, so they cannot be window shortcuts (Tab would stop
indenting). They are QActions all the same — named, with default keys the user can change — kept
in `GhostKeys.actions` and never added to a widget: each editor's `GhostSuggestion.keys` is filled
from them, and the ghost claims those keys only while it is shown.

Every action with an object name can be rebound (Help ▸ Keyboard shortcuts ▸ Change…); the choice
is kept in the settings as "shortcuts/NAME" (`AppSettings.shortcuts`), NAME being the object name
without its "action_" prefix, and applied when the window is built (`apply_saved`). A key already
taken by another action is refused with a message naming that action.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QKeySequenceEdit,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
)

from ghostpen.editor.ghost import default_part_keys

DEFAULTS_PROPERTY = "ghostpen_default_keys"  # an action's shipped keys, "; "-joined
GHOST_KEY_TEXTS = {  # part -> (action name, what it does)
    "all": ("ghost_accept", "Accept the whole ghost"),
    "word": ("ghost_word", "Accept its next word"),
    "line": ("ghost_line", "Accept its next line"),
    "dismiss": ("ghost_dismiss", "Dismiss it (until the next edit)"),
}
NATIVE = QKeySequence.SequenceFormat.NativeText
PORTABLE = QKeySequence.SequenceFormat.PortableText


def setting_name(action: QAction) -> str:
    """The settings key part of `action` ("" for an action without an object name)."""
    name = action.objectName()
    return name[len("action_") :] if name.startswith("action_") else name


def all_actions(window) -> list[QAction]:
    """The ghost's own keys, then every action of `window` and its menus, once each."""
    ghost = getattr(window, "ghost_keys", None)
    found = list(ghost.actions.values()) if ghost is not None else []
    found += window.actions() + [a for m in window.findChildren(QMenu) for a in m.actions()]
    seen: set[int] = set()
    return [a for a in found if not (id(a) in seen or seen.add(id(a)))]


def _remember_defaults(action: QAction) -> None:
    if action.property(DEFAULTS_PROPERTY) is None:
        keys = "; ".join(s.toString(PORTABLE) for s in action.shortcuts())
        action.setProperty(DEFAULTS_PROPERTY, keys)


def default_keys(action: QAction) -> list[QKeySequence]:
    raw = action.property(DEFAULTS_PROPERTY)
    if raw is None:
        return list(action.shortcuts())
    return [QKeySequence(k.strip()) for k in str(raw).split(";") if k.strip()]


def apply_saved(window) -> None:
    """Give every named action of `window` the keys the user chose (its defaults remembered)."""
    for action in all_actions(window):
        name = setting_name(action)
        if not name:
            continue
        _remember_defaults(action)
        chosen = window.settings.shortcuts(name)
        if chosen is not None:
            action.setShortcuts([QKeySequence(k) for k in chosen])
    if getattr(window, "ghost_keys", None) is not None:
        window.ghost_keys.push()


def taken_by(window, seq: QKeySequence, action: QAction) -> QAction | None:
    """The other action of `window` that already has key `seq`, or None."""
    for other in all_actions(window):
        if other is action or not other.shortcuts():
            continue
        same = QKeySequence.SequenceMatch.ExactMatch
        if any(s.matches(seq) == same for s in other.shortcuts()):
            return other
    return None


def rebind(window, action: QAction, seq: QKeySequence | None) -> str:
    """Give `action` the key `seq` (None: its defaults back) and keep the choice. Returns ""
    or, when `seq` is another action's key, a message naming it (nothing changed then)."""
    _remember_defaults(action)
    name = setting_name(action)
    if seq is None or seq.isEmpty():
        action.setShortcuts(default_keys(action))
        window.settings.set_shortcuts(name, None)
    else:
        other = taken_by(window, seq, action)
        if other is not None:
            text = other.text().replace("&", "")
            return f"{seq.toString(NATIVE)} is already the key of “{text}”: choose another."
        action.setShortcuts([seq])
        window.settings.set_shortcuts(name, [seq.toString(PORTABLE)])
    if getattr(window, "ghost_keys", None) is not None:
        window.ghost_keys.push()
    return ""


class GhostKeys(QObject):
    """The ghost's own keys of `window` as actions; pushed into every editor's ghost."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.actions: dict[str, QAction] = {}
        defaults = default_part_keys()
        for part, (name, text) in GHOST_KEY_TEXTS.items():
            action = QAction(text, self)  # never added to a widget: see the module docstring
            action.setObjectName(f"action_{name}")
            action.setShortcuts(defaults[part])
            self.actions[part] = action
        window.ghost_keys = self
        window.tabs.currentChanged.connect(lambda _i: self.push())

    def keys(self) -> dict[str, list[QKeySequence]]:
        return {part: list(a.shortcuts()) for part, a in self.actions.items()}

    def push(self) -> None:
        """Every open editor's ghost takes the keys as they are bound now."""
        keys = self.keys()
        for doc in self.window.documents():
            doc.editor.set_ghost_keys(keys)


class KeyDialog(QDialog):
    """Press the new key for one action; Reset gives back its default."""

    def __init__(self, window, action: QAction) -> None:
        super().__init__(window)
        self.window_, self.action = window, action
        self.setWindowTitle("Change key")
        layout = QVBoxLayout(self)
        current = ", ".join(s.toString(NATIVE) for s in action.shortcuts()) or "none"
        what = action.text().replace("&", "")
        layout.addWidget(QLabel(f"<b>{what}</b> — now: {current}<br>Press the new key:"))
        self.edit = QKeySequenceEdit(self)
        self.edit.setMaximumSequenceLength(1)
        layout.addWidget(self.edit)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        reset = QPushButton("Reset to default", self)
        buttons.addButton(reset, QDialogButtonBox.ButtonRole.ResetRole)
        reset.clicked.connect(lambda: self._apply(None))
        buttons.accepted.connect(lambda: self._apply(self.edit.keySequence()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.edit.setFocus()

    def _apply(self, seq: QKeySequence | None) -> None:
        if seq is not None and seq.isEmpty():
            self.message.setText("Press a key first (or Reset to default).")
            return
        problem = rebind(self.window_, self.action, seq)
        if problem:
            self.message.setText(problem)  # stays until another key is chosen
            return
        self.accept()
