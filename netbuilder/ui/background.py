"""Run work off the UI thread and get the result back on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal


class _Bridge(QObject):
    done = Signal(object, object, object, object)  # callback, owner, result, error


_bridge: _Bridge | None = None


def _get_bridge() -> _Bridge:
    global _bridge
    if _bridge is None:
        _bridge = _Bridge()
        _bridge.done.connect(_deliver)
    return _bridge


def _deliver(callback, owner, result, error) -> None:
    if owner is not None and not shiboken6.isValid(owner):
        return  # its widget was closed while the work ran: nobody to tell
    callback(result, error)


def run_in_thread(work: Callable[[], Any],
                  callback: Callable[[Any, BaseException | None], None],
                  owner: QObject | None = None) -> threading.Thread:
    """Run ``work()`` on a daemon thread; call ``callback(result, error)`` on
    the UI thread afterwards, unless ``owner`` (by default the object of a
    bound-method callback) has been deleted meanwhile. Create the first
    bridge on the UI thread."""
    bridge = _get_bridge()
    if owner is None and isinstance(getattr(callback, "__self__", None), QObject):
        owner = callback.__self__

    def target() -> None:
        try:
            result, error = work(), None
        except BaseException as exc:  # reported to the callback, never lost
            result, error = None, exc
        bridge.done.emit(callback, owner, result, error)

    thread = threading.Thread(target=target, daemon=True, name="netbuilder-worker")
    thread.start()
    return thread
