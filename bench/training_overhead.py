"""Training throughput: plain ``model.fit(verbose=0)`` against NetBuilder's
training session driving the live-plot panel (offscreen Qt), same model and
data, alternating runs. The last line is ``overhead ratio: X.XX`` (NetBuilder
fit time / plain fit time, medians; budget: at most 1.05).
"""

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from netbuilder.engine.codegen.execute import build_model  # noqa: E402
from netbuilder.engine.keras.runtime import load_keras  # noqa: E402
from netbuilder.engine.model.project import load_project  # noqa: E402
from netbuilder.engine.model.training_config import TrainingConfig  # noqa: E402
from netbuilder.engine.training.datasets import Dataset, Split  # noqa: E402
from netbuilder.engine.training.session import make_optimizer, to_tf_dataset  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCHS, SAMPLES, BATCH, ROUNDS = 3, 16384, 32, 5


def data() -> Dataset:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(SAMPLES, 100)).astype("float32")
    y = rng.integers(0, 10, SAMPLES)
    return Dataset("bench", Split([x], [y]))


def plain(graph, dataset, config) -> float:
    model = build_model(graph)
    model.compile(optimizer=make_optimizer(config),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ds = to_tf_dataset(dataset.train, BATCH, True, 0)
    t0 = time.perf_counter()
    model.fit(ds, epochs=EPOCHS, verbose=0, shuffle=False)
    return time.perf_counter() - t0


def netbuilder(panel, app, dataset) -> float:
    """Train from the panel with a real (blocking) Qt event loop, as the app
    runs it; the loop ends when the panel reports the run stopped."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()

    def on_state(state: str) -> None:
        if state == "stopped":
            loop.quit()

    panel.stateChanged.connect(on_state)
    panel.train()
    loop.exec()
    panel.stateChanged.disconnect(on_state)
    assert panel.plot.point_count() == EPOCHS, panel.status.text()
    return panel.session.train_seconds


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from netbuilder.ui.document.editor import Editor
    from netbuilder.ui.training import panel as panel_module

    load_keras()
    app = QApplication.instance() or QApplication(sys.argv)
    graph = load_project(os.path.join(ROOT, "resources/examples/mlp_classifier.nbproj")
                         ).graph
    settings = {"data": "npz:unused.npz", "epochs": EPOCHS, "batch_size": BATCH,
                "validation_split": 0.0}
    graph.extra["training"] = settings
    config = TrainingConfig.from_dict(settings)
    dataset = data()
    editor = Editor(graph)
    panel = panel_module.TrainingPanel(editor)
    panel.resize(1100, 600)
    panel.show()
    original = panel_module.tr.TrainingSession

    class WithData(original):  # the same arrays as the plain run
        def __init__(self, *args, **kwargs):
            kwargs["dataset"] = Dataset("bench", Split(list(dataset.train.x),
                                                       list(dataset.train.y)))
            kwargs["log_dir"] = None  # TensorBoard is optional: measure plotting
            super().__init__(*args, **kwargs)

    panel_module.tr.TrainingSession = WithData
    plain(graph, dataset, config)  # warm-up: tracing, thread pools
    ours, base = [], []
    for _ in range(ROUNDS):
        base.append(plain(graph, dataset, config))
        ours.append(netbuilder(panel, app, dataset))
    steps = EPOCHS * SAMPLES / BATCH
    print(f"{EPOCHS} epochs x {SAMPLES} samples, batch {BATCH} ({steps:.0f} steps), "
          f"{ROUNDS} alternating rounds")
    print(f"plain model.fit(verbose=0): median {statistics.median(base):.3f} s  "
          f"({[round(t, 3) for t in base]})")
    print(f"NetBuilder session + live plot panel: median "
          f"{statistics.median(ours):.3f} s  ({[round(t, 3) for t in ours]}); "
          f"{panel.plot.redraws} redraws, "
          f"{panel.plot.draw_seconds:.2f} s drawing in all")
    print(f"overhead ratio: {statistics.median(ours) / statistics.median(base):.2f}")


if __name__ == "__main__":
    main()
