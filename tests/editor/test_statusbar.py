"""The status bar says why suggestions are off, the innermost reason first."""

from ghostpen.editor.statusbar import StatusBar


def test_failure_shows_the_reason_and_keeps_the_full_text_in_the_tooltip(qtbot):
    bar = StatusBar()
    qtbot.addWidget(bar)
    message = (
        "Suggestions are off: could not load the model: "
        "/a/long/path/model-20261130-162051-19037-800827055.params: corrupt or truncated"
    )
    bar.show_failure(message)
    assert bar.text_of("model") == "suggestions off: corrupt or truncated"
    assert bar.tip_of("model") == message
    bar.show_failure("no model")
    assert bar.text_of("model") == "suggestions off: no model"
