"""The editor's persisted preferences (QSettings): recent files, theme, word wrap, suggestions,
typing history.

`AppSettings` wraps a QSettings so the window never deals with QSettings' value types (INI files
give back strings): every getter returns a clean, validated value and falls back to the default
on anything odd. Tests pass `QSettings(path, QSettings.IniFormat)`; the application uses
`default_store()` (the platform's native place for organisation/application "ghostpen").
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QByteArray, QSettings

from ghostpen.editor.habits_state import HabitsPrefs
from ghostpen.suggest.types import MAX_CHOICES, STOP_AT, EngineSettings

MAX_RECENT = 10
DEFAULT_DELAY_MS = 15
MAX_DELAY_MS = 30
SUGGEST_VERSION = 2  # of the saved suggestion settings (2: the word-predictor decoder)
OLD_SUGGEST_DEFAULTS = {"min_confidence": 0.1, "stop_at": "word"}  # version 1's defaults
CHOICE_VIEWS = ("one", "cycle", "strip")  # = ghost.CHOICE_VIEWS (Qt-free here)
DEFAULT_CHOICE_VIEW = "cycle"


@dataclass
class SuggestPrefs:
    """What the Settings dialog edits: suggestions on/off, engine settings, debounce delay."""

    enabled: bool = True
    engine: EngineSettings = field(default_factory=EngineSettings)
    delay_ms: int = DEFAULT_DELAY_MS


def default_store() -> QSettings:
    return QSettings("ghostpen", "ghostpen")


def _bool(value, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
    if isinstance(value, int):
        return bool(value)
    return default


def _number(value, default, kind, lo, hi):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        return default
    if number != number:  # NaN
        return default
    return min(max(number, lo), hi)


class AppSettings:
    """Typed access to the editor's QSettings."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else default_store()

    def sync(self) -> None:
        self.store.sync()

    # --- recent files ---------------------------------------------------------------------
    def recent_files(self, prune: bool = True) -> list[str]:
        """Most recent first, at most MAX_RECENT; files that no longer exist are dropped."""
        raw = self.store.value("files/recent", "[]")
        try:
            paths = json.loads(raw) if isinstance(raw, str) else list(raw or [])
        except (TypeError, ValueError):
            paths = []
        paths = [p for p in paths if isinstance(p, str) and p]
        kept = [p for p in paths if os.path.isfile(p)] if prune else paths
        kept = kept[:MAX_RECENT]
        if kept != paths:
            self._set_recent(kept)
        return kept

    def add_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        paths = [p for p in self.recent_files(prune=False) if p != path]
        self._set_recent([path, *paths][:MAX_RECENT])

    def remove_recent(self, path: str) -> None:
        self._set_recent([p for p in self.recent_files(prune=False) if p != path])

    def clear_recent(self) -> None:
        self._set_recent([])

    def _set_recent(self, paths: list[str]) -> None:
        self.store.setValue("files/recent", json.dumps(paths))

    def last_dir(self) -> str:
        value = self.store.value("files/last_dir", "")
        return value if isinstance(value, str) and os.path.isdir(value) else os.path.expanduser("~")

    def set_last_dir(self, path: str) -> None:
        self.store.setValue("files/last_dir", path)

    # --- view -----------------------------------------------------------------------------
    def dark(self) -> bool:
        return _bool(self.store.value("view/dark", False), False)

    def set_dark(self, dark: bool) -> None:
        self.store.setValue("view/dark", bool(dark))

    def word_wrap(self, prose: bool = True) -> bool:
        """Wrap long lines of prose (default on) or of code and markup (default off)?"""
        key = "view/word_wrap_prose" if prose else "view/word_wrap_code"
        return _bool(self.store.value(key, prose), prose)

    def set_word_wrap(self, wrap: bool, prose: bool = True) -> None:
        self.store.setValue("view/word_wrap_prose" if prose else "view/word_wrap_code", bool(wrap))

    def geometry(self) -> QByteArray | None:
        value = self.store.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, data: QByteArray) -> None:
        self.store.setValue("window/geometry", data)

    # --- suggestions ----------------------------------------------------------------------
    def suggest_prefs(self) -> SuggestPrefs:
        s = self.store
        base = EngineSettings()
        if _number(s.value("suggest/version", 1), 1, int, 1, 99) < SUGGEST_VERSION:
            self._upgrade_suggest()
        stop_at = s.value("suggest/stop_at", base.stop_at)
        engine = replace(
            base,
            max_chars=_number(
                s.value("suggest/max_chars", base.max_chars), base.max_chars, int, 1, 400
            ),
            min_confidence=_number(
                s.value("suggest/min_confidence", base.min_confidence),
                base.min_confidence,
                float,
                0.0,
                1.0,
            ),
            stop_at=stop_at if stop_at in STOP_AT else base.stop_at,
            adapt=_bool(s.value("suggest/adapt", base.adapt), base.adapt),
            html=_bool(s.value("suggest/html", base.html), base.html),
            choices=1 if self.choices_view() == "one" else MAX_CHOICES,
        )
        return SuggestPrefs(
            enabled=_bool(s.value("suggest/enabled", True), True),
            engine=engine,
            delay_ms=_number(
                s.value("suggest/delay_ms", DEFAULT_DELAY_MS),
                DEFAULT_DELAY_MS,
                int,
                0,
                MAX_DELAY_MS,
            ),
        )

    def _upgrade_suggest(self) -> None:
        """Saved suggestion settings of an older ghostpen: a value the user left at that
        version's default takes today's (the gate and stop rule were re-fitted for the word-
        predictor decoder); a value they chose stays."""
        s = self.store
        for key, old in OLD_SUGGEST_DEFAULTS.items():
            value = s.value(f"suggest/{key}")
            if value is not None and str(value) == str(old):
                s.remove(f"suggest/{key}")
        s.setValue("suggest/version", SUGGEST_VERSION)

    def set_suggest_prefs(self, prefs: SuggestPrefs) -> None:
        s = self.store
        s.setValue("suggest/version", SUGGEST_VERSION)
        s.setValue("suggest/enabled", bool(prefs.enabled))
        s.setValue("suggest/max_chars", int(prefs.engine.max_chars))
        s.setValue("suggest/min_confidence", float(prefs.engine.min_confidence))
        s.setValue("suggest/stop_at", prefs.engine.stop_at)
        s.setValue("suggest/adapt", bool(prefs.engine.adapt))
        s.setValue("suggest/html", bool(prefs.engine.html))
        s.setValue("suggest/delay_ms", int(prefs.delay_ms))

    def set_suggestions_enabled(self, enabled: bool) -> None:
        self.store.setValue("suggest/enabled", bool(enabled))

    def choices_view(self) -> str:
        """How a suggestion's alternatives are offered: "one" (none), "cycle" or "strip"."""
        view = self.store.value("suggest/choices_view", DEFAULT_CHOICE_VIEW)
        return view if view in CHOICE_VIEWS else DEFAULT_CHOICE_VIEW

    def set_choices_view(self, view: str) -> None:
        if view in CHOICE_VIEWS:
            self.store.setValue("suggest/choices_view", view)

    def shortcuts(self, name: str) -> list[str] | None:
        """The user's key sequences for action `name` ("shortcuts/NAME" = "Alt+N; Alt+M"), or
        None to keep its defaults."""
        raw = self.store.value(f"shortcuts/{name}")
        if raw is None:
            return None
        parts = raw if isinstance(raw, list) else str(raw).split(";")
        return [p.strip() for p in parts if isinstance(p, str) and p.strip()]

    def set_shortcuts(self, name: str, keys: list[str] | None) -> None:
        if keys is None:
            self.store.remove(f"shortcuts/{name}")
        else:
            self.store.setValue(f"shortcuts/{name}", "; ".join(keys))

    # --- typing history -------------------------------------------------------------------
    def _strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = self.store.value(key)
        if raw is None:
            return default
        try:
            values = json.loads(raw) if isinstance(raw, str) else list(raw)
        except (TypeError, ValueError):
            return default
        if not isinstance(values, list):
            return default
        return tuple(v for v in values if isinstance(v, str) and v.strip())

    def habits_prefs(self) -> HabitsPrefs:
        base = HabitsPrefs()
        return HabitsPrefs(
            enabled=_bool(self.store.value("habits/enabled", False), False),
            excluded_types=self._strings("habits/excluded_types", base.excluded_types),
            excluded_folders=self._strings("habits/excluded_folders", base.excluded_folders),
        )

    def set_habits_prefs(self, prefs: HabitsPrefs) -> None:
        s = self.store
        s.setValue("habits/enabled", bool(prefs.enabled))
        s.setValue("habits/excluded_types", json.dumps(list(prefs.excluded_types)))
        s.setValue("habits/excluded_folders", json.dumps(list(prefs.excluded_folders)))
