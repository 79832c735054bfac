"""Project files: round trip, atomic save, every kind of damage reported."""

import json
import os

import pytest
from engine_helpers import EXAMPLES

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import (
    dumps,
    graph_to_dict,
    load_project,
    loads,
    save_project,
)


def doc(nodes, edges=(), **extra):
    d = {"format": "netbuilder-project", "schema_version": 1, "name": "t",
         "nodes": list(nodes), "edges": list(edges)}
    d.update(extra)
    return json.dumps(d)


INPUT = {"id": "n1", "type": "Input", "name": "x", "params": {"shape": [4]},
         "position": [0, 0]}
DENSE = {"id": "n2", "type": "Dense", "name": "d", "params": {"units": 3},
         "position": [200, 0]}
OUTPUT = {"id": "n3", "type": "Output", "name": "y", "params": {},
          "position": [400, 0]}
E12 = {"from": ["n1", 0], "to": ["n2", 0]}
E23 = {"from": ["n2", 0], "to": ["n3", 0]}


def paths(result):
    return [p.path for p in result.problems]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_exactly(path):
    result = load_project(path)
    assert result.graph is not None and result.problems == []
    assert dumps(result.graph) == path.read_text(encoding="utf-8")


def test_design_contract_example_loads():
    text = doc([
        {"id": "n1", "type": "Input", "name": "image",
         "params": {"shape": [28, 28, 1]}, "position": [0, 0]},
        {"id": "n2", "type": "Conv2D", "name": "conv1",
         "params": {"filters": 32, "kernel_size": [3, 3], "activation": "relu"},
         "position": [220, 0]},
        {"id": "n3", "type": "Output", "name": "logits", "params": {},
         "position": [440, 0]}],
        [{"from": ["n1", 0], "to": ["n2", 0]}, {"from": ["n2", 0], "to": ["n3", 0]}])
    result = loads(text)
    assert result.problems == []
    g = result.graph
    assert [n.name for n in g.nodes.values()] == ["image", "conv1", "logits"]
    assert g.nodes["n2"].params["kernel_size"] == [3, 3]


def test_extra_fields_survive_a_round_trip():
    result = loads(doc([INPUT], training={"epochs": 3}, author="me"))
    text = dumps(result.graph)
    data = json.loads(text)
    assert data["training"] == {"epochs": 3} and data["author"] == "me"


def test_save_is_atomic_when_the_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.nbproj"
    g = loads(doc([INPUT, DENSE, OUTPUT], [E12, E23])).graph
    save_project(g, path)
    before = path.read_text()
    g.rename("n2", "changed")

    def crash(*args, **kwargs):
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        save_project(g, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.nbproj"]


def test_save_then_load_equals(tmp_path):
    g = Graph("m")
    i = g.add_node("Input", params={"shape": [None, 8]}, position=(1.5, -2))
    d = g.add_node("LSTM", params={"units": 4, "return_state": True})
    g.connect(i.id, 0, d.id, 0)
    path = tmp_path / "m.nbproj"
    save_project(g, path)
    again = load_project(path).graph
    assert graph_to_dict(again) == graph_to_dict(g)


@pytest.mark.parametrize("text, reason", [
    ("", "not valid JSON"),
    ('{"format": "netbuilder-project", "nodes": [', "not valid JSON"),
    ("[1, 2]", "must hold a JSON object"),
    ('{"format": "something-else"}', "not a NetBuilder project"),
    ('{"nodes": []}', "not a NetBuilder project"),
    ('{"format": "netbuilder-project", "schema_version": 99}', "newer NetBuilder"),
    ('{"format": "netbuilder-project", "schema_version": "1"}', "schema_version"),
    ('{"format": "netbuilder-project", "schema_version": 1, "x": NaN}',
     "NaN is not allowed"),
    ("[" * 100000, "not valid JSON"),
])
def test_not_a_project_is_refused_with_a_reason(text, reason):
    result = loads(text)
    assert result.graph is None
    assert reason in result.fatal_reason


def test_unreadable_and_non_utf8_files(tmp_path):
    assert "No such file" in load_project(tmp_path / "missing.nbproj").fatal_reason
    bad = tmp_path / "bad.nbproj"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in load_project(bad).fatal_reason


def test_each_kind_of_damage_is_a_problem_with_its_json_path():
    nodes = [
        INPUT,
        {"id": "n2", "type": "Dense", "name": "d", "params": {"units": "ten",
                                                              "bogus": 1},
         "position": [0, 0]},
        {"id": "n2", "type": "Dense", "name": "dup_id", "params": {"units": 1}},
        {"id": "n4", "type": "NoSuchLayer", "name": "mystery", "params": {}},
        {"id": "n5", "type": "Dense", "name": "d", "params": {"units": 1}},
        {"id": "n6", "type": "Dense", "name": "bad name/slash",
         "params": {"units": 1}, "position": "here"},
        "not an object",
        {"type": "Dense"},
        {"id": "n9", "type": "Add", "name": "add"},
        {"id": "n10", "type": "Dense", "name": "loop", "params": {"units": 1},
         "position": [1, 2]},
        OUTPUT,
    ]
    edges = [
        E12,
        {"from": ["n1", 0], "to": ["missing", 0]},
        {"from": ["n1", 0], "to": ["n2", 0]},
        {"from": ["n1"], "to": ["n2", 0]},
        {"from": ["n5", 0], "to": ["n10", 0]},
        {"from": ["n10", 0], "to": ["n9", 0]},
        {"from": ["n9", 0], "to": ["n5", 0]},  # closes a cycle
        {"from": ["n2", 7], "to": ["n3", 0]},
        {"from": ["n1", 0], "to": ["n9", 1]},
    ]
    result = loads(doc(nodes, edges))
    g = result.graph
    assert g is not None
    found = paths(result)
    assert "$.nodes[1].params.units" in found
    assert "$.nodes[1].params.bogus" in found
    assert "$.nodes[2].id" in found          # duplicate id
    assert "$.nodes[3].type" in found        # unknown type, kept
    assert "$.nodes[4].name" in found        # duplicate name, renamed
    assert "$.nodes[5].name" in found        # invalid name, renamed
    assert "$.nodes[5].position" in found
    assert "$.nodes[6]" in found and "$.nodes[7].id" in found
    assert "$.edges[1]" in found             # dangling
    assert "$.edges[2]" in found             # duplicate edge / occupied port
    assert "$.edges[3]" in found             # malformed
    assert "$.edges[6]" in found             # cycle
    assert "$.edges[7]" in found             # port out of range
    assert "$.edges[8]" not in found
    assert g.nodes["n4"].type == "NoSuchLayer"
    assert g.nodes["n2"].params["units"] == "ten"  # kept for the user to fix
    names = [n.name for n in g.nodes.values()]
    assert len(names) == len(set(names))
    messages = " ".join(p.message for p in result.problems)
    assert "cycle" in messages and "does not exist" in messages


def test_migration_hook_runs_for_older_versions(monkeypatch):
    from netbuilder.engine.model import project

    monkeypatch.setattr(project, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(project.MIGRATIONS, 1,
                        lambda d: {**d, "name": d["name"] + "_migrated"})
    result = project.loads(doc([INPUT]))
    assert result.graph.name == "t_migrated"
