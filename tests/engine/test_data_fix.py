"""Data-check suggestions are tried along the whole chain before they are
made, and the suggested fix leads to a model that trains."""

from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.model.project import load_project
from netbuilder.engine.model.training_config import TrainingConfig
from netbuilder.engine.training.data_check import check_data
from netbuilder.engine.training.data_fix import (
    SET_SHAPE,
    SET_SHAPE_AND_FLATTEN,
    apply_fix,
)
from netbuilder.engine.training.datasets import load_data
from netbuilder.engine.training.session import FINISHED, TrainingSession
from tests.engine.engine_helpers import ROOT

EXAMPLES = ROOT / "resources" / "examples"


def example(name):
    return load_project(EXAMPLES / f"{name}.nbproj").graph


def problems(graph, data, loss="sparse_categorical_crossentropy"):
    report = analyze(graph)
    shapes = {n.name: report.info[n.id].output_shapes[0]
              for n in graph.output_nodes()}
    return check_data(graph, shapes, data,
                      {n.name: loss for n in graph.output_nodes()})


def test_mlp_on_digits_suggests_flatten_and_then_trains():
    graph = example("mlp_classifier")
    data = load_data("builtin:digits", seed=0, validation_split=0.2)
    found = problems(graph, data)
    assert len(found) == 1
    problem = found[0]
    assert problem.message.startswith("Input 'features' expects samples of shape "
                                      "(100,) but the data has samples of shape "
                                      "(8, 8, 1)")
    # Setting the shape alone would give (None, 8, 8, 10) against class ids:
    # the suggestion adds the Flatten that makes the whole chain fit.
    assert problem.suggestion == ("Set the Input 'features' shape to [8, 8, 1] and "
                                  "insert a Flatten after it (the layers after it "
                                  "expect flat vectors).")
    assert problem.fix == (SET_SHAPE_AND_FLATTEN, "features", [8, 8, 1])
    apply_fix(graph, problem.fix)
    assert problems(graph, data) == []
    report = analyze(graph)
    out = graph.output_nodes()[0]
    assert report.info[out.id].output_shapes[0] == (None, 10)
    events = []
    config = TrainingConfig(data="builtin:digits", epochs=1, seed=0, batch_size=64)
    session = TrainingSession(graph, config, dataset=data, listener=events.append)
    session.run()
    assert [e.kind for e in events][-1] == FINISHED
    assert session.completed_epochs == 1
    assert 0 < session.history["loss"][0] < 5


def test_plain_shape_change_is_suggested_when_it_is_enough():
    graph = example("mlp_classifier")
    graph.set_param(graph.input_nodes()[0].id, "shape", [50])
    data = load_data("builtin:features100", validation_split=0.2)
    (problem,) = problems(graph, data)
    assert problem.suggestion == "Set the Input 'features' shape to [100]."
    assert problem.fix == (SET_SHAPE, "features", [100])
    apply_fix(graph, problem.fix)
    assert problems(graph, data) == []


def test_when_no_single_change_fixes_it_the_suggestion_says_what_does():
    graph = example("small_cnn")  # Conv2D needs images
    data = load_data("builtin:features100", validation_split=0.2)
    (problem,) = problems(graph, data)
    assert problem.fix is None
    assert problem.suggestion.startswith("No single change to the Input fixes this")
    assert "at 'conv1'" in problem.suggestion
    assert "builtin:shapes32 fits" in problem.suggestion
    graph = example("mlp_classifier")  # rank-3 output against class ids
    graph.set_param(graph.input_nodes()[0].id, "shape", [8, 8, 1])
    (problem,) = problems(graph, load_data("builtin:digits"))
    assert problem.message.startswith("Output 'label' gives (None, 8, 8, 10), but "
                                      "with sparse_categorical_crossentropy")
