"""Training failures reach the user in plain words naming the node; Keras's
own message is kept as the details."""

import numpy as np

from netbuilder.engine.model.project import load_project
from netbuilder.engine.model.training_config import TrainingConfig
from netbuilder.engine.training import session as tr
from netbuilder.engine.training.datasets import Dataset, Split
from netbuilder.engine.training.failures import explain_failure
from tests.engine.engine_helpers import ROOT


def mlp():
    return load_project(ROOT / "resources" / "examples" / "mlp_classifier.nbproj").graph


def test_rank_mismatch_inside_fit_is_explained(monkeypatch):
    """The case from the issue: Input set to [8, 8, 1], Dense layers keep the
    rank, the loss gets (None, 8, 8, 10) against class ids."""
    graph = mlp()
    graph.set_param(graph.input_nodes()[0].id, "shape", [8, 8, 1])
    rng = np.random.default_rng(0)
    data = Dataset("d", Split([rng.normal(size=(64, 8, 8, 1)).astype("float32")],
                              [rng.integers(0, 10, 64)]))
    # get past the data check, as an unforeseen case would
    monkeypatch.setattr("netbuilder.engine.training.data_check.check_data",
                        lambda *a, **k: [])
    events = []
    session = tr.TrainingSession(graph, TrainingConfig(data="builtin:digits",
                                                       epochs=1),
                                 dataset=data, listener=events.append)
    session.run()
    failed = [e for e in events if e.kind == tr.FAILED]
    assert len(failed) == 1
    message, details = failed[0].message, failed[0].details
    assert message.startswith("The labels do not fit what Output 'label' gives: "
                              "the labels have shape (None,), the model gives "
                              "(None, 8, 8, 10).")
    assert "Flatten" in message and "ndim" not in message
    assert "target.ndim" in details or "rank" in details


def test_label_out_of_range_names_the_output():
    exc = ValueError("Received a label value of 12 which is outside the valid "
                     "range of [0, 10).  Label values: 3 12")
    failure = explain_failure(exc, mlp())
    assert failure.message == ("A label is 12 but Output 'label' gives only 10 "
                               "class scores: give the last Dense layer at least 13 "
                               "units, or check the labels.")
    assert failure.details.startswith("ValueError: Received a label value of 12")


def test_unknown_errors_name_the_layer_and_keep_the_original():
    exc = RuntimeError("Exception encountered when calling Dense.call().\n"
                       "Something odd in layer 'hidden' happened")
    failure = explain_failure(exc, mlp())
    assert failure.message == ("Training stopped with an error at 'hidden': "
                               "Something odd in layer 'hidden' happened. The full "
                               "message is in the details.")
    assert "Something odd" in failure.details
