"""Operations that return several tensors (split, unstack, top_k, moments,
svd, meshgrid): one node with one output port per result, in the catalog,
the shapes, the code and the fidelity of imported models."""

from __future__ import annotations

import numpy as np
import pytest
from ops_fidelity import check_roundtrip

from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.execute import build
from netbuilder.engine.codegen.module import generate_code
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model import ops
from netbuilder.engine.model.catalog import get_catalog
from netbuilder.engine.model.graph import Graph


@pytest.fixture(scope="module")
def keras():
    return load_keras()


def test_the_catalog_knows_how_many_results_each_operation_returns():
    cat = get_catalog()
    assert cat.get("ops.top_k").results == 2
    assert cat.get("ops.svd").results == 3
    assert cat.get("ops.add").results == 1
    split = cat.get("ops.split")
    assert ops.result_count(split, {"indices_or_sections": 3}) == 3
    assert ops.result_count(split, {"indices_or_sections": [2, 5]}) == 3
    unstack = cat.get("ops.unstack")
    assert ops.result_count(unstack, {"num": 4}) == 4
    assert ops.result_count(unstack, {}) == 1  # unknown until num is set
    svd = cat.get("ops.svd")
    assert ops.result_count(svd, {"compute_uv": False}) == 1
    assert ops.result_count(cat.get("ops.meshgrid"), {}, wired=3) == 3


def split_graph(sections=3):
    g = Graph()
    x = g.add_node("Input", name="x", params={"shape": [4, 6]})
    s = g.add_node("ops.split", name="parts",
                   params={"indices_or_sections": sections, "axis": -1})
    g.connect(x.id, 0, s.id, 0)
    heads = []
    for k in range(sections):
        d = g.add_node("Dense", name=f"head_{k}", params={"units": 2})
        g.connect(s.id, k, d.id, 0)
        heads.append(d)
    cat = g.add_node("Concatenate", name="joined")
    for k, d in enumerate(heads):
        g.connect(d.id, 0, cat.id, k)
    out = g.add_node("Output", name="out")
    g.connect(cat.id, 0, out.id, 0)
    return g, s


def test_a_split_node_has_one_port_per_part_with_its_shape_and_code():
    g, s = split_graph(3)
    assert g.output_count(s.id) == 3
    report = analyze(g)
    assert not report.has_errors, [d.message for d in report.diagnostics]
    assert report.info[s.id].output_shapes == [(None, 4, 2)] * 3
    text = generate_code(g)
    assert "parts, parts_1, parts_2 = keras.ops.split(" in text
    model = build(g).model
    xs = np.arange(48, dtype="float32").reshape(2, 4, 6)
    want = np.concatenate([
        xs[..., 2 * k:2 * k + 2] @ model.get_layer(f"head_{k}").get_weights()[0]
        + model.get_layer(f"head_{k}").get_weights()[1] for k in range(3)], axis=-1)
    np.testing.assert_allclose(np.asarray(model(xs)), want, rtol=1e-5)


def test_changing_the_sections_changes_the_ports_and_a_bad_count_is_named():
    g, s = split_graph(2)
    g.set_param(s.id, "indices_or_sections", 4)
    assert g.output_count(s.id) == 4
    u = Graph()
    x = u.add_node("Input", name="x", params={"shape": [3, 5]})
    n = u.add_node("ops.nonzero", name="where")  # one result per axis: 3
    u.connect(x.id, 0, n.id, 0)
    o = u.add_node("Output", name="out")
    u.connect(n.id, 0, o.id, 0)
    report = analyze(u)
    messages = [d.message for d in report.diagnostics]
    assert any("returns 3 tensors here but the node has 2" in m
               for m in messages), messages


def test_one_part_still_unpacks_as_a_list():
    g = Graph()
    x = g.add_node("Input", name="x", params={"shape": [4, 6]})
    s = g.add_node("ops.split", name="parts",
                   params={"indices_or_sections": 1, "axis": -1})
    out = g.add_node("Output", name="out")
    g.connect(x.id, 0, s.id, 0)
    g.connect(s.id, 0, out.id, 0)
    assert "(parts,) = keras.ops.split(" in generate_code(g)
    assert tuple(build(g).model.output.shape) == (None, 4, 6)


def _multi_result_model(keras):
    x = keras.Input((6, 8), name="x")
    a, b = keras.ops.split(x, [3], axis=-1)
    h = keras.layers.Dense(4, name="left")(a)
    rows = keras.ops.unstack(b, num=6, axis=1)
    mean, var = keras.ops.moments(h, axes=[1])
    values, _ = keras.ops.top_k(rows[0], k=2)
    features = keras.layers.Concatenate(name="features")(
        [mean, var, values, rows[5][:, :2]])
    logits = keras.layers.Dense(3, name="logits")(features)
    return keras.Model(x, keras.layers.Softmax(name="probs")(logits))


def test_models_with_several_results_roundtrip(keras, tmp_path):
    model = _multi_result_model(keras)
    path = tmp_path / "multi.keras"
    model.save(path)
    graph, diff = check_roundtrip(model, path, features=("logits", "features"))
    by_type = {n.type: n for n in graph.nodes.values()}
    assert graph.output_count(by_type["ops.unstack"].id) == 6
    assert graph.output_count(by_type["ops.split"].id) == 2
    assert graph.output_count(by_type["ops.top_k"].id) == 2
    assert diff <= 1e-5


def test_unstack_without_num_gets_the_count_keras_found(keras, tmp_path):
    from ops_fidelity import import_file, max_difference, run, sample

    x = keras.Input((3, 4), name="x")
    rows = keras.ops.unstack(x, axis=1)
    model = keras.Model(x, keras.layers.Add(name="sum")(rows))
    model.save(tmp_path / "unstack.keras")
    graph, _ = import_file(tmp_path / "unstack.keras")
    node = next(n for n in graph.nodes.values() if n.type == "ops.unstack")
    assert node.params["num"] == 3 and graph.output_count(node.id) == 3
    rebuilt = build(graph).model
    xs = sample(model)
    assert max_difference(run(model, xs), run(rebuilt, xs)) <= 1e-6


def test_an_h5_file_with_operations_says_to_save_as_keras(keras, tmp_path):
    from netbuilder.engine.importing.importer import ImportFailure, import_model

    x = keras.Input((6,), name="x")
    a, b = keras.ops.split(x, 2, axis=-1)
    model = keras.Model(x, keras.layers.Add()([a, b]))
    model.save(tmp_path / "split.h5")
    with pytest.raises(ImportFailure, match=r"split.h5: .*operation Split.*\.h5.*"
                                            r"save the model as \.keras"):
        import_model(tmp_path / "split.h5")


def test_result_ports_are_named_results_not_states():
    from netbuilder.engine.model import ports

    cat = get_catalog()
    assert ports.output_name(1, 3, cat.get("ops.split")) == "result_1"
    assert ports.output_name(1, 3, cat.get("LSTM")) == "state_0"
