"""Fuzz the project loader: whatever the bytes, no uncaught exception.

Hostile values are in every strategy: integers beyond float range and
64-bit, lone surrogates in ids, keys and names, absurd port numbers, and
vocabulary parameters naming a FIFO, a device, files outside the project or
a missing file. ``NB_FUZZ_SCALE`` (default 1) multiplies every example count
for a longer campaign outside the suite.
"""

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

from engine_helpers import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.engine.analysis.diagnostics import structural_diagnostics
from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.module import CodegenError, generate_code
from netbuilder.engine.model.project import dumps, loads

SCALE = float(os.environ.get("NB_FUZZ_SCALE", "1"))

# A project folder with hostile neighbours for path-valued parameters.
FOLDER = Path(tempfile.mkdtemp(prefix="nb-fuzz-"))
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)
(FOLDER / "vocab.txt").write_text("a\nb\nc\n", encoding="utf-8")
(FOLDER / "ids.txt").write_text("1\n2\n", encoding="utf-8")
os.mkfifo(FOLDER / "fifo.txt")
os.symlink("/dev/zero", FOLDER / "zero.txt")
(FOLDER / "sub").mkdir()
PROJECT_PATH = str(FOLDER / "fuzz.nbproj")

huge_ints = st.sampled_from([10**400, -(10**400), 2**64, 2**63, -(2**63) - 1,
                             10**308 * 10])
surrogate_text = st.text(st.characters(codec=None, categories=["Cs", "Lu", "Nd"]),
                         max_size=6)
json_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | huge_ints
                | st.floats(allow_nan=False, allow_infinity=False)
                | st.text(max_size=12) | surrogate_text)
paths = st.sampled_from(["vocab.txt", "ids.txt", "fifo.txt", "zero.txt", "sub",
                         "missing.txt", "../vocab.txt", "/dev/zero", "/etc/passwd",
                         "/dev/stdin", "", "\x00"])
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)

node_ids = (st.sampled_from(["n1", "n2", "n3", "n4", "x", "", "\ud800"])
            | st.integers() | huge_ints)
types = st.sampled_from(["Input", "Output", "Dense", "Conv2D", "Add", "LSTM",
                         "Concatenate", "MultiHeadAttention", "Bidirectional",
                         "StringLookup", "IntegerLookup", "TextVectorization",
                         "Dropout", "Nope", ""]) | json_scalars
param_keys = st.sampled_from(["units", "shape", "filters", "kernel_size",
                              "activation", "return_state", "layer", "axis",
                              "kernel_initializer", "kernel_regularizer", "rate",
                              "vocabulary", "output_mode", "dtype", "zzz",
                              "\udfff"])
initializers = st.fixed_dictionaries(
    {"class_name": st.sampled_from(["RandomNormal", "VarianceScaling", "Nope"]),
     "config": st.dictionaries(st.sampled_from(["stddev", "mean", "seed", "scale",
                                                "mode"]), json_scalars,
                               max_size=3)})
param_values = json_values | paths | initializers
nodes = st.fixed_dictionaries(
    {"id": node_ids, "type": types},
    optional={"name": st.text(max_size=10) | json_scalars,
              "params": st.dictionaries(param_keys, param_values, max_size=4)
              | json_values,
              "position": st.lists(json_scalars, max_size=3) | json_values})
ports = (st.integers(-2, 4) | json_scalars
         | st.sampled_from([1023, 1024, 100_000, 2**64]))
edges = st.fixed_dictionaries(
    {}, optional={"from": st.lists(node_ids | ports, max_size=3),
                  "to": st.lists(node_ids | ports, max_size=3)}) | json_values
training = st.fixed_dictionaries(
    {}, optional={"data": st.just("builtin:digits") | json_scalars,
                  "learning_rate": json_scalars, "epochs": json_scalars,
                  "batch_size": json_scalars, "seed": json_scalars})
documents = st.fixed_dictionaries(
    {"format": st.just("netbuilder-project") | json_scalars},
    optional={"schema_version": st.just(1) | json_scalars,
              "name": json_values | st.sampled_from(["_draft", "-x", ".", "\ud800"]),
              "nodes": st.lists(nodes | json_values, max_size=8) | json_values,
              "edges": st.lists(edges, max_size=10) | json_values,
              "training": training | json_values})


def examples(n):
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None,
                    suppress_health_check=list(HealthCheck))


FUZZ = examples(1500)


def check(text, infer=False):
    result = loads(text)
    if result.graph is None:
        assert result.problems and result.problems[0].message
    else:
        for p in result.problems:
            assert p.path.startswith("$") and p.message
        # whatever loaded can be saved (as UTF-8) and loads again
        saved = dumps(result.graph)
        saved.encode("utf-8")
        again = loads(saved)
        assert again.graph is not None
        assert all(len(again.graph.incoming(n)) <= 1024 for n in again.graph.nodes)
        result.graph.path = PROJECT_PATH  # files named are looked up beside it
        for d in structural_diagnostics(result.graph):
            assert d.severity in ("error", "warning") and d.message
        if infer:
            report = analyze(result.graph)
            assert all(d.message for d in report.diagnostics)
            try:
                generate_code(result.graph)
            except CodegenError as exc:
                assert str(exc)


@FUZZ
@given(documents)
def test_structured_documents(document):
    check(json.dumps(document))


@examples(150)
@given(documents)
def test_damaged_documents_survive_shape_inference(document):
    check(json.dumps(document), infer=True)


@examples(600)
@given(st.text(max_size=200) | st.binary(max_size=200).map(
    lambda b: b.decode("latin-1")))
def test_arbitrary_text(text):
    check(text)


EXAMPLE_TEXTS = [p.read_text() for p in EXAMPLES]


def mutate(text, data):
    """A truncation, deletion, replacement or insertion in a real file."""
    op = data.draw(st.sampled_from(["truncate", "delete", "replace", "insert"]))
    i = data.draw(st.integers(0, len(text)))
    if op == "truncate":
        return text[:i]
    if op == "delete":
        j = data.draw(st.integers(i, min(len(text), i + 40)))
        return text[:i] + text[j:]
    if op == "replace":
        return text[:i] + data.draw(st.sampled_from(
            ['"', "{", "]", "-1", "0", "null", "1e999", '"Dense"', '"n1"', "true",
             "[1, 2]", '"same"', "7", "1" + "0" * 400, '"\\ud800"',
             "18446744073709551616", '"/dev/zero"', '"fifo.txt"'])) + text[i + 1:]
    return text[:i] + data.draw(st.text(max_size=5)) + text[i:]


@examples(1000)
@given(st.sampled_from(EXAMPLE_TEXTS), st.data())
def test_mutated_examples(text, data):
    check(mutate(text, data))


@examples(200)
@given(st.sampled_from(EXAMPLE_TEXTS), st.data())
def test_mutated_examples_survive_shape_inference(text, data):
    check(mutate(text, data), infer=True)


@st.composite
def nearly_valid_projects(draw):
    """A working model with one hostile value planted where it reaches shape
    inference and code generation: a vocabulary path, a merge port, a huge
    number, a surrogate in an id or name, an initializer config."""
    middle = draw(st.sampled_from([
        {"type": "StringLookup", "params": {"output_mode": "multi_hot",
                                            "vocabulary": draw(paths)}},
        {"type": "IntegerLookup", "params": {"output_mode": "one_hot",
                                             "vocabulary": draw(paths)}},
        {"type": "Dense", "params": {"units": draw(st.integers(1, 4) | huge_ints),
                                     "kernel_initializer": draw(initializers)}},
        {"type": "Dropout", "params": {"rate": draw(json_scalars)}},
        {"type": "Add", "params": {}}]))
    dtype = "string" if middle["type"] == "StringLookup" else (
        "int64" if middle["type"] == "IntegerLookup" else "float32")
    mid_id = draw(st.sampled_from(["m", "\ud800", "m" * 200]))
    nodes = [{"id": "i", "type": "Input", "name": "x",
              "params": {"shape": [1], "dtype": dtype},
              "position": [draw(json_scalars), 0]},
             {"id": mid_id, "name": draw(st.sampled_from(["mid", "_mid", "\udc00"])),
              **middle},
             {"id": "o", "type": "Output", "name": "out", "params": {}}]
    edges = [{"from": ["i", 0], "to": [mid_id, 0]},
             {"from": [mid_id, 0], "to": ["o", 0]}]
    if middle["type"] == "Add":
        edges.append({"from": ["i", 0], "to": [mid_id, draw(ports)]})
    return {"format": "netbuilder-project", "schema_version": 1,
            "name": draw(st.sampled_from(["m", "_draft", "\ud800"])),
            "nodes": nodes, "edges": edges}


@examples(120)
@given(nearly_valid_projects())
def test_hostile_values_in_working_projects(document):
    check(json.dumps(document), infer=True)
