"""Fuzz the project loader: whatever the bytes, no uncaught exception."""

import json

from engine_helpers import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.engine.analysis.diagnostics import structural_diagnostics
from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.model.project import dumps, loads

json_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
                | st.floats(allow_nan=False, allow_infinity=False)
                | st.text(max_size=12))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)

node_ids = st.sampled_from(["n1", "n2", "n3", "n4", "x", ""]) | st.integers()
types = st.sampled_from(["Input", "Output", "Dense", "Conv2D", "Add", "LSTM",
                         "Concatenate", "MultiHeadAttention", "Bidirectional",
                         "Nope", ""]) | json_scalars
param_keys = st.sampled_from(["units", "shape", "filters", "kernel_size",
                              "activation", "return_state", "layer", "axis",
                              "kernel_initializer", "kernel_regularizer", "zzz"])
nodes = st.fixed_dictionaries(
    {"id": node_ids, "type": types},
    optional={"name": st.text(max_size=10) | json_scalars,
              "params": st.dictionaries(param_keys, json_values, max_size=4)
              | json_values,
              "position": st.lists(json_scalars, max_size=3) | json_values})
ports = st.integers(-2, 4) | json_scalars
edges = st.fixed_dictionaries(
    {}, optional={"from": st.lists(node_ids | ports, max_size=3),
                  "to": st.lists(node_ids | ports, max_size=3)}) | json_values
documents = st.fixed_dictionaries(
    {"format": st.just("netbuilder-project") | json_scalars},
    optional={"schema_version": st.just(1) | json_scalars,
              "name": json_values,
              "nodes": st.lists(nodes | json_values, max_size=8) | json_values,
              "edges": st.lists(edges, max_size=10) | json_values})

FUZZ = settings(max_examples=1500, deadline=None,
                suppress_health_check=list(HealthCheck))


def check(text, infer=False):
    result = loads(text)
    if result.graph is None:
        assert result.problems and result.problems[0].message
    else:
        for p in result.problems:
            assert p.path.startswith("$") and p.message
        # whatever loaded can be saved and loads again without new damage
        again = loads(dumps(result.graph))
        assert again.graph is not None
        for d in structural_diagnostics(result.graph):
            assert d.severity in ("error", "warning") and d.message
        if infer:
            report = analyze(result.graph)
            assert all(d.message for d in report.diagnostics)


@FUZZ
@given(documents)
def test_structured_documents(document):
    check(json.dumps(document))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(documents)
def test_damaged_documents_survive_shape_inference(document):
    check(json.dumps(document), infer=True)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
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
             "[1, 2]", '"same"', "7"])) + text[i + 1:]
    return text[:i] + data.draw(st.text(max_size=5)) + text[i:]


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(EXAMPLE_TEXTS), st.data())
def test_mutated_examples(text, data):
    check(mutate(text, data))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(EXAMPLE_TEXTS), st.data())
def test_mutated_examples_survive_shape_inference(text, data):
    check(mutate(text, data), infer=True)
