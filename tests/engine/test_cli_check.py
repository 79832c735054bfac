"""The ``layers`` and ``check`` verbs: output contracts and exit statuses."""

import json
import subprocess
import sys

import pytest
from engine_helpers import EXAMPLES

from netbuilder.cli import main

SMALL_CNN = next(p for p in EXAMPLES if p.stem == "small_cnn")


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_layers_json_lists_the_catalog(capsys):
    status, out, _ = run(capsys, "layers", "--json")
    data = json.loads(out)
    assert status == 0
    by_type = {d["type"]: d for d in data}
    assert {"type", "category", "params"} <= set(by_type["Conv2D"])
    assert by_type["Conv2D"]["category"] == "convolution"
    assert any(p["name"] == "filters" for p in by_type["Conv2D"]["params"])
    assert len(data) > 120


def test_layers_text(capsys):
    status, out, _ = run(capsys, "layers")
    assert status == 0 and "convolution" in out and "Conv2D" in out


def test_check_json_contract(capsys):
    status, out, _ = run(capsys, "check", str(SMALL_CNN), "--json")
    data = json.loads(out)
    assert status == 0 and data["ok"] is True and data["problems"] == []
    assert data["nodes"]["n2"] == {"output_shape": [None, 30, 30, 32],
                                   "params": 896, "flops": 777600,
                                   "memory": 115200}


def test_check_multi_output_node_lists_shapes(tmp_path, capsys):
    from netbuilder.engine.model.graph import Graph
    from netbuilder.engine.model.project import save_project

    g = Graph("m")
    i = g.add_node("Input", params={"shape": [5, 3]})
    lstm = g.add_node("LSTM", params={"units": 2, "return_state": True})
    g.connect(i.id, 0, lstm.id, 0)
    for port in range(3):
        o = g.add_node("Output")
        g.connect(lstm.id, port, o.id, 0)
    path = tmp_path / "m.nbproj"
    save_project(g, path)
    status, out, _ = run(capsys, "check", str(path), "--json")
    assert status == 0
    assert json.loads(out)["nodes"][lstm.id]["output_shape"] == [
        [None, 2], [None, 2], [None, 2]]


def test_check_reports_errors_with_exit_1(tmp_path, capsys):
    text = SMALL_CNN.read_text().replace('"name": "flatten"', '"name": "flatten"')
    data = json.loads(text)
    data["edges"] = [e for e in data["edges"] if e["to"][0] != "n4"]  # unplug Flatten
    path = tmp_path / "broken.nbproj"
    path.write_text(json.dumps(data))
    status, out, _ = run(capsys, "check", str(path), "--json")
    result = json.loads(out)
    assert status == 1 and result["ok"] is False
    problem = next(p for p in result["problems"] if p["node"] == "n4")
    assert problem["severity"] == "error" and problem["port"] == 0
    assert "not connected" in problem["message"] and problem["hint"]
    status, out, _ = run(capsys, "check", str(path))
    assert status == 1 and "error" in out and "hint:" in out


def test_check_includes_load_problems(tmp_path, capsys):
    data = json.loads(SMALL_CNN.read_text())
    data["nodes"][1]["params"]["filters"] = "lots"
    path = tmp_path / "bad.nbproj"
    path.write_text(json.dumps(data))
    status, out, _ = run(capsys, "check", str(path), "--json")
    messages = [p["message"] for p in json.loads(out)["problems"]]
    assert status == 1
    assert any("$.nodes[1].params.filters" in m for m in messages)


@pytest.mark.parametrize("content", ["not json at all", '{"format": "other"}', None])
def test_check_unreadable_file_exit_2_one_line(tmp_path, capsys, content):
    path = tmp_path / "x.nbproj"
    if content is not None:
        path.write_text(content)
    status, out, err = run(capsys, "check", str(path))
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("netbuilder check: cannot read")


def test_entry_point_in_a_subprocess():
    proc = subprocess.run([sys.executable, "-m", "netbuilder", "check",
                           str(SMALL_CNN)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "722,006 params" in proc.stdout
    assert proc.stderr.strip() == ""
    helps = subprocess.run([sys.executable, "-m", "netbuilder", "check", "--help"],
                           capture_output=True, text=True, timeout=60)
    assert helps.returncode == 0 and "Exit status 1" in " ".join(helps.stdout.split())
