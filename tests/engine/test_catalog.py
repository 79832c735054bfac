"""The catalog covers keras.layers completely and every layer infers."""

import pytest

from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.keras.catalog_build import (
    EXCLUDED,
    application_layer_classes,
    build_catalog,
    parse_arg_docs,
    public_layer_classes,
)
from netbuilder.engine.model import ports
from netbuilder.engine.model.catalog import compare_catalogs, get_catalog
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.ops import is_op
from netbuilder.engine.model.params import default_params


@pytest.fixture(scope="module")
def fresh():
    return build_catalog()


def test_every_public_keras_layer_is_in_the_catalog_or_excluded_with_reason():
    catalog = get_catalog()
    public = public_layer_classes()
    missing = [t for t in public if t not in EXCLUDED and catalog.get(t) is None]
    assert missing == [], f"Keras layers missing from the catalog: {missing}"
    for _name, reason in EXCLUDED.items():
        assert reason and len(reason) > 10
    # aliases fold into their class
    assert catalog.get("Convolution2D").type == "Conv2D"
    assert catalog.get("MaxPool2D").type == "MaxPooling2D"
    assert "Convolution2D" not in catalog.layer_types()
    public.update(application_layer_classes())
    stale = [t for t in catalog.layer_types() if t not in public and not is_op(t)]
    assert stale == [], f"catalog lists layers Keras no longer has: {stale}"


def test_shipped_snapshot_matches_installed_keras(fresh):
    diffs = compare_catalogs(get_catalog(), fresh)
    assert diffs == [], ("the catalog snapshot is stale; regenerate it with "
                         "`python -m netbuilder.engine.keras.catalog_build`: "
                         + "; ".join(diffs))


def test_categories_and_param_kinds():
    catalog = get_catalog()
    assert catalog.get("Conv2D").category == "convolution"
    assert catalog.get("LSTM").category == "recurrent"
    assert catalog.get("Add").category == "merging"
    assert catalog.get("MultiHeadAttention").category == "attention"
    assert catalog.get("Dropout").category == "regularization"
    conv = catalog.get("Conv2D")
    assert conv.param("filters").kind == "int" and conv.param("filters").required
    assert conv.param("kernel_size").kind == "int_tuple"
    assert conv.param("kernel_size").length == 2
    assert conv.param("padding").kind == "choice"
    assert set(conv.param("padding").choices) >= {"valid", "same"}
    assert conv.param("activation").kind == "activation"
    assert conv.param("kernel_initializer").kind == "initializer"
    assert conv.param("kernel_initializer").default == "glorot_uniform"
    assert conv.param("kernel_regularizer").kind == "regularizer"
    assert conv.param("bias_constraint").kind == "constraint"
    assert conv.param("use_bias").kind == "bool"
    assert catalog.get("Bidirectional").param("layer").kind == "layer"
    assert catalog.get("Dense").doc.startswith("Just your regular")
    assert "relu" in catalog.objects["activation"]["names"]
    assert "L2" in catalog.objects["regularizer"]["classes"]


def test_ports():
    catalog = get_catalog()
    assert catalog.get("Add").variadic and catalog.get("Add").min_inputs == 2
    assert ports.input_count(catalog.get("Concatenate"), connected=3) == 4
    assert catalog.get("Subtract").inputs == ["x1", "x2"]
    mha = catalog.get("MultiHeadAttention")
    assert mha.inputs[:3] == ["query", "value", "key"] and mha.min_inputs == 2
    assert mha.inputs[3:] == ["query_mask", "value_mask", "key_mask",
                              "attention_mask"] and mha.keyword_from == 3
    assert mha.call_style == "kwargs"
    assert catalog.get("Attention").call_style == "list"
    lstm = catalog.get("LSTM")
    assert ports.output_count(lstm, {}, catalog) == 1
    assert ports.output_count(lstm, {"return_state": True}, catalog) == 3
    assert ports.output_count(catalog.get("GRU"), {"return_state": True}, catalog) == 2
    rnn = catalog.get("RNN")
    assert ports.output_count(rnn, {"return_state": True,
                             "cell": {"type": "LSTMCell", "params": {}}}, catalog) == 3
    assert ports.output_count(rnn, {"return_state": True,
                             "cell": {"type": "GRUCell", "params": {}}}, catalog) == 2
    bi = catalog.get("Bidirectional")
    # return_state is the wrapped layer's (Bidirectional has no such argument)
    assert bi.param("return_state") is None
    assert ports.output_count(bi, {"layer": {"type": "LSTM", "params": {
        "return_state": True}}}, catalog) == 5
    assert ports.output_count(bi, {"layer": {"type": "GRU", "params": {
        "return_state": True}}}, catalog) == 3
    assert ports.output_count(bi, {"layer": {"type": "GRU", "params": {}}},
                              catalog) == 1


def test_docstring_args_parser():
    doc = """Layer.

    Args:
        units: Positive integer, dimensionality
            of the output space.
        activation: Activation function.

    Input shape:
        N-D tensor.
    """
    args = parse_arg_docs(doc)
    assert args == {"units": "Positive integer, dimensionality of the output space.",
                    "activation": "Activation function."}


# Per-sample input shapes to try, in order, when checking that every layer
# infers; most layers accept the first that fits their rank and dtype.
CANDIDATE_INPUTS = [
    ([16, 16, 3], "float32"), ([8, 4], "float32"), ([8], "float32"),
    ([4, 8, 8, 3], "float32"), ([8], "int32"), ([1], "string"),
    ([1024, 1], "float32"), ([4, 8, 8, 8, 3], "float32"), ([4, 4, 32], "float32"),
]


def infers(type_name):
    spec = get_catalog().get(type_name)
    errors = []
    for shape, dtype in CANDIDATE_INPUTS:
        g = Graph()
        ins = [g.add_node("Input", params={"shape": shape, "dtype": dtype})
               for _ in range(max(1, spec.min_inputs))]
        node = g.add_node(type_name, params=default_params(type_name))
        out = g.add_node("Output")
        for port, x in enumerate(ins):
            g.connect(x.id, 0, node.id, port)
        g.connect(node.id, 0, out.id, 0)
        report = analyze(g)
        if not report.has_errors and node.id in report.info:
            return report.info[node.id]
        errors.append([d.message for d in report.diagnostics][:1])
    raise AssertionError(f"{type_name} never inferred: {errors[:3]}")


def test_every_catalog_layer_infers_with_keras():
    catalog = get_catalog()
    for type_name in catalog.layer_types():
        if is_op(type_name):
            continue  # operations: tests/engine/test_ops.py
        info = infers(type_name)
        assert info.output_shapes and info.output_shapes[0] is not None
        assert info.params >= 0
