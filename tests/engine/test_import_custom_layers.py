"""Issue 15: models using the user's own code (custom layers, a Lambda
calling a named function, a custom regularizer) import once the user trusts
the module that defines them, and round-trip exactly; untrusted projects run
none of that code."""

import importlib.util
import sys

import numpy as np
import pytest

from netbuilder.engine.analysis.diagnostics import ERROR
from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.execute import build
from netbuilder.engine.codegen.module import CodegenError, generate_code
from netbuilder.engine.importing.importer import (
    ImportFailure,
    import_model,
    save_imported,
)
from netbuilder.engine.keras.export import export_verified
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model.custom_code import (
    trust_project,
    untrust_project,
)
from netbuilder.engine.model.project import load_project
from tests.engine.custom_models import MODEL_FUNCTIONS, MODULE
from tests.engine.fidelity_helpers import compare_models

MODULE_NAME = "nb_user_layers"
MODELS = {
    "text_transformer": lambda: [np.random.default_rng(0).integers(0, 50, (3, 12))
                                 .astype("int32")],
    "vae_encoder": lambda: [np.random.default_rng(1).random((3, 8, 8, 1))
                            .astype("float32")],
    "pointnet": lambda: [np.random.default_rng(2).random((3, 16, 3))
                         .astype("float32")],
    "siamese": lambda: [np.random.default_rng(3).random((3, 6)).astype("float32"),
                        np.random.default_rng(4).random((3, 6)).astype("float32")],
}


def _user_module(folder):
    """Write the user's module and load it as the user's own script would."""
    folder.mkdir(exist_ok=True)
    path = folder / f"{MODULE_NAME}.py"
    path.write_text(MODULE + MODEL_FUNCTIONS)
    load_keras()
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    return path, module


def _reference(graph, saved):
    """The original file loaded with the classes of the project's (trusted)
    copy of the module: the same weights, and the classes the rebuilt model
    uses, so layer types compare by identity."""
    from netbuilder.engine.keras.custom_classes import custom_objects

    keras = load_keras()
    with keras.saving.custom_object_scope(custom_objects(graph.catalog)):
        return keras.saving.load_model(saved, compile=False, safe_mode=True)


def _roundtrip(graph, model, xs, tmp_path):
    """check clean -> code builds the same layers -> verified export with the
    carried weights reloads and gives the same weights and features."""
    report = analyze(graph)
    assert not [d.message for d in report.diagnostics if d.severity == ERROR]
    built = build(graph)
    compare_models(model, built.model, xs)
    out = tmp_path / "exported.keras"
    result = export_verified(built.model, "keras", str(out))
    assert result.max_abs_diff <= 1e-5
    keras = load_keras()
    from netbuilder.engine.keras.custom_classes import known_objects

    with keras.saving.custom_object_scope(known_objects()):
        again = keras.saving.load_model(out, safe_mode=True)
    compare_models(model, again, xs)
    return built


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("which", sorted(MODELS))
def test_keras_file_with_custom_module_round_trips(which, suffix, tmp_path):
    src, module = _user_module(tmp_path / "src")
    model = getattr(module, which)()
    saved = tmp_path / "src" / f"{which}{suffix}"
    model.save(saved)
    proj = tmp_path / "proj"
    proj.mkdir()
    result = import_model(saved, trust=True, custom_modules=[str(src)])
    save_imported(result, proj / f"{which}.nbproj")
    assert (proj / f"{MODULE_NAME}.py").read_text() == src.read_text()
    loaded = load_project(proj / f"{which}.nbproj")
    graph = loaded.graph
    types = {n.type for n in graph.nodes.values()}
    expected = {"text_transformer": {"custom.TokenAndPositionEmbedding",
                                     "custom.TransformerBlock"},
                "vae_encoder": {"custom.Sampling"}, "pointnet": set(),
                "siamese": {"custom.euclidean_distance"}}[which]
    assert expected <= types
    code_doc = graph.extra["custom_code"]
    assert [m["path"] for m in code_doc["modules"]] == [f"{MODULE_NAME}.py"]
    assert len(code_doc["modules"][0]["sha256"]) == 64
    trust_project(graph.catalog)
    model = _reference(graph, saved)
    built = _roundtrip(graph, model, MODELS[which](), tmp_path)
    code = generate_code(graph)
    assert f"from {MODULE_NAME} import" in code
    assert "sys.path.insert(0, PROJECT_FOLDER)" in code
    if which == "pointnet":
        assert "activity_regularizer=OrthogonalRegularizer(" in code
        assert code_doc["entries"]["OrthogonalRegularizer"]["kind"] == "regularizer"
    if which == "siamese":
        assert "keras.layers.Lambda(euclidean_distance" in " ".join(code.split()
                                                                   ).replace("( ", "(")
    if which == "text_transformer":
        node = next(n for n in graph.nodes.values()
                    if n.type == "custom.TransformerBlock")
        assert node.params == {"embed_dim": 8, "num_heads": 2, "ff_dim": 16}
        assert built.model.get_layer(node.name).rate == 0.1


def test_python_model_file_round_trips(tmp_path):
    """A .py model whose classes are defined in the file itself: the file
    becomes the project's module (copied beside the project)."""
    src, _ = _user_module(tmp_path / "src")
    src.write_text(src.read_text() + "\n\ndef build_model():\n"
                   "    keras.utils.set_random_seed(0)\n"
                   "    return vae_encoder()\n")
    with pytest.raises(ImportFailure, match=f"add --trust to import the classes "
                       f"and functions {MODULE_NAME}.py defines"):
        import_model(src, run_python=True)
    result = import_model(src, trust=True, run_python=True)
    proj = tmp_path / "proj"
    proj.mkdir()
    save_imported(result, proj / "vae.nbproj")
    graph = load_project(proj / "vae.nbproj").graph
    assert any(n.type == "custom.Sampling" for n in graph.nodes.values())
    assert (proj / f"{MODULE_NAME}.py").is_file()
    trust_project(graph.catalog)
    report = analyze(graph)
    assert not [d.message for d in report.diagnostics if d.severity == ERROR]
    built = build(graph)
    # The same model built by the user's own function, in this process.
    keras = load_keras()
    keras.backend.clear_session()
    model = sys.modules[MODULE_NAME].build_model()
    compare_models(model, built.model, MODELS["vae_encoder"]())


def test_python_model_error_names_the_users_file(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    bad = folder / "broken_model.py"
    bad.write_text("import keras\n\nclass Boom(keras.layers.Layer):\n"
                   "    pass\n\nraise ValueError('no model today')\n")
    with pytest.raises(ImportFailure) as info:
        import_model(bad, trust=True, run_python=True)
    assert "broken_model.py, line 6" in str(info.value)
    assert "tmp" not in str(info.value).split("broken_model.py")[0]


def test_untrusted_project_runs_no_code_and_says_so(tmp_path):
    src, module = _user_module(tmp_path / "src")
    model = module.text_transformer()
    saved = tmp_path / "src" / "tt.keras"
    model.save(saved)
    proj = tmp_path / "proj"
    proj.mkdir()
    save_imported(import_model(saved, trust=True, custom_modules=[str(src)]),
                  proj / "tt.nbproj")
    graph = load_project(proj / "tt.nbproj").graph
    untrust_project(graph.catalog)
    marker = proj / "module_ran.marker"
    marker.unlink(missing_ok=True)
    sys.modules.pop(MODULE_NAME, None)
    graph = load_project(proj / "tt.nbproj").graph
    report = analyze(graph)
    node = next(n for n in graph.nodes.values()
                if n.type == "custom.TransformerBlock")
    # Shapes seen at import still show.
    assert report.info[node.id].output_shapes == [(None, 12, 8)]
    errors = [d.message for d in report.diagnostics if d.severity == ERROR]
    assert any(f"{MODULE_NAME}.py" in m and "TransformerBlock" in m
               and "not been trusted" in m for m in errors)
    with pytest.raises(CodegenError, match="not been trusted"):
        generate_code(graph)
    assert not marker.exists()
    assert MODULE_NAME not in sys.modules
    # A changed module is not trusted any more.
    trust_project(graph.catalog)
    assert not [d for d in analyze(graph).diagnostics if d.severity == ERROR]
    (proj / f"{MODULE_NAME}.py").write_text(src.read_text() + "\n# edited\n")
    from netbuilder.engine.model.custom_code import code_of

    assert code_of(graph.catalog).untrusted() == [f"{MODULE_NAME}.py"]


def test_refusals_name_the_classes_and_the_flag(tmp_path):
    src, module = _user_module(tmp_path / "src")
    for suffix in (".keras", ".h5"):
        saved = tmp_path / f"pn{suffix}"
        module.pointnet().save(saved)
        with pytest.raises(ImportFailure) as info:
            import_model(saved)
        text = str(info.value)
        assert "OrthogonalRegularizer" in text and "--custom-module" in text
        assert "Unknown" not in text
    saved = tmp_path / "tt.keras"
    module.text_transformer().save(saved)
    with pytest.raises(ImportFailure,
                       match="TokenAndPositionEmbedding.*--custom-module"):
        import_model(saved)
    with pytest.raises(ImportFailure, match="add --trust"):
        import_model(saved, custom_modules=[str(src)])


def test_anonymous_lambda_is_refused_saying_exactly_that(tmp_path):
    keras = load_keras()
    src, _ = _user_module(tmp_path / "src")
    a = keras.Input((3,))
    model = keras.Model(a, keras.layers.Lambda(lambda t: t * 2.0)(a))
    saved = tmp_path / "lam.keras"
    model.save(saved)
    for kwargs in ({}, {"trust": True, "custom_modules": [str(src)]}):
        with pytest.raises(ImportFailure, match="anonymous Python lambda"):
            import_model(saved, **kwargs)
