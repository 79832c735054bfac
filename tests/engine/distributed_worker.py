"""Run one training process for the distribution tests (not a test module).

usage: python distributed_worker.py SPEC.json
SPEC holds: project, data, epochs, strategy, cpu_replicas, tf_config,
backup_dir, fail_after_epoch (raise after that 0-based epoch), out (a JSON
file for the results).
"""

import json
import os
import sys

spec = json.loads(open(sys.argv[1]).read())
if spec.get("tf_config"):
    os.environ["TF_CONFIG"] = spec["tf_config"]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from netbuilder.engine.keras.runtime import load_keras  # noqa: E402
from netbuilder.engine.model.project import load_project  # noqa: E402
from netbuilder.engine.training.distribute import split_cpu  # noqa: E402

load_keras()
if spec.get("cpu_replicas"):
    split_cpu(spec["cpu_replicas"])

from netbuilder.engine.model.training_config import TrainingConfig  # noqa: E402
from netbuilder.engine.training.session import TrainingSession  # noqa: E402

graph = load_project(spec["project"]).graph
config = TrainingConfig(data=spec["data"], epochs=spec["epochs"], batch_size=16,
                        seed=1, strategy=spec["strategy"])
events = []


def listener(event):
    events.append(event)
    fail = spec.get("fail_after_epoch")
    if event.kind == "epoch" and fail is not None and event.epoch == fail:
        raise RuntimeError("simulated worker failure")


session = TrainingSession(graph, config, listener=listener,
                          backup_dir=spec.get("backup_dir"))
session.prepare()
before = [w.copy() for w in session.model.get_weights()]
session.run()
after = session.model.get_weights()
result = {
    "replicas": session.strategy_info.replicas,
    "chief": session.is_chief,
    "epochs_seen": [e.epoch for e in events if e.kind == "epoch"],
    "last": events[-1].kind,
    "message": events[-1].message,
    "history": session.history,
    "changed": any(bool((a != b).any()) for a, b in zip(before, after, strict=False)),
}
if spec.get("export") and events[-1].kind == "finished":
    # Every worker takes part in saving (collective ops); only the chief
    # writes to the real path, the others to a temporary folder.
    import tempfile

    from netbuilder.engine.keras.export import export_verified

    target = spec["export"] if session.is_chief else os.path.join(
        tempfile.mkdtemp(), "worker.keras")
    result["export_diff"] = export_verified(session.model, "keras",
                                            target).max_abs_diff
with open(spec["out"], "w") as fh:
    json.dump(result, fh)
