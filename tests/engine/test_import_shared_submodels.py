"""Issue 15: a sub-model called several times (a Siamese network's shared
tower, a nested Sequential applied twice, a triplet network, a shared tower
that itself calls a shared layer) is one group definition with several call
sites. Each model round-trips from .keras (the first two also from .h5 and
.py): import -> check clean -> code that builds the sub-model once and calls
it at each site -> a ``.keras`` export with the carried weights, whose one
nested model serves every call, with every weight and feature equal."""

import numpy as np
import pytest
from fidelity_helpers import TOLERANCE, full_roundtrip, max_diff

from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.module import generate_code
from netbuilder.engine.keras.runtime import load_keras

MODELS = '''
import keras
from keras import layers


def tower_model():
    x = keras.Input((8,), name="tower_in")
    h = layers.Dense(6, activation="relu", name="t_hidden")(x)
    h = layers.Dense(4, name="t_embed")(h)
    return keras.Model(x, h, name="tower")


def siamese():
    """Two inputs through one shared tower (a Functional model)."""
    tower = tower_model()
    a = keras.Input((8,), name="left")
    b = keras.Input((8,), name="right")
    ea, eb = tower(a), tower(b)
    diff = layers.Subtract(name="diff")([ea, eb])
    both = layers.Concatenate(name="both")([ea, eb, diff])
    logits = layers.Dense(3, name="logits")(both)
    probs = layers.Softmax(name="probs")(logits)
    return keras.Model([a, b], probs, name="siamese")


def nested_sequential():
    """A nested Sequential (with BatchNormalization) applied twice."""
    encoder = keras.Sequential([
        keras.Input((10,), name="enc_in"),
        layers.Dense(5, activation="relu", name="e_dense"),
        layers.BatchNormalization(name="e_norm"),
        layers.Dense(5, name="e_out"),
    ], name="encoder")
    a = keras.Input((10,), name="first")
    b = keras.Input((10,), name="second")
    summed = layers.Add(name="summed")([encoder(a), encoder(b)])
    logits = layers.Dense(2, name="logits")(summed)
    return keras.Model([a, b], layers.Activation("softmax", name="probs")(logits),
                       name="twice")


def triplet():
    """Anchor, positive and negative through one tower (called 3 times)."""
    tower = tower_model()
    xs = [keras.Input((8,), name=n) for n in ("anchor", "positive", "negative")]
    joined = layers.Concatenate(name="joined")([tower(x) for x in xs])
    logits = layers.Dense(3, name="logits")(joined)
    return keras.Model(xs, layers.Softmax(name="probs")(logits), name="triplet")


def shared_inside():
    """A shared tower that itself applies one Dense layer twice."""
    x = keras.Input((8,), name="block_in")
    twice = layers.Dense(8, activation="tanh", name="twice")
    h = twice(twice(x))
    block = keras.Model(x, layers.Dense(4, name="b_out")(h), name="block")
    a = keras.Input((8,), name="left")
    b = keras.Input((8,), name="right")
    logits = layers.Dense(2, name="logits")(
        layers.Multiply(name="product")([block(a), block(b)]))
    return keras.Model([a, b], layers.Softmax(name="probs")(logits),
                       name="shared_inside")


def cnn_siamese():
    """The keras.io Siamese example's shape: a small CNN tower on 28x28
    images (BatchNormalization, Conv2D, AveragePooling2D, Flatten, Dense
    tanh); the distance is written with layers instead of its Lambda."""
    x = keras.Input((28, 28, 1), name="image")
    h = layers.BatchNormalization(name="norm_in")(x)
    h = layers.Conv2D(4, (5, 5), activation="tanh", name="conv1")(h)
    h = layers.AveragePooling2D(pool_size=(2, 2), name="pool1")(h)
    h = layers.Conv2D(8, (5, 5), activation="tanh", name="conv2")(h)
    h = layers.AveragePooling2D(pool_size=(2, 2), name="pool2")(h)
    h = layers.Flatten(name="flat")(h)
    h = layers.BatchNormalization(name="norm_out")(h)
    tower = keras.Model(x, layers.Dense(10, activation="tanh", name="embed")(h),
                        name="embedding")
    a = keras.Input((28, 28, 1), name="left")
    b = keras.Input((28, 28, 1), name="right")
    diff = layers.Subtract(name="diff")([tower(a), tower(b)])
    squared = layers.Multiply(name="squared")([diff, diff])
    norm = layers.BatchNormalization(name="norm_dist")(squared)
    return keras.Model([a, b], layers.Dense(1, activation="sigmoid",
                                            name="similar")(norm), name="cnn_siamese")


def nested_shared():
    """A shared tower whose own block is a sub-model it calls twice."""
    x = keras.Input((6,), name="block_x")
    block = keras.Model(x, layers.Dense(6, activation="relu", name="blk")(x),
                        name="block")
    t = keras.Input((6,), name="tower_x")
    tower = keras.Model(t, layers.Dense(3, name="out3")(block(block(t))),
                        name="tower")
    a = keras.Input((6,), name="left")
    b = keras.Input((6,), name="right")
    logits = layers.Dense(2, name="logits")(
        layers.Concatenate(name="both")([tower(a), tower(b)]))
    return keras.Model([a, b], layers.Softmax(name="probs")(logits),
                       name="nested_shared")


MAKERS = {"siamese": siamese, "nested_sequential": nested_sequential,
          "triplet": triplet, "shared_inside": shared_inside,
          "cnn_siamese": cnn_siamese, "nested_shared": nested_shared}
'''

PY_FILE = '''
{models}

MODEL = {name!r}


def build_model():
    model = MAKERS[MODEL]()
    model.load_weights(MODEL + ".weights.h5")
    return model
'''

# model -> (sub-model name, number of calls)
SHARED = {"siamese": ("tower", 2), "nested_sequential": ("encoder", 2),
          "triplet": ("tower", 3), "shared_inside": ("block", 2),
          "cnn_siamese": ("embedding", 2), "nested_shared": ("tower", 2)}


def make(name, tmp_path):
    """The model built in this process, its weights saved for a .py file."""
    keras = load_keras()
    keras.backend.clear_session()
    scope: dict = {}
    exec(compile(MODELS, "models", "exec"), scope)
    model = scope["MAKERS"][name]()
    model.save_weights(tmp_path / f"{name}.weights.h5")
    return model


def inputs(model, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, *t.shape[1:])).astype("float32")
            for t in model.inputs]


def check_shared(model, again, graph, name, xs):
    """One group definition with a sharer per further call; the exported
    model holds the sub-model once, called at every site, and the sub-model
    computes what the original's does on each input."""
    sub, calls = SHARED[name]
    groups = [n for n in graph.nodes.values() if n.type == "Group"]
    assert len(groups) == calls
    owner = graph.node_by_name(sub)
    assert [n.shares for n in groups] == [None] + [owner.id] * (calls - 1)
    keras = load_keras()
    nested = [layer for layer in again.layers if isinstance(layer, keras.Model)]
    assert [m.name for m in nested] == [sub]
    assert len(nested[0]._inbound_nodes) == calls
    for x in xs:  # the sub-model's own output (features before any softmax)
        want = model.get_layer(sub)(x)
        assert max_diff(want, nested[0](x)) <= TOLERANCE
    # Weights counted once: the project's total is the original's.
    assert analyze(graph).totals()[0] == model.count_params()
    assert again.count_params() == model.count_params()


@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_submodel_keras_file_roundtrip(name, tmp_path):
    model = make(name, tmp_path)
    xs = inputs(model)
    graph, again = full_roundtrip(model, tmp_path, xs)
    check_shared(model, again, graph, name, xs)


@pytest.mark.parametrize("name", ["siamese", "nested_sequential"])
def test_shared_submodel_h5_file_roundtrip(name, tmp_path):
    model = make(name, tmp_path)
    xs = inputs(model)
    graph, again = full_roundtrip(model, tmp_path, xs, suffix=".h5")
    check_shared(model, again, graph, name, xs)


@pytest.mark.parametrize("name", ["siamese", "nested_sequential"])
def test_shared_submodel_python_file_roundtrip(name, tmp_path):
    model = make(name, tmp_path)
    source = tmp_path / f"{name}.py"
    source.write_text(PY_FILE.format(models=MODELS, name=name), encoding="utf-8")
    xs = inputs(model)
    graph, again = full_roundtrip(model, tmp_path, xs, source=source)
    check_shared(model, again, graph, name, xs)


def test_code_builds_the_submodel_once_and_calls_it_at_each_site(tmp_path):
    model = make("triplet", tmp_path)
    xs = inputs(model)
    graph, _ = full_roundtrip(model, tmp_path, xs)
    code = generate_code(graph)
    assert code.count("def build_tower()") == 1
    assert code.count("build_tower()") == 2  # the def and the one build
    assert "    tower_model = build_tower()\n" in code
    for site in ("tower = tower_model(anchor)",
                 "tower_call1 = tower_model(positive)",
                 "tower_call2 = tower_model(negative)"):
        assert site in code


def test_a_submodel_applied_to_its_own_output(tmp_path):
    """``inner(inner(a))``: the second call site is fed by the first (it was
    refused as "the sub-model is called 2 times")."""
    keras = load_keras()
    keras.backend.clear_session()
    inner = keras.Sequential([keras.Input((4,), name="in4"),
                              keras.layers.Dense(4, activation="tanh", name="d4")],
                             name="twice")
    a = keras.Input((4,), name="a")
    model = keras.Model(a, keras.layers.Dense(2, name="logits")(inner(inner(a))))
    xs = inputs(model)
    graph, again = full_roundtrip(model, tmp_path, xs)
    owner, sharer = (n for n in graph.nodes.values() if n.type == "Group")
    assert sharer.shares == owner.id
    assert [e.src for e in graph.incoming(sharer.id)] == [owner.id]
    assert max_diff(model(xs[0]), again(xs[0])) <= TOLERANCE
    assert again.count_params() == model.count_params() == 20 + 10


def test_cli_import_counts_the_calls_and_check_is_clean(tmp_path, capsys):
    from netbuilder.cli.main import main

    make("triplet", tmp_path).save(tmp_path / "triplet.keras")
    project = tmp_path / "triplet.nbproj"
    assert main(["import", str(tmp_path / "triplet.keras"), "-o", str(project)]) == 0
    assert "1 nested models, 2 more calls of shared nested models" in \
        capsys.readouterr().out
    assert main(["check", str(project)]) == 0
    report = capsys.readouterr().out
    assert "tower_call2" in report and report.rstrip().endswith("ok")
    total = 8 * 6 + 6 + 6 * 4 + 4 + 12 * 3 + 3  # one tower, the 12->3 head
    assert f"total: {total} params" in report


def test_a_shared_submodel_inside_a_shared_submodel(tmp_path):
    from netbuilder.engine.model.groups import inner_graph

    model = make("nested_shared", tmp_path)
    graph, again = full_roundtrip(model, tmp_path, inputs(model))
    inner = inner_graph(graph.node_by_name("tower"))
    owner, sharer = (n for n in inner.nodes.values() if n.type == "Group")
    assert (owner.name, sharer.shares) == ("block", owner.id)
    code = generate_code(graph)
    assert code.count("def build_block()") == 1
    assert "    block_model = build_block()\n" in code
    assert "    block_call1 = block_model(block)\n" in code
    block = again.get_layer("tower").get_layer("block")
    assert len(block._inbound_nodes) == 2
    assert again.count_params() == model.count_params() == 6 * 6 + 6 + 6 * 3 + 3 \
        + 6 * 2 + 2


@pytest.mark.parametrize("kind", ["sub-model", "layer"])
def test_the_call_site_inheriting_a_removed_owner_keeps_the_weights(kind,
                                                                     tmp_path):
    """Delete the owner's branch: the other call site takes over the layer
    (or sub-model) and its imported weights, not fresh ones."""
    from netbuilder.engine.codegen.execute import build
    from netbuilder.engine.importing.importer import import_model, save_imported
    from netbuilder.engine.model.project import load_project

    keras = load_keras()
    keras.backend.clear_session()
    x = keras.Input((8,), name="tower_in")
    shared = keras.layers.Dense(4, name="shared") if kind == "layer" else \
        keras.Model(x, keras.layers.Dense(4, name="t_embed")(x), name="tower")
    a, b = keras.Input((8,), name="left"), keras.Input((8,), name="right")
    model = keras.Model([a, b], [shared(a), shared(b)], name="two_calls")
    model.save(tmp_path / "two.keras")
    save_imported(import_model(tmp_path / "two.keras"), tmp_path / "two.nbproj")
    g = load_project(tmp_path / "two.nbproj").graph
    owner = g.node_by_name(shared.name)
    heir = next(n for n in g.nodes.values() if n.shares == owner.id)
    first_output = g.outgoing(owner.id)[0].dst
    for node_id in (g.node_by_name("left").id, owner.id, first_output):
        g.remove_node(node_id)
    assert heir.shares is None
    built = build(g)
    assert built.weights_notes == ["weights loaded for 1 layers"]
    xb = inputs(model)[1]
    assert max_diff(model([xb, xb])[1], built.model(xb)) <= TOLERANCE
    if kind == "layer":  # an edit of the heir is named like any other
        from netbuilder.engine.importing.weights import (
            edited_layers,
            weight_paths,
            weights_path,
        )

        g.set_param(heir.id, "use_bias", False)
        assert edited_layers(g, weight_paths(weights_path(g))) == {
            heir.id: "shared_call1"}


def test_a_nested_functional_model_as_the_models_output(tmp_path):
    """Keras numbers a nested Functional model's calls from 1 in the
    config's outputs: its call as the model's output was "not a layer call"."""
    keras = load_keras()
    keras.backend.clear_session()
    x = keras.Input((8,), name="tower_in")
    tower = keras.Model(x, keras.layers.Dense(4, name="t_embed")(x), name="tower")
    a, b = keras.Input((8,), name="left"), keras.Input((8,), name="right")
    model = keras.Model([a, b], [tower(a), tower(b)], name="towers_out")
    xs = inputs(model)
    graph, again = full_roundtrip(model, tmp_path, xs)
    sources = [graph.incoming(n.id)[0].src for n in graph.output_nodes()]
    assert [graph.nodes[s].name for s in sources] == ["tower", "tower_call1"]
    for want, got in zip(model(xs), again(xs), strict=True):
        assert max_diff(want, got) <= TOLERANCE
