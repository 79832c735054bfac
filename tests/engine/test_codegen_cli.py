"""The ``codegen`` and ``export`` verbs: output, exit statuses, artifacts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from engine_helpers import EXAMPLES

from netbuilder.cli import main
from netbuilder.engine.codegen.module import generate_code
from netbuilder.engine.model.project import load_project

SMALL_CNN = next(p for p in EXAMPLES if p.stem == "small_cnn")
TWO_IO = next(p for p in EXAMPLES if p.stem == "two_inputs_two_outputs")


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_codegen_to_stdout_is_the_generated_module(capsys):
    status, out, err = run(capsys, "codegen", SMALL_CNN)
    assert status == 0 and err == ""
    assert out == generate_code(load_project(SMALL_CNN).graph)


def test_codegen_to_file_with_flavor(tmp_path, capsys):
    target = tmp_path / "model.py"
    status, out, _ = run(capsys, "codegen", SMALL_CNN, "-o", target,
                         "--flavor", "keras")
    assert status == 0 and out == f"wrote {target}\n"
    assert target.read_text() == generate_code(load_project(SMALL_CNN).graph,
                                               "keras")


def test_export_python_is_codegen(tmp_path, capsys):
    target = tmp_path / "model.py"
    status, _, _ = run(capsys, "export", SMALL_CNN, "--format", "python",
                       "-o", target)
    assert status == 0
    assert target.read_text() == generate_code(load_project(SMALL_CNN).graph)


def broken_project(tmp_path):
    doc = json.loads(SMALL_CNN.read_text())
    doc["edges"] = [e for e in doc["edges"] if e["to"][0] != "n5"]
    path = tmp_path / "broken.nbproj"
    path.write_text(json.dumps(doc))
    return path


def test_graph_errors_exit_1_with_diagnostics(tmp_path, capsys):
    target = tmp_path / "model.py"
    status, out, err = run(capsys, "codegen", broken_project(tmp_path),
                           "-o", target)
    assert status == 1 and out == ""
    lines = err.strip().splitlines()
    assert any(line.startswith("error [hidden]:") for line in lines)
    assert lines[-1].startswith("netbuilder codegen: the graph has")
    assert "Traceback" not in err and not target.exists()


def test_damaged_file_exits_1_without_code(tmp_path, capsys):
    doc = json.loads(SMALL_CNN.read_text())
    doc["nodes"][1]["params"]["filters"] = "__import__('os')"
    path = tmp_path / "damaged.nbproj"
    path.write_text(json.dumps(doc))
    status, out, err = run(capsys, "codegen", path)
    assert status == 1 and out == ""
    assert "$.nodes[1].params.filters" in err and "__import__" not in out


@pytest.mark.parametrize("content", [None, "not json", '{"format": "other"}'])
def test_unreadable_file_exit_2_one_line(tmp_path, capsys, content):
    path = tmp_path / "x.nbproj"
    if content is not None:
        path.write_text(content)
    for verb in (["codegen", path], ["export", path, "--format", "python",
                                     "-o", tmp_path / "m.py"]):
        status, out, err = run(capsys, *verb)
        assert status == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_keras_export_needs_keras_suffix(tmp_path, capsys):
    status, _, err = run(capsys, "export", SMALL_CNN, "--format", "keras",
                         "-o", tmp_path / "model.h5x")
    assert status == 2 and ".keras" in err


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["savedmodel", "keras", "tflite"])
def test_exported_artifacts_reload_with_the_same_outputs(tmp_path, capsys, fmt):
    import keras
    import tensorflow as tf

    from netbuilder.engine.codegen.execute import build_model
    from netbuilder.engine.keras.export import write as export_model

    graph = load_project(TWO_IO).graph
    model = build_model(graph)
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(3, 28, 28, 1)).astype("float32"),
         rng.normal(size=(3, 8)).astype("float32")]
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / {"savedmodel": "saved", "keras": "m.keras",
                           "tflite": "m.tflite"}[fmt])
    export_model(model, fmt, path)
    if fmt == "savedmodel":
        loaded = tf.saved_model.load(path)  # keep it alive while serving
        served = loaded.serve(x)
        got = list(served) if isinstance(served, (list, tuple)) else [served]
        got = [np.asarray(g) for g in got]
    elif fmt == "keras":
        got = keras.saving.load_model(path, safe_mode=True).predict(x, verbose=0)
    else:
        runner = tf.lite.Interpreter(model_path=path).get_signature_runner()
        names = runner.get_input_details()
        feed = {name: x[0] if len(details["shape"]) == 4 else x[1]
                for name, details in names.items()}
        result = runner(**feed)
        # Match outputs by shape: (3, 5) is the class, (3, 1) the score.
        got = sorted(result.values(), key=lambda a: -a.shape[-1])
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_export_cli_builds_and_writes_each_format(tmp_path, capsys):
    for fmt, name in (("savedmodel", "saved"), ("keras", "m.keras"),
                      ("tflite", "m.tflite")):
        target = tmp_path / name
        status, out, err = run(capsys, "export", SMALL_CNN, "--format", fmt,
                               "-o", target)
        assert status == 0, err
        assert out.startswith(f"exported {fmt} to {target} (verified")
        assert target.exists()
