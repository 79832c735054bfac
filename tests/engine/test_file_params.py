"""Parameters that name files (lookup vocabularies) are read by NetBuilder:
only a regular file next to the project, with a size cap; never a device, a
FIFO or a file elsewhere, in check, inference, code generation or the app."""

import json
import os
import subprocess
import sys

import pytest

from netbuilder.cli import main
from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.module import CodegenError, generate_code
from netbuilder.engine.model.file_params import MAX_VOCABULARY_BYTES
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import load_project, save_project


def lookup_project(folder, vocabulary, type_name="StringLookup", dtype="string"):
    g = Graph("lookup")
    i = g.add_node("Input", params={"shape": [1], "dtype": dtype})
    lk = g.add_node(type_name, name="lookup",
                    params={"output_mode": "multi_hot", "vocabulary": vocabulary})
    o = g.add_node("Output")
    g.connect(i.id, 0, lk.id, 0)
    g.connect(lk.id, 0, o.id, 0)
    path = folder / "p.nbproj"
    save_project(g, path)
    return path


def check_json(capsys, path):
    status = main(["check", str(path), "--json"])
    out, _ = capsys.readouterr()
    return status, json.loads(out)


def lookup_problems(data):
    return [p["message"] for p in data["problems"] if p["node"] == "n2"]


def test_vocabulary_next_to_the_project_is_read(tmp_path, capsys):
    (tmp_path / "vocab.txt").write_text("cat\ndog\nbird\n", encoding="utf-8")
    path = lookup_project(tmp_path, "vocab.txt")
    status, data = check_json(capsys, path)
    assert status == 0, data["problems"]
    assert data["nodes"]["n2"]["output_shape"] == [None, 4]  # 3 words + OOV
    code = generate_code(load_project(path).graph)
    assert "vocabulary=['cat', 'dog', 'bird']" in code.replace('"', "'")


def test_integer_vocabulary_file(tmp_path, capsys):
    (tmp_path / "ids.txt").write_text("7\n11\n", encoding="utf-8")
    path = lookup_project(tmp_path, "ids.txt", "IntegerLookup", "int64")
    status, data = check_json(capsys, path)
    assert status == 0, data["problems"]
    assert data["nodes"]["n2"]["output_shape"] == [None, 3]


@pytest.mark.parametrize("vocabulary, words", [
    ("/etc/passwd", "outside the project's folder"),
    ("../outside.txt", "outside the project's folder"),
    ("/dev/zero", "outside the project's folder"),
    ("missing.txt", "was not found"),
    ("sub", "not a regular file"),
])
def test_other_files_are_never_read(tmp_path, capsys, vocabulary, words):
    (tmp_path / "outside.txt").write_text("a\nb\n", encoding="utf-8")
    project_dir = tmp_path / "project"
    (project_dir / "sub").mkdir(parents=True)
    path = lookup_project(project_dir, vocabulary)
    status, data = check_json(capsys, path)
    assert status == 1
    messages = lookup_problems(data)
    assert messages and words in messages[0], messages
    assert "n2" not in data["nodes"]  # no width from the file's line count
    with pytest.raises(CodegenError) as err:
        generate_code(load_project(path).graph)
    assert words in str(err.value)


def test_symlink_out_of_the_folder_is_refused(tmp_path, capsys):
    os.symlink("/dev/zero", tmp_path / "vocab.txt")
    status, data = check_json(capsys, lookup_project(tmp_path, "vocab.txt"))
    assert status == 1
    assert "outside the project's folder" in lookup_problems(data)[0]


def test_oversized_vocabulary_is_a_problem(tmp_path, capsys):
    (tmp_path / "big.txt").write_bytes(b"w\n" * (MAX_VOCABULARY_BYTES // 2 + 1))
    status, data = check_json(capsys, lookup_project(tmp_path, "big.txt"))
    assert status == 1
    assert "vocabulary files are read up to 4 MB" in lookup_problems(data)[0]


def test_unsaved_graph_reads_no_vocabulary_file(tmp_path):
    (tmp_path / "vocab.txt").write_text("a\n", encoding="utf-8")
    graph = load_project(lookup_project(tmp_path, "vocab.txt")).graph
    graph.path = None
    report = analyze(graph)
    assert "n2" not in report.info
    assert any("save the project first" in d.message for d in report.diagnostics)


def test_fifo_vocabulary_does_not_hang_check(tmp_path):
    """A FIFO hung check for ever (Keras opened it); it is refused without
    being opened. The subprocess limit only guards against that hang."""
    os.mkfifo(tmp_path / "pipe.txt")
    path = lookup_project(tmp_path, "pipe.txt")
    proc = subprocess.run([sys.executable, "-m", "netbuilder", "check", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "is not a regular file" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_keras_is_never_handed_a_file_name():
    from netbuilder.engine.keras.keras_args import layer_kwargs
    from netbuilder.engine.model.file_params import FileParamError

    with pytest.raises(FileParamError):
        layer_kwargs("StringLookup", {"vocabulary": "/dev/zero"})
    assert layer_kwargs("StringLookup", {"vocabulary": ["a"]}) == {"vocabulary": ["a"]}


def test_data_spec_naming_a_fifo_or_device_is_refused_unopened(tmp_path):
    """Training data named by a project is read only from regular files (and
    folders for images): a FIFO hung the reader. The subprocess limit only
    guards against that hang."""
    os.mkfifo(tmp_path / "data.csv")
    os.symlink("/dev/zero", tmp_path / "zero.npz")
    script = (
        "import sys\n"
        "from netbuilder.engine.training.datasets import DataError, load_data\n"
        "for spec in ('csv:data.csv#target=y', 'npz:zero.npz', 'folder:zero.npz'):\n"
        "    try:\n"
        "        load_data(spec, base_dir=sys.argv[1])\n"
        "    except DataError as exc:\n"
        "        print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "'data.csv' is not a regular file: devices, pipes and sockets are never "
        "read as data",
        "'zero.npz' is not a regular file: devices, pipes and sockets are never "
        "read as data",
        "'zero.npz' is not a folder: devices, pipes and sockets are never read "
        "as data"]


@pytest.mark.parametrize("path, ok", [("best.keras", True), ("ckpt/best.keras", True),
                                      ("/tmp/best.keras", False),
                                      ("../best.keras", False),
                                      ("~/best.keras", False)])
def test_paths_a_project_writes_stay_in_its_folder(path, ok):
    from netbuilder.engine.model.training_config import (
        TrainingConfig,
        TrainingConfigError,
    )

    for extra in ({"callbacks": {"checkpoint": {"path": path}}},
                  {"export": {"format": "keras", "path": path}}):
        data = {"data": "builtin:digits", **extra}
        if ok:
            assert TrainingConfig.from_dict(data).problems() == []
            continue
        with pytest.raises(TrainingConfigError, match="inside the project's folder"):
            TrainingConfig.from_dict(data)
