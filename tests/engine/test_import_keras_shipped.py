"""Issue 15: layers Keras itself ships outside ``keras.layers`` (ConvNeXt's
LayerScale, InceptionResNetV2's CustomScaleLayer) are Keras code: they
import without asking, appear in the catalog, generate an import of their
Keras module and round-trip exactly."""

import numpy as np
import pytest
from fidelity_helpers import full_roundtrip, memory_roundtrip

from netbuilder.engine.codegen.module import generate_code
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model.catalog import get_catalog


def _keras():
    keras = load_keras()
    keras.backend.clear_session()
    return keras


def test_catalog_offers_the_layers_keras_ships_in_applications():
    catalog = get_catalog()
    scale = catalog.get("LayerScale")
    assert scale.module == "keras.src.applications.convnext"
    assert scale.category == "applications" and not scale.keras_layer
    assert [p.name for p in scale.params][:2] == ["init_values", "projection_dim"]
    custom = catalog.get("CustomScaleLayer")
    assert custom.inputs == ["input", "scaled"] and custom.call_style == "list"
    assert "applications" in catalog.by_category()


def test_small_model_with_layer_scale_and_custom_scale(tmp_path):
    from keras.src.applications.convnext import LayerScale
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    keras = _keras()
    inp = keras.Input((6, 6, 8))
    x = keras.layers.Conv2D(8, 3, padding="same")(inp)
    x = LayerScale(0.5, 8, name="scale")(x)
    x = CustomScaleLayer(0.17, name="mix")([inp, x])
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inp, keras.layers.Dense(4, activation="softmax")(x))
    model.get_layer("scale").set_weights([np.linspace(-1, 1, 8).astype("float32")])
    xs = [np.random.default_rng(0).normal(size=(2, 6, 6, 8)).astype("float32")]
    graph, again = full_roundtrip(model, tmp_path, xs)
    assert {n.type for n in graph.nodes.values()} >= {"LayerScale", "CustomScaleLayer"}
    code = generate_code(graph, flavor="keras")
    assert "from keras.src.applications.convnext import LayerScale" in code
    assert 'LayerScale(init_values=0.5, projection_dim=8, name="scale")' in code
    np.testing.assert_array_equal(again.get_layer("scale").get_weights()[0],
                                  np.linspace(-1, 1, 8).astype("float32"))


@pytest.mark.slow
def test_inception_resnet_v2_roundtrips():
    keras = _keras()
    model = keras.applications.InceptionResNetV2(weights=None,
                                                 input_shape=(75, 75, 3), classes=10)
    xs = [np.random.default_rng(1).normal(size=(1, 75, 75, 3)).astype("float32")]
    graph, _ = memory_roundtrip(model, xs)
    assert sum(n.type == "CustomScaleLayer" for n in graph.nodes.values()) == 40


@pytest.mark.slow
def test_convnext_tiny_roundtrips():
    """LayerScale (Keras-shipped) and the residual ``x + y`` (an operation)."""
    keras = _keras()
    model = keras.applications.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3),
                                            classes=10)
    xs = [np.random.default_rng(2).normal(size=(1, 32, 32, 3)).astype("float32")]
    graph, _ = memory_roundtrip(model, xs)
    assert sum(n.type == "LayerScale" for n in graph.nodes.values()) == 18
