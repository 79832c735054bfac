"""Training history files: one list per logged quantity (JSON) or one row
per epoch (CSV)."""

from __future__ import annotations

import csv
import json
import os


def write_history(history: dict[str, list[float]], path: str | os.PathLike) -> None:
    """Write ``history`` as JSON (``.json``) or CSV (anything else),
    atomically: a reader never sees half a file."""
    from netbuilder.engine.model.safe_files import atomic_path

    with atomic_path(path) as tmp:
        _write(history, tmp, json_format=str(path).endswith(".json"))


def _write(history: dict[str, list[float]], path, json_format: bool) -> None:
    if json_format:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(history, fh, indent=1)
        return
    keys = list(history)
    epochs = max((len(v) for v in history.values()), default=0)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["epoch", *keys])
        for i in range(epochs):
            writer.writerow([i + 1, *(history[k][i] if i < len(history[k]) else ""
                                      for k in keys)])
