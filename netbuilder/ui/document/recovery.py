"""Crash recovery: while the document is modified, a copy is written every
30 seconds to the recovery folder; a clean close removes it. At start-up,
copies left by a process that is no longer running are offered back."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from netbuilder.engine.model.project import atomic_write_text, dumps, loads
from netbuilder.ui.settings import recovery_dir

INTERVAL_MS = 30_000


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


def load_copy(copy: RecoveryCopy):
    return loads(copy.path.read_text("utf-8"))


def discard_copy(copy: RecoveryCopy) -> None:
    for p in (copy.path, copy.path.with_suffix(".json")):
        try:
            p.unlink()
        except OSError:
            pass


class Autosaver(QObject):
    """Writes the recovery copy for this process while the document is dirty."""

    def __init__(self, document, interval_ms: int = INTERVAL_MS, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        stem = f"session-{os.getpid()}-{int(time.time())}"
        self.path = recovery_dir() / f"{stem}.nbproj"
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

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
        return True

    def remove(self) -> None:
        for p in (self.path, self.path.with_suffix(".json")):
            try:
                p.unlink()
            except OSError:
                pass
