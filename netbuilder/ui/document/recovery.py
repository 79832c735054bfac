"""Crash recovery: a copy of the modified document goes to the recovery
folder a moment after an edit (FIRST_DELAY_MS) and then again after later
edits, at most MIN_GAP_MS apart, so a crash loses only the last few
seconds; saving or a clean close removes it. At start-up, copies left by a
process that is no longer running are offered back, each one."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from netbuilder.engine.model.project import (
    LoadResult,
    Problem,
    atomic_write_text,
    dumps,
    loads,
)
from netbuilder.ui.settings import recovery_dir

FIRST_DELAY_MS = 1_500  # after the first edit (lets a burst of edits settle)
MIN_GAP_MS = 5_000  # between two copies while edits go on


@dataclass
class RecoveryCopy:
    path: Path          # the recovery file
    original: str | None  # the project it was a copy of
    saved_at: float
    pid: int


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def leftover_copies(directory: Path | None = None) -> list[RecoveryCopy]:
    """Recovery copies whose process has died (most recent first)."""
    directory = directory or recovery_dir()
    out = []
    for meta in directory.glob("*.json"):
        try:
            data = json.loads(meta.read_text("utf-8"))
            pid = int(data["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        project = meta.with_suffix(".nbproj")
        if project.exists() and not _alive(pid):
            out.append(RecoveryCopy(project, data.get("original"),
                                    float(data.get("saved_at", 0)), pid))
    return sorted(out, key=lambda c: -c.saved_at)


def load_copy(copy: RecoveryCopy) -> LoadResult:
    try:
        text = copy.path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return LoadResult(None, [Problem("error", "$", str(exc))])
    return loads(text)


def discard_copy(copy: RecoveryCopy) -> None:
    for p in (copy.path, copy.path.with_suffix(".json")):
        try:
            p.unlink()
        except OSError:
            pass


class Autosaver(QObject):
    """Writes the recovery copy for this process while the document is
    modified: FIRST_DELAY_MS after an edit, never closer than MIN_GAP_MS
    to the previous copy."""

    def __init__(self, document, first_delay_ms: int = FIRST_DELAY_MS,
                 min_gap_ms: int = MIN_GAP_MS, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.first_delay_ms = first_delay_ms
        self.min_gap_ms = min_gap_ms
        self.last_saved: float | None = None  # time.monotonic() of the last copy
        stem = f"session-{os.getpid()}-{int(time.time())}"
        self.path = recovery_dir() / f"{stem}.nbproj"
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.save_now)
        document.editor.stack.indexChanged.connect(self.schedule)
        document.changed.connect(self.schedule)

    def schedule(self, *_args) -> None:
        """An edit happened: plan a copy unless one is planned already."""
        if self.timer.isActive():
            return
        delay = self.first_delay_ms
        if self.last_saved is not None:
            since = (time.monotonic() - self.last_saved) * 1000
            delay = max(delay, int(self.min_gap_ms - since))
        self.timer.start(delay)

    def save_now(self) -> bool:
        if not self.document.is_modified():
            self.remove()
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, dumps(self.document.graph))
            meta = {"pid": os.getpid(), "original": self.document.path,
                    "saved_at": time.time()}
            atomic_write_text(self.path.with_suffix(".json"), json.dumps(meta))
        except OSError:
            return False
        self.last_saved = time.monotonic()
        return True

    def stop(self) -> None:
        """A clean close: no more copies, and none left behind."""
        self.timer.stop()
        for signal in (self.document.editor.stack.indexChanged,
                       self.document.changed):
            try:
                signal.disconnect(self.schedule)
            except (RuntimeError, TypeError):
                pass
        self.remove()

    def remove(self) -> None:
        for p in (self.path, self.path.with_suffix(".json")):
            try:
                p.unlink()
            except OSError:
                pass
