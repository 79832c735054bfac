"""Bridges a worker-thread TrainingSession to the UI thread.

Epoch, finish, stop and error events arrive as a queued Qt signal. Batch
events can come thousands of times a second, so they are only buffered here
(under a lock) and the panel drains them on its own timer: the training
thread never waits for the UI.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

from netbuilder.engine.training import session as tr


class SessionBridge(QObject):
    event = Signal(object)  # TrainingEvent (not batch), on the UI thread
    prepareFailed = Signal(str)
    prepared = Signal(object)  # the TrainingSession

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._batches: list[tuple[float, int, int, int | None, dict]] = []
        self.last_batch = None

    # called on the training thread
    def listener(self, event: tr.TrainingEvent) -> None:
        if event.kind == tr.BATCH:
            with self._lock:
                self._batches.append((time.perf_counter(), event.epoch, event.step,
                                      event.steps, dict(event.logs)))
                self.last_batch = event
            return
        self.event.emit(event)

    def take_batches(self) -> list:
        with self._lock:
            batches, self._batches = self._batches, []
        return batches

    def prepare_in_background(self, session: tr.TrainingSession) -> None:
        """Load data, check it and build the model off the UI thread."""

        def work() -> None:
            try:
                session.prepare()
            except tr.TrainingError as exc:
                self.prepareFailed.emit(str(exc))
                return
            except Exception as exc:  # never let a worker die silently
                self.prepareFailed.emit(f"training could not start: {exc}")
                return
            self.prepared.emit(session)

        threading.Thread(target=work, name="netbuilder-prepare", daemon=True).start()
