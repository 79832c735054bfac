"""Issue 15: code NetBuilder never imports (custom layers and objects from
the user's code, subclassed models) is refused before anything of it runs,
with one sentence naming the class, the layer, the argument and the user's
file, never Keras's raw text or a temporary file name."""

import pytest

from netbuilder.cli.main import main
from netbuilder.engine.importing.importer import ImportFailure, import_model
from netbuilder.engine.keras.runtime import load_keras

POINTNET = '''
import keras

class OrthogonalRegularizer(keras.regularizers.Regularizer):
    def __init__(self, num_features, l2reg=0.001):
        self.num_features = num_features
        self.l2reg = l2reg

    def __call__(self, x):
        x = keras.ops.reshape(x, (-1, self.num_features, self.num_features))
        xxt = keras.ops.matmul(x, keras.ops.transpose(x, (0, 2, 1)))
        return keras.ops.sum(self.l2reg * keras.ops.square(
            xxt - keras.ops.eye(self.num_features)))

    def get_config(self):
        return {"num_features": self.num_features, "l2reg": self.l2reg}

def build_model():
    inp = keras.Input((16, 3))
    x = keras.layers.Conv1D(8, 1, activation="relu")(inp)
    x = keras.layers.GlobalMaxPooling1D()(x)
    x = keras.layers.Dense(9, kernel_regularizer=OrthogonalRegularizer(3),
                           name="tnet")(x)
    return keras.Model(inp, keras.layers.Dense(2)(x))
'''

SUBCLASSED = '''
import keras

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = keras.layers.Dense(2)

    def call(self, x):
        return self.d(x) * 2

def build_model():
    model = Net()
    model(keras.ops.ones((1, 3)))
    return model
'''


def test_custom_regularizer_in_python_source_names_it_and_the_file(tmp_path):
    src = tmp_path / "pointnet.py"
    src.write_text(POINTNET)
    with pytest.raises(ImportFailure) as info:
        import_model(src, run_python=True)
    text = str(info.value)
    assert text.startswith("pointnet.py: in the model it builds, layer 'tnet': "
                           "kernel_regularizer is the custom OrthogonalRegularizer "
                           "from your own code (defined in pointnet.py)")
    assert "--trust" in text
    assert "__netbuilder_import__" not in text and "model.keras" not in text
    # Trusted, the file's own regularizer is used by name.
    graph = import_model(src, run_python=True, trust=True).graph
    tnet = graph.node_by_name("tnet")
    assert tnet.params["kernel_regularizer"] == {
        "class_name": "OrthogonalRegularizer",
        "config": {"num_features": 3}}
    assert graph.extra["custom_code"]["entries"]["OrthogonalRegularizer"][
        "module"] == "pointnet.py"


def _custom_layer_model(keras):
    @keras.saving.register_keras_serializable(package="vae")
    class Sampling(keras.layers.Layer):
        def call(self, inputs):
            mean, log_var = inputs
            return mean + keras.ops.exp(0.5 * log_var)

    a, b = keras.Input((3,)), keras.Input((3,))
    return keras.Model([a, b], keras.layers.Dense(2)(Sampling(name="z")([a, b])))


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_custom_layer_file_is_refused_before_loading(tmp_path, suffix, capsys):
    keras = load_keras()
    path = tmp_path / f"vae{suffix}"
    _custom_layer_model(keras).save(path)
    for extra in ([], ["--trust"]):
        assert main(["import", str(path), "-o", str(tmp_path / "p.nbproj")]
                    + extra) == 1
        err = capsys.readouterr().err.strip()
        where = "test_import_refusals.Sampling" if suffix == ".keras" else \
            "registered as vae>Sampling"  # .h5 files keep no module
        assert err.startswith(f"netbuilder import: vae{suffix}: layer 'z' is the "
                              f"custom layer Sampling from your own code ({where}); "
                              "NetBuilder imports it when you give the Python "
                              "module that defines it and trust it: "
                              "--custom-module FILE.py --trust")


def test_subclassed_model_gets_one_clear_sentence(tmp_path):
    src = tmp_path / "net.py"
    src.write_text(SUBCLASSED)
    with pytest.raises(ImportFailure) as info:
        import_model(src, run_python=True)
    assert str(info.value) == (
        "net.py: the model is a subclassed keras.Model (Net): its call() is Python "
        "code, not a graph of layers, so there is nothing NetBuilder can edit; "
        "build it with the Functional API (keras.Input and layer calls, then "
        "keras.Model(inputs, outputs)) or as a keras.Sequential")
