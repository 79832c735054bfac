"""Exports verify themselves: reload and compare with the in-memory model."""

import numpy as np
import pytest
from engine_helpers import EXAMPLES

from netbuilder.engine.codegen.execute import build_model
from netbuilder.engine.keras.export import ExportError, export_verified, sample_inputs
from netbuilder.engine.model.project import load_project

TWO_IO = next(p for p in EXAMPLES if p.stem == "two_inputs_two_outputs")
LSTM = next(p for p in EXAMPLES if p.stem == "lstm_text_classifier")


@pytest.fixture(scope="module")
def two_io_model():
    return build_model(load_project(TWO_IO).graph)


@pytest.mark.parametrize("fmt, name", [("savedmodel", "saved"),
                                       ("keras", "m.keras"),
                                       ("tflite", "m.tflite")])
def test_each_format_is_verified_with_a_small_difference(tmp_path, two_io_model,
                                                         fmt, name):
    result = export_verified(two_io_model, fmt, str(tmp_path / name))
    assert result.max_abs_diff < 1e-4
    assert "verified" in str(result)


def test_integer_inputs_sample_and_verify(tmp_path):
    model = build_model(load_project(LSTM).graph)
    [x] = sample_inputs(model)
    assert x.dtype == np.int32 and x.shape == (4, 80)
    assert export_verified(model, "keras", str(tmp_path / "lstm.keras")).max_abs_diff \
        < 1e-5


def test_a_mismatching_export_is_an_error(tmp_path, two_io_model, monkeypatch):
    from netbuilder.engine.keras import export

    monkeypatch.setattr(export, "reload_outputs",
                        lambda fmt, path, inputs: [np.zeros((4, 5)), np.ones((4, 1))])
    with pytest.raises(ExportError, match="does not reproduce the model"):
        export_verified(two_io_model, "keras", str(tmp_path / "m.keras"))
    with pytest.raises(ExportError, match="ending in .keras"):
        export.write(two_io_model, "keras", str(tmp_path / "m.h5"))


def test_a_model_of_another_architecture_than_the_project_is_refused(
        tmp_path, two_io_model):
    lstm = build_model(load_project(LSTM).graph)
    target = tmp_path / "wrong.keras"
    with pytest.raises(ExportError) as info:
        export_verified(lstm, "keras", str(target), reference=two_io_model)
    text = str(info.value)
    assert "not the current project's model" in text
    assert f"it has {lstm.count_params():,} parameters, the project " \
           f"{two_io_model.count_params():,}" in text
    assert "its inputs are (80)" in text
    assert not target.exists()
    # the same architecture passes
    result = export_verified(two_io_model, "keras", str(tmp_path / "ok.keras"),
                             reference=build_model(load_project(TWO_IO).graph))
    assert result.max_abs_diff < 1e-4
