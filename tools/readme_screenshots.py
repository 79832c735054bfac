"""Make the README's screenshots with the real app (run under a display:
tools/readme_screenshots.sh starts a virtual one).

    python tools/readme_screenshots.py [OUT_DIR]   # default docs/screenshots

1. seed_cnn.png   the app on the seed CNN example, as `make run` opens it;
2. error_hint.png the MLP example with builtin:digits: the data check's
                  message and the suggestion it checked along the chain;
3. training.png   the seed CNN trained for 3 epochs with F5: live curves,
                  then the evaluation with its confusion matrix (two grabs
                  of the real window, one above the other).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "resources" / "examples"
SIZE = (1440, 900)


def wait(app, seconds: float, until=lambda: False) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until():
        app.processEvents()
        time.sleep(0.02)


def grab(app, window, path: Path, width: int = 1200) -> None:
    from PySide6.QtCore import Qt

    wait(app, 0.5)
    image = window.grab().toImage()
    image = image.scaledToWidth(width, Qt.SmoothTransformation)
    image.save(str(path), "PNG")
    print(f"saved {path} ({path.stat().st_size // 1024} KB)")


def open_window(app, example: str):
    from netbuilder.ui.app import create_window

    window = create_window(str(EXAMPLES / f"{example}.nbproj"), offer_recovery=False)
    window.ask_unsaved = lambda: "discard"
    window.resize(*SIZE)
    window.show()
    window.start_background_work()
    wait(app, 60, lambda: window.tf.ready)
    window.view.show_graph()
    return window


def training_tab(window):
    from PySide6.QtCore import Qt

    window.training_dock.show()
    window.training_dock.raise_()
    window.resizeDocks([window.training_dock], [430], Qt.Vertical)
    return window.training_panel


def main(out: Path) -> None:
    from PySide6.QtGui import QImage, QPainter

    from netbuilder.ui.app import make_application

    out.mkdir(parents=True, exist_ok=True)
    app = make_application()

    window = open_window(app, "small_cnn")
    grab(app, window, out / "seed_cnn.png")

    window.open_example(str(EXAMPLES / "mlp_classifier.nbproj"))
    panel = training_tab(window)
    panel.form.source.setEditText("digits")
    panel.form.source.currentTextChanged.emit("digits")
    wait(app, 1)
    panel.train()
    wait(app, 120, lambda: "Flatten" in panel.status.text())
    grab(app, window, out / "error_hint.png")

    window.open_example(str(EXAMPLES / "small_cnn.nbproj"))
    panel = training_tab(window)
    panel.form.epochs.setValue(3)
    panel.train()
    wait(app, 600, lambda: panel.state == "stopped" and "Evaluat" not in
         panel.status.text())
    panel.tabs.setCurrentIndex(0)
    curves = out / "_curves.png"
    grab(app, window, curves)
    panel.tabs.setCurrentIndex(1)
    evaluation = out / "_evaluation.png"
    grab(app, window, evaluation)
    top, bottom = QImage(str(curves)), QImage(str(evaluation))
    # the lower half of the evaluation grab (the dock) under the curves grab
    half = bottom.copy(0, bottom.height() // 2, bottom.width(), bottom.height() // 2)
    both = QImage(top.width(), top.height() + half.height(), QImage.Format_RGB32)
    painter = QPainter(both)
    painter.drawImage(0, 0, top)
    painter.drawImage(0, top.height(), half)
    painter.end()
    both.save(str(out / "training.png"), "PNG")
    curves.unlink()
    evaluation.unlink()
    print(f"saved {out / 'training.png'}")
    window.close()
    for path in out.glob("*.png"):
        shrink(path)


def shrink(path: Path) -> None:
    """A 256-colour palette keeps the PNGs small (the UI has few colours)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    print(f"{path.name}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
