"""Which saved files the typing history leaves out (`HabitsPrefs.excludes`, Qt-free)."""

from __future__ import annotations

import os

import pytest

from ghostpen.editor.habits_state import HabitsPrefs

needs_links = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")


def test_types_and_folders_by_name(tmp_path):
    prefs = HabitsPrefs(enabled=True, excluded_folders=(str(tmp_path / "private"),))
    assert prefs.excludes(tmp_path / "server.PEM") and prefs.excludes(tmp_path / "prod.env")
    assert prefs.excludes(tmp_path / "id_rsa.pub") and prefs.excludes(tmp_path / "private/a.txt")
    assert not prefs.excludes(tmp_path / "notes.txt")


@needs_links
def test_an_excluded_type_saved_through_a_link_is_still_excluded(tmp_path):
    secret = tmp_path / "server.pem"
    secret.write_text("key\n", encoding="utf-8")
    link = tmp_path / "notes.txt"
    link.symlink_to(secret)
    prefs = HabitsPrefs(enabled=True)
    assert prefs.excludes(link)  # the file it is, not the name it was saved under
    plain = tmp_path / "plain.txt"
    plain.write_text("x\n", encoding="utf-8")
    assert not prefs.excludes(plain)


@needs_links
def test_a_link_named_like_a_secret_to_a_plain_file_is_excluded_too(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x\n", encoding="utf-8")
    link = tmp_path / ".env"
    link.symlink_to(plain)
    assert HabitsPrefs(enabled=True).excludes(link)


@needs_links
def test_a_folder_reached_through_a_link_is_excluded(tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    (tmp_path / "door").symlink_to(private)
    prefs = HabitsPrefs(enabled=True, excluded_folders=(str(private),))
    assert prefs.excludes(tmp_path / "door" / "diary.txt")
