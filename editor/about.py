"""Help → About ghostpen: the version, what the bundled models were trained on, and the
attribution their training data asks for. Both are read from the shipped models' meta.json (the
text model's training text, base model, score and date; the avatar generator's CC BY 4.0 credit
line), so the box says what the shipped models' data actually was."""

from __future__ import annotations

import json
from html import escape
from importlib import resources


def text_model_data(path=None) -> str:
    """What the bundled text model (or the one at `path`) was trained on, from its meta.json:
    its name, network, training text, base model, score and date (plain text, '' if unread)."""
    from pathlib import Path

    from ghostpen.model.library import bundled_models_dir
    from ghostpen.model.modelinfo import model_info, score_text

    info = model_info(Path(path) if path else bundled_models_dir() / "default", "bundled")
    if info.error:
        return ""
    name = info.training.get("name") if isinstance(info.training.get("name"), str) else info.name
    text = f"The bundled text model, {name} ({info.arch} {info.size.split(',')[0]}),"
    if info.base:
        text += f" is the model {info.base} fine-tuned on {info.corpus_name or 'a corpus'}"
    else:
        text += f" was trained on {info.corpus_name or 'a corpus'}"
    text += f" ({info.corpus})" if info.corpus and info.corpus != info.corpus_name else ""
    text += f", trained {info.date[:10]}." if info.date else "."
    score = score_text(info)
    return text + (f" Score: {score}." if score else "")


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
    ]
    data = text_model_data()
    if data:
        parts.append(f"<p>{escape(data)} See the model card in the README.</p>")
    credit = avatar_credit()
    if credit:
        parts.append(f"<p>Avatar generator (Tools → Generate Avatars…): {escape(credit)}</p>")
    return "".join(parts)


def show_about(parent) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.about(parent, "About ghostpen", about_text())
