"""Run records: unique names in a project, a resumed run replaces its own
record, and Resume trains the remaining epochs."""

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.training_config import TrainingConfig
from netbuilder.engine.training.session import (
    TrainingSession,
    next_run_id,
    record_run,
    with_run,
)


def test_run_names_are_never_given_twice():
    assert next_run_id([]) == "run-1"
    # a removed run-2 does not make the next run a second run-3
    assert next_run_id([{"id": "run-1"}, {"id": "run-3"}]) == "run-4"
    assert next_run_id([{"id": "baseline"}, {}], taken=("run-7",)) == "run-8"
    g = Graph("g")
    g.extra["runs"] = [{"id": "run-2"}]
    assert record_run(g, {"epochs": 1}) == "run-3"


def test_a_resumed_run_replaces_its_record_in_place():
    runs = [{"id": "run-1", "epochs": 2}, {"id": "run-2", "epochs": 3}]
    again = with_run(runs, {"id": "run-1", "epochs": 5})
    assert [(r["id"], r["epochs"]) for r in again] == [("run-1", 5), ("run-2", 3)]
    assert runs[0]["epochs"] == 2  # the old list is left alone (undo keeps it)
    assert [r["id"] for r in with_run(runs, {"id": "run-3"})] == ["run-1", "run-2",
                                                                  "run-3"]


def test_resume_trains_the_remaining_epochs_then_as_many_again():
    session = TrainingSession(Graph("g"), TrainingConfig.from_dict(
        {"data": "builtin:digits", "epochs": 40}))
    session.completed_epochs = 31
    assert session.resume_target() == 40
    session.completed_epochs = 40
    assert session.resume_target() == 80
