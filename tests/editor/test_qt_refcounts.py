"""Guard against the PySide6 6.12.0 bug that made long sessions abort.

PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None on every void Qt call and to
True on every signal emit; after a few thousand calls the interpreter aborts with "Fatal Python
error: none_dealloc". pyproject.toml pins a release without it; this test fails if a version
bump brings it back (it counts references instead of waiting for the crash).
"""

import sys

import pytest
from PySide6.QtCore import QObject, QTimer, Signal


class _Emitter(QObject):
    ping = Signal()
    value = Signal(object)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None and True are immortal on 3.12+")
def test_void_calls_and_emits_keep_references(qapp):
    obj, timer = _Emitter(), QTimer()
    obj.ping.connect(lambda: None)
    obj.value.connect(lambda v: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        obj.setObjectName("x")
        timer.setInterval(5)
        obj.ping.emit()
        obj.value.emit(None)
    assert sys.getrefcount(None) > none_before - 100
    assert sys.getrefcount(True) > true_before - 100
