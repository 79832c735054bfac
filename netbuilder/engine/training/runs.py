"""A project's record of training runs and the weights kept with it:
run ids, recording a run (in memory or by a locked read-modify-write of the
project file), and keeping a session's trained weights beside the project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.training.errors import TrainingError


def keep_weights(session: Any, project_path: str | Path) -> dict:
    """Write ``session``'s (a TrainingSession's) trained weights beside the
    project (``<name>.weights.h5``) and return the project's ``weights``
    field, so that building the model later (training on, exporting) starts
    from them. Fingerprints are taken from the graph the session trained: a
    layer edited since then starts from fresh weights. A diverged run (NaN
    or infinite weights) raises and leaves the kept weights as they were."""
    from netbuilder.engine.importing.weights import (
        collect_weights,
        fingerprints,
        save_weights,
    )

    if session.model is None:
        raise TrainingError("nothing has been trained yet")
    path = Path(project_path)
    target = path.with_name(f"{path.stem}.weights.h5")
    weights = collect_weights(session.model, session.graph)
    bad = [key for key, arrays in weights.items()
           if not all(np.isfinite(np.asarray(a)).all() for a in arrays
                      if np.asarray(a).dtype.kind in "fc")]
    if bad or session.diverged:
        where = f" (layer {bad[0]})" if bad else ""
        raise TrainingError(f"the trained weights hold NaN or infinite values{where}: "
                            "the run diverged, so the kept weights were not "
                            "replaced")
    save_weights(weights, target)
    return {"file": target.name, "layers": fingerprints(session.graph)}


def next_run_id(runs: list[dict[str, Any]], taken: tuple[str, ...] = ()) -> str:
    """``run-N`` with N one above the highest number used so far, so a name
    is never given twice in a project (even after a run was removed)."""
    numbers = [0]
    ids = [r.get("id", "") for r in runs if isinstance(r, dict)]
    for run_id in ids + list(taken):
        head, _, tail = str(run_id).rpartition("-")
        if head == "run" and tail.isdigit():
            numbers.append(int(tail))
    return f"run-{max(numbers) + 1}"


def with_run(runs: list[dict[str, Any]], run: dict[str, Any]) -> list[dict[str, Any]]:
    """``runs`` with ``run`` (which has an ``id``) in place of the run of the
    same id (a resumed run continues its record), or appended."""
    out = [dict(r) if isinstance(r, dict) else r for r in runs]
    for i, old in enumerate(out):
        if isinstance(old, dict) and old.get("id") == run["id"]:
            out[i] = run
            return out
    return out + [run]


def record_run(graph: Graph, run: dict[str, Any]) -> str:
    """Append ``run`` to the project's runs; returns its id."""
    return add_run(graph.extra, run)


def add_run(doc: dict[str, Any], run: dict[str, Any]) -> str:
    """Append ``run`` to the ``runs`` of a project document (or a graph's
    ``extra``) under an id no run there has; returns the id."""
    runs = doc.get("runs")
    if not isinstance(runs, list):
        runs = doc["runs"] = []
    run_id = next_run_id(runs)
    runs.append({"id": run_id, **run})
    return run_id


def record_run_in_file(project_path: str | Path, run: dict[str, Any] | None,
                       weights: dict[str, Any] | None = None) -> str | None:
    """Record ``run`` (and the kept ``weights`` field) in the project file
    by a read-modify-write under the folder's lock, so that runs recorded
    at the same time and edits saved meanwhile are all kept. Returns the
    run's id."""
    from netbuilder.engine.model.project import update_project_file

    def change(doc: dict[str, Any]) -> str | None:
        if weights is not None:
            doc["weights"] = weights
        return add_run(doc, run) if run is not None else None

    return update_project_file(project_path, change)

