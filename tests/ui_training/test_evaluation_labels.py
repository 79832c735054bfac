"""The confusion matrix's class names stay readable: long names (the
shapes32 classes) do not overlap on the predicted axis."""

from netbuilder.engine.training.synthetic_images import SHAPE_CLASSES


def test_long_class_names_do_not_overlap(qtbot):
    from netbuilder.ui.training.evaluation_view import EvaluationView

    view = EvaluationView()
    qtbot.addWidget(view)
    view.resize(1100, 330)
    view.show()
    n = len(SHAPE_CLASSES)
    matrix = [[40 if i == j else 1 for j in range(n)] for i in range(n)]
    view.show_result({"split": "validation", "samples": 800,
                      "metrics": {"accuracy": 0.9}, "confusion_matrix": matrix,
                      "per_class_accuracy": [0.9] * n,
                      "class_names": SHAPE_CLASSES})
    view.figure.canvas.draw()
    ax = view.figure.axes[0]
    boxes = [label.get_window_extent() for label in ax.get_xticklabels()]
    assert len(boxes) == 10
    overlaps = [(SHAPE_CLASSES[i], SHAPE_CLASSES[i + 1])
                for i in range(n - 1) if boxes[i].overlaps(boxes[i + 1])]
    assert overlaps == []
