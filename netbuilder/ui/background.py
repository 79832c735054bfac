"""Run work off the UI thread and get the result back on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Bridge(QObject):
    done = Signal(object, object, object)  # callback, result, error


_bridge: _Bridge | None = None


def _get_bridge() -> _Bridge:
    global _bridge
    if _bridge is None:
        _bridge = _Bridge()
        _bridge.done.connect(_deliver)
    return _bridge


def _deliver(callback, result, error) -> None:
    callback(result, error)


def run_in_thread(work: Callable[[], Any],
                  callback: Callable[[Any, BaseException | None], None],
                  ) -> threading.Thread:
    """Run ``work()`` on a daemon thread; call ``callback(result, error)`` on
    the UI thread afterwards. Create the first bridge on the UI thread."""
    bridge = _get_bridge()

    def target() -> None:
        try:
            result, error = work(), None
        except BaseException as exc:  # reported to the callback, never lost
            result, error = None, exc
        bridge.done.emit(callback, result, error)

    thread = threading.Thread(target=target, daemon=True, name="netbuilder-worker")
    thread.start()
    return thread
