"""The window's menus, actions and keyboard shortcuts, and the application icon.

Shortcuts follow the platform through `QKeySequence.StandardKey`; the few without a standard
key get conventional ones (Ctrl+G go to line, Ctrl+0 reset zoom). A standard binding that
collides with one of ours (FindNext is Ctrl+G on some desktops) is dropped from the standard
action, since an ambiguous shortcut fires neither.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QMenu

from ghostpen.editor import encoding_flow

OWN_SHORTCUTS = {
    "goto": [QKeySequence("Ctrl+G")],
    "zoom_reset": [QKeySequence("Ctrl+0")],
    "toggle_suggest": [QKeySequence("Ctrl+Shift+Space")],
    "settings": [QKeySequence("Ctrl+,")],
}
SK = QKeySequence.StandardKey
GHOST_KEYS_TIP = (
    "Show ghost-text completions: Tab accepts, Ctrl+Right its next word, "
    "Ctrl+Shift+Right its next line, Esc dismisses; Alt+] / Alt+[ show the other choices, "
    "Alt+1/2/3 take one (Suggestions ▸ Alternatives)"
)


def _about(window) -> None:
    from ghostpen.editor.about import show_about

    show_about(window)


def _avatar_panel(window):
    from ghostpen.editor.avatars import show_panel  # the generator loads on first use

    return show_panel(window)


def standard_keys(key: SK, fallback: str | None = None, extra: tuple[str, ...] = ()) -> list:
    """The platform's bindings for `key` (or `fallback`), minus those we use for other actions."""
    taken = {seq.toString() for seqs in OWN_SHORTCUTS.values() for seq in seqs}
    keys = [k for k in QKeySequence.keyBindings(key) if k.toString() not in taken]
    if not keys and fallback:
        keys = [QKeySequence(fallback)]
    keys += [QKeySequence(e) for e in extra if QKeySequence(e) not in keys]
    return keys


def app_icon() -> QIcon:
    """A small ghost with a text cursor: drawn, so no image file is needed."""
    icon = QIcon()
    for size in (16, 32, 64, 128, 256):
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = size / 64.0
        body = QPainterPath()
        body.moveTo(12 * s, 58 * s)
        body.lineTo(12 * s, 28 * s)
        body.arcTo(QRectF(12 * s, 6 * s, 40 * s, 44 * s), 180, -180)
        body.lineTo(52 * s, 58 * s)
        for i, x in enumerate((45.3, 38.6, 32, 25.3, 18.6, 12)):
            body.lineTo(x * s, (52 if i % 2 == 0 else 58) * s)
        body.closeSubpath()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#5b6ee1"))
        p.drawPath(body)
        p.setBrush(QColor("white"))
        for x in (24, 36):
            p.drawEllipse(QPointF(x * s, 26 * s), 4.5 * s, 5.5 * s)
        p.setBrush(QColor("#1b1f3b"))
        for x in (25, 37):
            p.drawEllipse(QPointF(x * s, 27 * s), 2.2 * s, 2.8 * s)
        p.end()
        icon.addPixmap(pix)
    return icon


def dark_palette() -> QPalette:
    """The window palette of the dark theme (the light one is the style's standard)."""
    pal = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2d31",
        QPalette.ColorRole.WindowText: "#dcdfe4",
        QPalette.ColorRole.Base: "#282c34",
        QPalette.ColorRole.AlternateBase: "#30343c",
        QPalette.ColorRole.Text: "#dcdfe4",
        QPalette.ColorRole.Button: "#33363c",
        QPalette.ColorRole.ButtonText: "#dcdfe4",
        QPalette.ColorRole.Highlight: "#3e6fb0",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#33363c",
        QPalette.ColorRole.ToolTipText: "#dcdfe4",
        QPalette.ColorRole.PlaceholderText: "#7f848e",
        QPalette.ColorRole.Link: "#61afef",
        QPalette.ColorRole.Light: "#4a4d55",
        QPalette.ColorRole.Midlight: "#3d4047",
        QPalette.ColorRole.Mid: "#26282c",
        QPalette.ColorRole.Dark: "#1e2024",
        QPalette.ColorRole.Shadow: "#111214",
    }
    for role, color in colors.items():
        pal.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b6f76"))
    return pal


def apply_palette(window, dark: bool) -> None:
    """Give the window (and its menus, which are separate windows) the theme's palette."""
    app = QApplication.instance()
    pal = dark_palette() if dark else (app.style().standardPalette() if app else None)
    if pal is None:
        return
    window.setPalette(pal)
    window.menuBar().setPalette(pal)
    for menu in window.menuBar().findChildren(QMenu):
        menu.setPalette(pal)


def fill_recent_menu(acts, paths: list[str], open_file) -> None:
    """Rebuild File ▸ Open Recent (called just before it shows)."""
    menu = acts.recent_menu
    menu.clear()
    for i, path in enumerate(paths, 1):
        label = f"&{i % 10} {os.path.basename(path)}  —  {os.path.dirname(path)}"
        action = menu.addAction(label)
        action.setData(path)
        action.triggered.connect(lambda _c=False, p=path: open_file(p))
    if not paths:
        menu.addAction("No recent files").setEnabled(False)
    menu.addSeparator()
    menu.addAction(acts.clear_recent)
    acts.clear_recent.setEnabled(bool(paths))


def build(window) -> SimpleNamespace:
    """Create the actions (connected to `window`'s methods) and the menu bar."""
    w = window
    a = SimpleNamespace()

    def act(name, text, slot, keys=(), tip="", checkable=False):
        action = QAction(text, w)
        action.setObjectName(f"action_{name}")
        if keys:
            action.setShortcuts(list(keys))
        if tip:
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        w.addAction(action)
        setattr(a, name, action)
        return action

    own = OWN_SHORTCUTS
    act("new", "&New", lambda: w.new_document(), standard_keys(SK.New, "Ctrl+N"))
    act("open", "&Open…", lambda: w.open_dialog(), standard_keys(SK.Open, "Ctrl+O"))
    act("save", "&Save", lambda: w.save(), standard_keys(SK.Save, "Ctrl+S"))
    act("save_as", "Save &As…", lambda: w.save_as(), standard_keys(SK.SaveAs, "Ctrl+Shift+S"))
    act("reopen", "Reopen with &Encoding…", lambda: w.reopen_with_encoding())
    act("save_encoding", "Save with Encodin&g…", lambda: encoding_flow.save_with_encoding(w))
    act("close", "&Close Tab", lambda: w.close_current(), standard_keys(SK.Close, "Ctrl+W"))
    act("quit", "&Quit", lambda: w.close(), standard_keys(SK.Quit, "Ctrl+Q"))
    a.newline_group = QActionGroup(w)
    for name, label, nl in (
        ("lf", "LF (Unix, macOS)", "\n"),
        ("crlf", "CRLF (Windows)", "\r\n"),
        ("cr", "CR (classic Mac)", "\r"),
    ):
        action = act(
            f"newline_{name}", label, lambda _c=False, nl=nl: w.set_newline(nl), checkable=True
        )
        action.setData(nl)
        a.newline_group.addAction(action)

    def edit_call(method):
        def call():
            edit = w.current_editor()
            if edit is not None:
                getattr(edit, method)()

        return call

    act("undo", "&Undo", edit_call("undo"), standard_keys(SK.Undo, "Ctrl+Z"))
    act("redo", "&Redo", edit_call("redo"), standard_keys(SK.Redo, "Ctrl+Shift+Z"))
    act("cut", "Cu&t", edit_call("cut"), standard_keys(SK.Cut, "Ctrl+X"))
    act("copy", "&Copy", edit_call("copy"), standard_keys(SK.Copy, "Ctrl+C"))
    act("paste", "&Paste", edit_call("paste"), standard_keys(SK.Paste, "Ctrl+V"))
    act("select_all", "Select &All", edit_call("selectAll"), standard_keys(SK.SelectAll, "Ctrl+A"))
    act("find", "&Find…", lambda: w.show_find(False), standard_keys(SK.Find, "Ctrl+F"))
    act("replace", "R&eplace…", lambda: w.show_find(True), standard_keys(SK.Replace, "Ctrl+H"))
    act("find_next", "Find &Next", lambda: w.find_next(), standard_keys(SK.FindNext, "F3"))
    act(
        "find_previous",
        "Find Pre&vious",
        lambda: w.find_previous(),
        standard_keys(SK.FindPrevious, "Shift+F3"),
    )
    act("goto", "&Go to Line…", lambda: w.go_to_line(), own["goto"])

    act("word_wrap", "&Word Wrap", lambda on: w.set_word_wrap(on), checkable=True)
    act("zoom_in", "Zoom &In", lambda: w.zoom_in(), standard_keys(SK.ZoomIn, "Ctrl++", ("Ctrl+=",)))
    act("zoom_out", "Zoom &Out", lambda: w.zoom_out(), standard_keys(SK.ZoomOut, "Ctrl+-"))
    act("zoom_reset", "&Reset Zoom", lambda: w.zoom_reset(), own["zoom_reset"])
    a.theme_group = QActionGroup(w)
    act("light", "&Light", lambda: w.set_dark(False), checkable=True)
    act("dark", "&Dark", lambda: w.set_dark(True), checkable=True)
    a.theme_group.addAction(a.light)
    a.theme_group.addAction(a.dark)

    act(
        "toggle_suggest",
        "&Enable Suggestions",
        lambda on: w.set_suggestions_enabled(on),
        own["toggle_suggest"],
        GHOST_KEYS_TIP,
        checkable=True,
    )
    act("settings", "&Settings…", lambda: w.edit_settings(), own["settings"])
    act("clear_recent", "&Clear Recent Files", lambda: w.clear_recent())
    act("avatars", "Generate &Avatars…", lambda: _avatar_panel(w))
    act("about", "&About ghostpen", lambda: _about(w))

    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([a.new, a.open])
    a.recent_menu = file_menu.addMenu("Open &Recent")
    a.recent_menu.setObjectName("menu_recent")
    a.recent_menu.aboutToShow.connect(w.refresh_recent_menu)
    file_menu.addSeparator()
    file_menu.addActions([a.save, a.save_as])
    file_menu.addSeparator()
    file_menu.addActions([a.reopen, a.save_encoding])
    newline_menu = file_menu.addMenu("&Line Endings")
    newline_menu.addActions(a.newline_group.actions())
    file_menu.addSeparator()
    file_menu.addActions([a.close, a.quit])

    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([a.undo, a.redo])
    edit_menu.addSeparator()
    edit_menu.addActions([a.cut, a.copy, a.paste, a.select_all])
    edit_menu.addSeparator()
    edit_menu.addActions([a.find, a.replace, a.find_next, a.find_previous])
    edit_menu.addSeparator()
    edit_menu.addAction(a.goto)

    view_menu = bar.addMenu("&View")
    view_menu.addAction(a.word_wrap)
    view_menu.addSeparator()
    view_menu.addActions([a.zoom_in, a.zoom_out, a.zoom_reset])
    view_menu.addSeparator()
    theme_menu = view_menu.addMenu("&Theme")
    theme_menu.addActions([a.light, a.dark])

    suggest_menu = bar.addMenu("&Suggestions")
    suggest_menu.addAction(a.toggle_suggest)
    suggest_menu.addSeparator()
    suggest_menu.addAction(a.settings)
    tools_menu = bar.addMenu("&Tools")
    tools_menu.addAction(a.avatars)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.about)
    a.menus = SimpleNamespace(
        file=file_menu,
        edit=edit_menu,
        view=view_menu,
        suggest=suggest_menu,
        theme=theme_menu,
        newline=newline_menu,
        tools=tools_menu,
        help=help_menu,
    )
    return a
