"""Help → About ghostpen: the version, what the bundled models were trained on, and the
attribution their training data asks for (the avatar generator's CC BY 4.0 credit line is read
from its meta.json, so the box says what the shipped model's data actually was)."""

from __future__ import annotations

import json
from html import escape
from importlib import resources

TEXT_MODEL_DATA = (
    "The bundled text model was trained on Friedrich Nietzsche's <i>Beyond Good and Evil</i> "
    "(Helen Zimmern's translation, public domain)."
)


def avatar_credit() -> str:
    """The shipped avatar generator's data attribution ('' when it is absent or unreadable)."""
    try:
        meta_file = resources.files("ghostpen.assets") / "models" / "avatars" / "meta.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        credit = meta.get("dataset", {}).get("credit", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return credit if isinstance(credit, str) else ""


def about_text() -> str:
    """The About box's rich text."""
    from ghostpen import __version__

    parts = [
        f"<h3>ghostpen {escape(__version__)}</h3>",
        "<p>A text editor that writes ahead of you: a character-level LSTM (Apache MXNet Gluon) "
        "paints its guess of what comes next as ghost text. Nothing you type leaves this "
        "machine.</p>",
        f"<p>{TEXT_MODEL_DATA}</p>",
    ]
    credit = avatar_credit()
    if credit:
        parts.append(f"<p>Avatar generator (Tools → Generate Avatars…): {escape(credit)}</p>")
    return "".join(parts)


def show_about(parent) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.about(parent, "About ghostpen", about_text())
