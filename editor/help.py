"""Help ▸ Keyboard shortcuts and Help ▸ Getting started, and the ghost keys shown once.

`HelpController` (attached by `app.build_app`) puts both entries above *About* in the Help
menu. The shortcuts are read from the window's own QActions each time the dialog opens, so
an action added later (a ghost key such as Alt+] for the next alternative) or a key the user
rebound shows as it is now; the ghost's own keys (Tab, Ctrl+Right, Ctrl+Shift+Right, Esc) are
actions too (`editor/shortcuts.py`). Change… gives the selected action another key, kept in the
settings.

The first time a ghost is painted (the suggester's `latency` signal), the ghost-text part of
the list is shown once in a small panel over the window (a child widget: it never takes the
keyboard focus, so the ghost stays); the settings key `help/ghost_keys_shown` remembers it.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QMenu,
    QPushButton,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ghostpen.editor.shortcuts import KeyDialog, all_actions

SHOWN_KEY = "help/ghost_keys_shown"
GHOST_SECTION = "Ghost text"
_GHOSTISH = re.compile(r"ghost|accept|alternative|suggestion", re.IGNORECASE)
_SK = QKeySequence.StandardKey


GETTING_STARTED = """
<h3>1. Type, and take what the ghost offers</h3>
<ul><li>Type as usual; after a short pause the model's guess appears, dimmed, after the cursor.
<li><b>Tab</b> takes all of it, <b>Ctrl+→</b> its next word, <b>Ctrl+Shift+→</b> its next line.
<li><b>Esc</b> dismisses it; typing the same letters keeps the rest of it.
<li>It is painted, never inserted: nothing you did not accept is saved.
<li><i>Suggestions ▸ Enable Suggestions</i> (Ctrl+Shift+Space) turns it off and on.</ul>
<h3>2. Teach it your writing</h3>
<ul><li><i>Model ▸ Train on my documents…</i>, then add files or folders of your own text.
<li>Start: the current model goes on learning from them (10 minutes by default), in the
background, on this machine; nothing leaves it.
<li>The dialog scores the new model and the old one on a part of your text it kept aside.
<li><i>Use the new model</i> switches to it; the <i>Model</i> menu switches back and forth.
<li><i>Model ▸ Manage models…</i> renames or deletes models and shows their folders.</ul>
<h3>3. Make avatars</h3>
<ul><li><i>Tools ▸ Generate Avatars…</i> opens a panel of generated faces.
<li>Pick a <i>Style</i>, or type a <i>Name</i>: a name always gives the same avatar.
<li><i>Regenerate</i> or another <i>Seed</i> draws other faces; a seed always gives the same ones.
<li>Click a face to enlarge it, a second one to slide between the two.
<li><i>Save…</i> (64 to 512 pixels), <i>Save all…</i> or <i>Copy</i> take them out as pictures.</ul>
<p>Every key: <i>Help ▸ Keyboard shortcuts</i>.</p>
"""


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")


def _keys(seqs) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in seqs)


def _menu_titles(window) -> dict[int, str]:
    """id(action) -> the title of the menu it sits in (the innermost one)."""
    titles: dict[int, str] = {}

    def walk(menu: QMenu, title: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), _plain(action.menu().title()))
            else:
                titles.setdefault(id(action), title)

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.menu().title()))
    return titles


def shortcut_rows(window) -> list[tuple[str, str, str, QAction]]:
    """(section, what it does, keys, action) for every action of `window` with a shortcut —
    the ghost's own keys (editor/shortcuts.py) among them — the ghost text's first, then by
    menu."""
    titles = _menu_titles(window)
    rows = []
    for action in all_actions(window):
        if not action.shortcuts():
            continue
        name = f"{action.objectName()} {action.text()}"
        section = GHOST_SECTION if _GHOSTISH.search(name) else titles.get(id(action), "Other")
        rows.append((section, _plain(action.text()), _keys(action.shortcuts()), action))
    order = [GHOST_SECTION] + list(dict.fromkeys(titles.values()))
    return sorted(rows, key=lambda r: order.index(r[0]) if r[0] in order else len(order))


def fill_tree(tree: QTreeWidget, window, ghost_only: bool = False) -> None:
    """Put `shortcut_rows(window)` (or only the ghost text's) into `tree`, by section; each
    action's row holds its object name (Qt.UserRole) for Change…."""
    tree.clear()
    section = None
    for sec, text, keys, action in shortcut_rows(window):
        if ghost_only and sec != GHOST_SECTION:
            continue
        if sec != section and not ghost_only:
            head = QTreeWidgetItem(tree, [sec, ""])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            head.setFirstColumnSpanned(True)
            section = sec
        item = QTreeWidgetItem(tree, [("" if ghost_only else "   ") + text, keys])
        item.setData(0, Qt.ItemDataRole.UserRole, action.objectName())
    tree.resizeColumnToContents(0)


def action_of(window, item: QTreeWidgetItem | None) -> QAction | None:
    """The action a row of the shortcuts tree stands for (None for a section heading)."""
    name = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
    if not name:
        return None
    return next((a for a in all_actions(window) if a.objectName() == name), None)


def tree_texts(tree: QTreeWidget) -> list[tuple[str, str]]:
    """(action, keys) of each row shown (for tests)."""
    items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [(item.text(0).strip(), item.text(1)) for item in items]


def _tree() -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(["Action", "Keys"])
    tree.setRootIsDecorated(False)
    return tree


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard shortcuts: every key, read from the window's actions when shown;
    Change… (or a double click) gives the selected action another key."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        self.tree = _tree()
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.change = QPushButton("Change…")
        self.change.setObjectName("shortcuts_change")
        buttons.addButton(self.change, QDialogButtonBox.ButtonRole.ActionRole)
        self.change.clicked.connect(self.change_selected)
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self.change_selected())
        self.tree.currentItemChanged.connect(lambda item, _old: self._enable(item))
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(480, 560)
        fill_tree(self.tree, window)
        self._enable(None)

    def _enable(self, item) -> None:
        self.change.setEnabled(action_of(self.window_, item) is not None)

    def key_dialog(self) -> KeyDialog | None:
        """The Change key dialog for the selected action (not shown; None on a heading)."""
        action = action_of(self.window_, self.tree.currentItem())
        return None if action is None else KeyDialog(self.window_, action)

    def change_selected(self) -> None:
        dialog = self.key_dialog()
        if dialog is not None and dialog.exec() == QDialog.DialogCode.Accepted:
            fill_tree(self.tree, self.window_)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        fill_tree(self.tree, self.window_)  # the keys as they are bound now
        super().showEvent(event)

    def texts(self) -> list[tuple[str, str]]:
        return tree_texts(self.tree)


class GhostKeysHint(QFrame):
    """The ghost-text keys, shown once over the window's top right corner; it never takes
    the keyboard focus (the user is typing); Got it hides it."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("ghost_keys_hint")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>A ghost appeared.</b> These keys take it<br>"
                                "(every key: Help ▸ Keyboard shortcuts):"))  # fmt: skip
        self.tree = _tree()
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tree.setHeaderHidden(True)
        self.tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.tree)
        close = QPushButton("Got it")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.hide)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        fill_tree(self.tree, window, ghost_only=True)
        rows = max(1, self.tree.topLevelItemCount())
        self.tree.setFixedHeight(rows * (self.tree.sizeHintForRow(0) + 2) + 6)
        self.resize(max(360, self.sizeHint().width()), self.sizeHint().height())

    def show_over(self, window) -> None:
        top = window.menuBar().height() + 36
        self.move(max(0, window.width() - self.width() - 24), top)
        self.raise_()
        self.show()

    def texts(self) -> list[tuple[str, str]]:
        return tree_texts(self.tree)


def getting_started_dialog(window) -> QDialog:
    dialog = QDialog(window)
    dialog.setObjectName("getting_started")
    dialog.setWindowTitle("Getting started with ghostpen")
    layout = QVBoxLayout(dialog)
    text = QTextBrowser()
    text.setHtml(GETTING_STARTED)
    layout.addWidget(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout.addWidget(buttons)
    dialog.resize(620, 560)
    return dialog


class HelpController(QObject):
    """Help ▸ Keyboard shortcuts, Help ▸ Getting started; the ghost keys shown once."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.shortcuts = self.started = self.first_ghost = None
        menu = window.acts.menus.help
        first = menu.actions()[0] if menu.actions() else None
        self.shortcuts_action = QAction("&Keyboard shortcuts", window)
        self.shortcuts_action.setObjectName("action_help_shortcuts")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.started_action = QAction("&Getting started", window)
        self.started_action.setObjectName("action_help_started")
        self.started_action.setShortcuts(QKeySequence.keyBindings(_SK.HelpContents))  # F1
        window.addAction(self.started_action)
        window.addAction(self.shortcuts_action)
        self.started_action.triggered.connect(self.show_getting_started)
        menu.insertActions(first, [self.started_action, self.shortcuts_action])
        if first is not None:
            menu.insertSeparator(first)
        window.suggester.latency.connect(self._ghost_painted)

    def show_shortcuts(self) -> ShortcutsDialog:
        if self.shortcuts is None:
            self.shortcuts = ShortcutsDialog(self.window)
        self.shortcuts.show()
        self.shortcuts.raise_()
        return self.shortcuts

    def show_getting_started(self) -> QDialog:
        if self.started is None:
            self.started = getting_started_dialog(self.window)
        self.started.show()
        self.started.raise_()
        return self.started

    def _ghost_painted(self, _ms: float = 0.0) -> None:
        store = self.window.settings.store
        if self.first_ghost is not None or str(store.value(SHOWN_KEY, "")) == "true":
            return
        store.setValue(SHOWN_KEY, "true")
        self.first_ghost = GhostKeysHint(self.window)
        self.first_ghost.show_over(self.window)  # a child: the typing goes on in the editor
