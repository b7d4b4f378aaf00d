"""Search and replace on a text edit, the find bar, and the window's dialogs (no blocking)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QPlainTextEdit

from ghostpen.editor import dialogs
from ghostpen.editor.documents import SearchError, SearchSpec, find, replace_all, replace_one
from ghostpen.editor.recovery import RecoveredDoc
from ghostpen.editor.settings import SuggestPrefs
from ghostpen.suggest.types import EngineSettings

TEXT = "Cat cat\ncatalog CAT\nthe cat sat\n"


@pytest.fixture
def edit(qtbot):
    widget = QPlainTextEdit()
    qtbot.addWidget(widget)
    widget.setPlainText(TEXT)
    return widget


def select_all_matches(edit, spec) -> list[tuple[int, int]]:
    """Positions found by repeated find() from the start until it wraps."""
    cursor = edit.textCursor()
    cursor.setPosition(0)
    edit.setTextCursor(cursor)
    found = []
    while find(edit, spec) == "found":
        c = edit.textCursor()
        found.append((c.selectionStart(), c.selectionEnd()))
    return found


def test_case_insensitive_by_default(edit):
    assert len(select_all_matches(edit, SearchSpec("cat"))) == 5


def test_case_sensitive(edit):
    assert select_all_matches(edit, SearchSpec("cat", case=True)) == [(4, 7), (8, 11), (24, 27)]


def test_whole_words(edit):
    hits = select_all_matches(edit, SearchSpec("cat", whole=True))
    assert [TEXT[a:b] for a, b in hits] == ["Cat", "cat", "CAT", "cat"]  # not "catalog"


def test_whole_words_with_punctuation_in_the_pattern(qtbot):
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.setPlainText("call f(x) and g(x)\n")
    assert len(select_all_matches(edit, SearchSpec("(x)", whole=True))) == 2


def test_regex(edit):
    hits = select_all_matches(edit, SearchSpec(r"c\w+g", regex=True))
    assert [TEXT[a:b] for a, b in hits] == ["catalog"]


def test_literal_text_is_not_a_regex(qtbot):
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.setPlainText("a.b axb\n")
    assert select_all_matches(edit, SearchSpec("a.b")) == [(0, 3)]


def test_invalid_regex_raises_a_clear_error(edit):
    with pytest.raises(SearchError, match="Invalid regular expression"):
        find(edit, SearchSpec("(unclosed", regex=True))


def test_find_wraps_around_and_goes_backwards(edit):
    cursor = edit.textCursor()
    cursor.setPosition(len(TEXT) - 2)
    edit.setTextCursor(cursor)
    assert find(edit, SearchSpec("catalog")) == "wrapped"
    assert edit.textCursor().selectedText() == "catalog"
    assert find(edit, SearchSpec("cat", case=True), backward=True) == "found"
    assert edit.textCursor().selectionStart() == 4
    assert find(edit, SearchSpec("nope")) == "not found"


def test_empty_matches_are_skipped(edit):
    assert find(edit, SearchSpec("z*", regex=True)) == "not found"
    assert find(edit, SearchSpec("s?at", regex=True)) == "found"


def test_replace_all_is_one_undo_step(edit):
    assert replace_all(edit, SearchSpec("cat", whole=True), "dog") == 4
    assert edit.toPlainText() == "dog dog\ncatalog dog\nthe dog sat\n"
    edit.undo()
    assert edit.toPlainText() == TEXT
    edit.redo()
    assert edit.toPlainText() == "dog dog\ncatalog dog\nthe dog sat\n"


def test_replace_all_with_groups(edit):
    spec = SearchSpec(r"(\w+) (\w+)$", regex=True)
    assert replace_all(edit, spec, r"\2 \1") == 3
    assert edit.toPlainText() == "cat Cat\nCAT catalog\nthe sat cat\n"


def test_replace_all_empty_replacement_and_no_match(edit):
    assert replace_all(edit, SearchSpec("a"), "") == 7
    assert "a" not in edit.toPlainText().lower()
    assert replace_all(edit, SearchSpec("zzz"), "y") == 0


def test_replace_one_replaces_the_selected_match_then_selects_the_next(edit):
    spec = SearchSpec("cat", case=True)
    assert replace_one(edit, spec, "dog") == "found"  # nothing selected: only finds
    assert edit.toPlainText() == TEXT
    assert replace_one(edit, spec, "dog") == "found"
    assert edit.toPlainText().startswith("Cat dog\n")
    assert edit.textCursor().selectedText() == "cat"


def test_find_bar_messages(qtbot, edit):
    bar = dialogs.FindBar(lambda: edit)
    qtbot.addWidget(bar)
    bar.open_bar(replace=True)
    assert bar.isVisible() and bar.replace_edit.isVisible()
    bar.find_edit.setText("zebra")
    bar.find_next()
    assert "Not found" in bar.message.text()
    bar.regex.setChecked(True)
    bar.find_edit.setText("[a-")
    bar.find_next()
    assert "Invalid regular expression" in bar.message.text()
    bar.regex.setChecked(False)
    bar.whole.setChecked(True)
    bar.find_edit.setText("cat")
    bar.replace_edit.setText("dog")
    bar.replace_all()
    assert bar.message.text() == "Replaced 4 occurrences"
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_find_bar_takes_the_selection(qtbot, edit):
    cursor = edit.textCursor()
    cursor.setPosition(8)
    cursor.setPosition(15, cursor.MoveMode.KeepAnchor)
    edit.setTextCursor(cursor)
    bar = dialogs.FindBar(lambda: edit)
    qtbot.addWidget(bar)
    bar.open_bar()
    assert bar.find_edit.text() == "catalog"
    assert not bar.replace_edit.isVisible()


def test_settings_dialog_round_trip(qtbot):
    prefs = SuggestPrefs(True, EngineSettings(max_chars=30, min_confidence=0.5, stop_at="line"), 20)
    dialog = dialogs.SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    assert dialog.prefs() == prefs
    dialog.enabled.setChecked(False)
    dialog.confidence.setValue(0.8)
    dialog.max_chars.setValue(12)
    dialog.delay.setValue(99)  # clamped to the maximum
    dialog.stop_at.setCurrentIndex(dialog.stop_at.findData("word"))
    got = dialog.prefs()
    assert not got.enabled
    assert (got.engine.min_confidence, got.engine.max_chars, got.engine.stop_at) == (
        0.8,
        12,
        "word",
    )
    assert got.delay_ms == 30


def test_edit_settings_cancel_returns_none(qtbot, monkeypatch):
    monkeypatch.setattr(dialogs.SettingsDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert dialogs.edit_settings(None, SuggestPrefs()) is None


def test_recovery_dialog_lists_and_selects(qtbot):
    docs = [
        RecoveredDoc("k1", "/tmp/a.txt", "one\ntwo", 1_700_000_000.0, "utf-8", "\n"),
        RecoveredDoc("k2", None, "untitled text", 1_700_000_100.0, "utf-8", "\n"),
    ]
    dialog = dialogs.RecoveryDialog(docs)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 2
    assert "a.txt" in dialog.list.item(0).text() and "2 lines" in dialog.list.item(0).text()
    assert "Untitled" in dialog.list.item(1).text()
    dialog.list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert [d.key for d in dialog.selected()] == ["k1"]


def test_ask_restore_choices(qtbot, monkeypatch):
    docs = [RecoveredDoc("k1", None, "x", 1.0, "utf-8", "\n")]
    monkeypatch.setattr(dialogs.RecoveryDialog, "exec", lambda self: self._done("restore"))
    assert dialogs.ask_restore(None, docs) == ("restore", docs)
    monkeypatch.setattr(dialogs.RecoveryDialog, "exec", lambda self: self._done("later"))
    assert dialogs.ask_restore(None, docs) == ("later", [])


def test_ask_save_changes_maps_buttons(qtbot, monkeypatch):
    for button, answer in (
        (QMessageBox.StandardButton.Save, "save"),
        (QMessageBox.StandardButton.Discard, "discard"),
        (QMessageBox.StandardButton.Cancel, "cancel"),
    ):
        monkeypatch.setattr(QMessageBox, "exec", lambda self, b=button: b.value)
        assert dialogs.ask_save_changes(None, "a.txt") == answer


def test_ask_line(monkeypatch):
    calls = []

    def get_int(parent, title, label, value, lo, hi, step):
        calls.append((label, value, lo, hi))
        return 7, True

    monkeypatch.setattr(QInputDialog, "getInt", get_int)
    assert dialogs.ask_line(None, 3, 40) == 7
    assert calls == [("Line number (1 – 40):", 3, 1, 40)]
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a: (0, False))
    assert dialogs.ask_line(None, 3, 40) is None
