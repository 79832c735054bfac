"""The import verb, file safety, Python import, weights invalidation, export."""

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from netbuilder.cli import main
from netbuilder.engine.codegen.execute import build
from netbuilder.engine.importing.importer import ImportFailure, import_model
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model.project import load_project


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    keras = load_keras()
    layers = keras.layers
    x = keras.Input((6,), name="x")
    h = layers.Dense(5, activation="relu", name="hidden")(x)
    y = layers.Dense(2, name="head")(h)
    model = keras.Model(x, y, name="small")
    path = tmp_path_factory.mktemp("m") / "small.keras"
    model.save(path)
    return model, path


def test_import_verb_writes_project_and_weights(tmp_path, saved_model, capsys):
    model, path = saved_model
    out = tmp_path / "p.nbproj"
    assert main(["import", str(path), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "imported small: 2 layers, 47 parameters" in text
    assert (tmp_path / "p.weights.h5").is_file()
    doc = json.loads(out.read_text())
    assert doc["weights"]["file"] == "p.weights.h5"
    # export after import: same architecture and weights
    target = tmp_path / "again.keras"
    assert main(["export", str(out), "--format", "keras", "-o", str(target)]) == 0
    again = load_keras().saving.load_model(target)
    xs = np.random.default_rng(1).normal(size=(3, 6)).astype("float32")
    assert np.max(np.abs(np.asarray(again(xs)) - np.asarray(model(xs)))) <= 1e-5


def test_editing_a_layer_invalidates_only_its_weights(tmp_path, saved_model):
    model, path = saved_model
    out = tmp_path / "p.nbproj"
    assert main(["import", str(path), "-o", str(out)]) == 0
    graph = load_project(out).graph
    graph.set_param(graph.node_by_name("head").id, "use_bias", False)
    built = build(graph)
    assert any("fresh weights" in n and "head" in n for n in built.weights_notes)
    assert any("loaded for 1 layers" in n for n in built.weights_notes)
    hidden = built.model.get_layer("hidden").get_weights()
    for a, b in zip(hidden, model.get_layer("hidden").get_weights(), strict=True):
        assert np.array_equal(a, b)


def test_lambda_is_refused_even_when_trusted(tmp_path, capsys):
    keras = load_keras()
    x = keras.Input((3,))
    model = keras.Model(x, keras.layers.Lambda(lambda t: t * 2, name="double")(x))
    path = tmp_path / "lam.keras"
    model.save(path)
    for extra in ([], ["--trust"]):
        assert main(["import", str(path), "-o", str(tmp_path / "p.nbproj")]
                    + extra) == 1
        err = capsys.readouterr().err
        assert "lam.keras: layer 'double' is a Lambda layer" in err
        assert "which NetBuilder does not import, with or without --trust" in err
        assert len(err.strip().splitlines()) == 1
    with pytest.raises(ImportFailure, match="'double' is a Lambda layer"):
        import_model(path, trust=True)
    # the same words in the in-memory path and in --help
    from netbuilder.engine.importing.importer import import_keras_model

    with pytest.raises(ImportFailure,
                       match="double is a Lambda layer holding an anonymous"):
        import_keras_model(model)
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "Lambda layers that call a named top-level function (not an anonymous " \
        "lambda)" in help_text
    assert "Anonymous lambdas are refused, with or without --trust" in help_text


def test_bad_files_fail_in_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    assert main(["import", str(junk), "-o", str(tmp_path / "p.nbproj")]) == 1
    assert "junk.keras" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "none.h5"), "-o",
                 str(tmp_path / "p.nbproj")]) == 2
    assert main(["import", str(junk), "-o", str(tmp_path / "p.txt")]) == 2


PY_MODEL = """
from tensorflow import keras

def build_model():
    x = keras.Input((4,), name="x")
    return keras.Model(x, keras.layers.Dense(3, name="d")(x), name="from_py")

if __name__ == "__main__":
    raise SystemExit("must not run")
"""


def test_python_source_import(tmp_path, capsys):
    src = tmp_path / "net.py"
    src.write_text(PY_MODEL)
    out = tmp_path / "p.nbproj"
    assert main(["import", str(src), "-o", str(out)]) == 2
    assert "--run-python" in capsys.readouterr().err
    assert main(["import", str(src), "-o", str(out), "--run-python"]) == 0
    graph = load_project(out).graph
    assert graph.name == "from_py"
    assert [n.type for n in graph.nodes.values()] == ["Input", "Dense", "Output"]


@pytest.mark.parametrize("source, expected", [
    ("x = 1\ndef f(:\n    pass\n", "bad.py, line 2: SyntaxError"),
    ("import os\n\nraise RuntimeError('boom')\n", "bad.py, line 3: RuntimeError: boom"),
    ("def build_model():\n    return 1 / 0\n", "bad.py, line 2: ZeroDivisionError"),
    ("x = 1\n", "no model found"),
])
def test_python_errors_name_the_line(tmp_path, source, expected):
    src = tmp_path / "bad.py"
    src.write_text(source)
    with pytest.raises(ImportFailure) as info:
        import_model(src, run_python=True)
    assert expected in str(info.value)


def test_python_time_limit(tmp_path):
    src = tmp_path / "slow.py"
    src.write_text("import time\ntime.sleep(60)\n")
    with pytest.raises(ImportFailure, match="did not finish within 2 s"):
        import_model(src, run_python=True, timeout=2)


LAMBDA_MODEL = """
import os
import keras

def mark(x):
    if os.environ.get("NB_PARENT_MARK"):  # set in the importing process only
        open(os.environ["NB_PARENT_MARK"], "w").write("ran")
    return x * 2

def build_model():
    x = keras.Input((3,), name="x")
    return keras.Model(x, keras.layers.Lambda(mark, name="double")(x))
"""


def test_python_model_with_a_lambda_is_read_back_safely(tmp_path, monkeypatch):
    src = tmp_path / "lam.py"
    src.write_text(LAMBDA_MODEL)
    marker = tmp_path / "parent-ran-lambda"
    monkeypatch.setenv("NB_PARENT_MARK", str(marker))
    with pytest.raises(ImportFailure) as info:
        import_model(src, run_python=True)
    assert "lam.py: in the model it builds, layer 'double' is a Lambda calling " \
        "mark(), a function from your own code" in str(info.value)
    assert "--trust" in str(info.value)
    assert not marker.exists()  # the Lambda never ran in this process


def test_python_child_gets_a_minimal_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NB_TEST_SECRET", "hunter2")
    src = tmp_path / "env.py"
    src.write_text(
        "import os\nimport keras\n"
        "x = keras.Input((4,), name='x')\n"
        "secret = os.environ.get('NB_TEST_SECRET', 'none')\n"
        "home = os.path.basename(os.environ['HOME'])\n"
        "model = keras.Model(x, keras.layers.Dense(3)(x), name=f'k_{secret}_{home}')\n")
    result = import_model(src, run_python=True)
    assert result.graph.name == "k_none_home"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_python_time_limit_kills_every_process_it_started(tmp_path):
    src = tmp_path / "spawn.py"
    pidfile = tmp_path / "pid"
    src.write_text(
        "import subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(120)\n")
    with pytest.raises(ImportFailure, match="did not finish within 3 s"):
        import_model(src, run_python=True, timeout=3)
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_processes_left_by_a_finished_python_import_are_stopped(tmp_path):
    src = tmp_path / "leave.py"
    pidfile = tmp_path / "pid"
    src.write_text(PY_MODEL + (
        "\nimport subprocess, sys\n"
        "_p = subprocess.Popen([sys.executable, '-c',\n"
        "                       'import time; time.sleep(120)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(_p.pid))\n"))
    result = import_model(src, run_python=True, timeout=60)
    assert result.graph.name == "from_py"
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)


def test_run_python_help_says_it_is_not_a_sandbox(capsys):
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "NOT a sandbox" in text and "minimal environment" in text
    assert "own process group" in text


def test_engine_import_modules_do_not_load_tensorflow():
    code = textwrap.dedent("""
        import sys
        import netbuilder.engine.importing.importer, netbuilder.engine.model.layout
        import netbuilder.engine.model.groups, netbuilder.cli.import_model
        print(any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"
