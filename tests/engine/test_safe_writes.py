"""Saving side effects: file modes, temp files of killed saves, atomic
weights and history files, and read-modify-write under the folder lock."""

import json
import multiprocessing
import os
import stat

import numpy as np
import pytest
from engine_helpers import chain

from netbuilder.engine.importing.weights import read_weights, save_weights
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import (
    load_project,
    save_project,
    update_project_file,
)
from netbuilder.engine.model.safe_files import atomic_path, remove_stale_temps
from netbuilder.engine.training.history import write_history
from netbuilder.engine.training.session import record_run_in_file


def small_graph(name="tiny"):
    g = Graph(name)
    chain(g, [("Input", {"shape": [4]}), ("Dense", {"units": 2}), ("Output", {})])
    return g


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_project_respects_the_umask_and_an_existing_mode_is_kept(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "a.nbproj"
        save_project(small_graph(), path)
        assert mode(path) == 0o644
        os.umask(0o077)
        other = tmp_path / "b.nbproj"
        save_project(small_graph(), other)
        assert mode(other) == 0o600
        os.chmod(path, 0o640)
        save_project(small_graph(), path)
        assert mode(path) == 0o640
    finally:
        os.umask(old)


def test_temps_of_killed_saves_go_on_the_next_save_and_open(tmp_path):
    path = tmp_path / "p.nbproj"
    save_project(small_graph(), path)
    stale = [tmp_path / f".p.nbproj.dead{i}.tmp" for i in range(3)]
    for s in stale:
        s.write_bytes(b"x" * 1000)
    unrelated = tmp_path / ".other.nbproj.dead.tmp"
    unrelated.write_text("not ours to remove")
    save_project(small_graph(), path)
    assert not any(s.exists() for s in stale)
    assert unrelated.exists()
    stale[0].write_text("x")
    weights_temp = tmp_path / ".p.weights.h5.dead.tmp"
    weights_temp.write_text("x")
    assert load_project(path).ok
    assert not stale[0].exists() and not weights_temp.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.nbproj.dead.tmp", "p.nbproj"]


def test_a_temp_still_being_written_is_not_removed(tmp_path):
    path = tmp_path / "p.nbproj"
    with atomic_path(path) as tmp:
        tmp.write_bytes(b"half")
        assert remove_stale_temps(path) == []
        ctx = multiprocessing.get_context("spawn")
        other = ctx.Process(target=remove_stale_temps, args=(str(path),))
        other.start()
        other.join(60)
        assert other.exitcode == 0
        assert tmp.exists()
    assert path.read_text() == "half"


def test_weights_write_failure_leaves_old_weights_and_no_temp(tmp_path):
    path = tmp_path / "m.weights.h5"
    save_weights({"dense": [np.ones((2, 2), "float32")]}, path)
    with pytest.raises(TypeError):
        save_weights({"dense": [np.array([object()], dtype=object)]}, path)
    assert os.listdir(tmp_path) == ["m.weights.h5"]
    assert read_weights(path)["dense"][0].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_history_written_atomically(tmp_path):
    path = tmp_path / "h.json"
    write_history({"loss": [1.0, 0.5]}, path)
    with pytest.raises(TypeError):
        write_history({"loss": [object()]}, path)
    assert json.loads(path.read_text()) == {"loss": [1.0, 0.5]}
    assert os.listdir(tmp_path) == ["h.json"]
    csv_path = tmp_path / "h.csv"
    write_history({"loss": [1.0, 0.5]}, csv_path)
    assert csv_path.read_text().splitlines() == ["epoch,loss", "1,1.0", "2,0.5"]


def _record_many(path, worker, count):
    for i in range(count):
        record_run_in_file(path, {"worker": worker, "i": i})


def test_concurrent_writers_keep_every_run(tmp_path):
    path = tmp_path / "p.nbproj"
    save_project(small_graph(), path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_record_many, args=(str(path), w, 5))
             for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    runs = load_project(path).graph.extra["runs"]
    assert len(runs) == 20
    assert len({r["id"] for r in runs}) == 20
    assert sorted((r["worker"], r["i"]) for r in runs) == [
        (w, i) for w in range(4) for i in range(5)]


def test_update_keeps_what_was_saved_meanwhile(tmp_path):
    path = tmp_path / "p.nbproj"
    save_project(small_graph(), path)
    edited = load_project(path).graph
    dense = next(n for n in edited.nodes.values() if n.type == "Dense")
    dense.params["units"] = 7
    save_project(edited, path)  # the user's edit, saved while a run trains
    run_id = record_run_in_file(path, {"epochs": 1}, {"file": "w.h5", "layers": {}})
    assert run_id == "run-1"
    graph = load_project(path).graph
    assert next(n for n in graph.nodes.values()
                if n.type == "Dense").params["units"] == 7
    assert graph.extra["weights"]["file"] == "w.h5"
    assert update_project_file(path, lambda doc: len(doc["runs"])) == 1


def test_a_folder_that_cannot_be_locked_still_saves(tmp_path, monkeypatch):
    import fcntl

    def no_locks(fd, op):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    path = tmp_path / "p.nbproj"
    save_project(small_graph(), path)
    assert record_run_in_file(path, {"epochs": 1}) == "run-1"
    assert load_project(path).graph.extra["runs"][0]["epochs"] == 1
