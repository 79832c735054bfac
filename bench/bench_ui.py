"""UI benchmarks (figures from one run; never thresholds):
- time to a shown window vs. `import tensorflow` time (separate processes);
- scene build time for a 1,000-node project;
- average paint time per frame while zooming/panning it: full detail,
  zoomed out with every visible node's name drawn (semantic zoom), and
  zoomed out so far that nodes are plain blocks."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NETBUILDER_CONFIG_DIR", tempfile.mkdtemp(prefix="nb-bench-"))
sys.path.insert(0, str(ROOT))

WINDOW = """
import time; t0 = time.perf_counter()
from netbuilder.ui.app import create_window, make_application
app = make_application()
w = create_window("resources/examples/small_cnn.nbproj", offer_recovery=False)
w.show(); app.processEvents()
print(time.perf_counter() - t0)
"""
TF = ("import time; t0 = time.perf_counter(); import tensorflow; "
      "print(time.perf_counter() - t0)")


def child(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return float(out.stdout.strip().splitlines()[-1])


def big_project(path: Path, n: int = 1000) -> None:
    from netbuilder.engine.model.graph import Graph
    from netbuilder.engine.model.project import save_project

    g = Graph("big")
    prev = g.add_node("Input", "x", {"shape": [64]}, (0, 0)).id
    for i in range(n - 2):
        nid = g.add_node("Dense", f"d{i}", {"units": 64, "activation": "relu"},
                         ((i % 40) * 220, (i // 40) * 120)).id
        g.connect(prev, 0, nid, 0)
        prev = nid
    out = g.add_node("Output", "y", {}, (40 * 220, 0)).id
    g.connect(prev, 0, out, 0)
    save_project(g, path)


def paint_time(win, app, zoom: float, frames: int = 30,
               clock=time.perf_counter) -> float:
    """Milliseconds per frame while zooming and panning around ``zoom``
    (``clock=time.process_time``: the CPU time this process spent, which
    other people's jobs on a shared machine disturb less)."""
    view = win.view
    view.set_zoom(zoom)
    total = 0.0
    for i in range(frames):
        dx = 40 if i % 2 else -40
        view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + dx)
        view.set_zoom(zoom * (1.02 if i % 2 else 1 / 1.02))
        t0 = clock()
        view.viewport().repaint()
        total += clock() - t0
    return total / frames * 1000


def paint_only() -> None:
    """The paint figures alone (``python bench/bench_ui.py paint``)."""

    with big_window() as (app, win, graph):
        win.editor.set_graph(graph)
        app.processEvents()
        for zoom in (1.0, 0.5, 0.25, 0.19, 0.12):
            wall = paint_time(win, app, zoom)
            cpu = paint_time(win, app, zoom, clock=time.process_time)
            print(f"zoom {zoom}: {wall:.1f} ms per frame ({cpu:.1f} ms CPU)")


@contextlib.contextmanager
def big_window():
    """(application, an empty shown main window, the 1,000-node graph)."""
    from netbuilder.engine.model.project import load_project
    from netbuilder.ui.app import create_window, make_application

    app = make_application()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.nbproj"
        big_project(path)
        win = create_window(None, load_tensorflow=False, offer_recovery=False)
        win.resize(1400, 900)
        win.show()
        app.processEvents()
        try:
            yield app, win, load_project(path).graph
        finally:
            win.ask_unsaved = lambda: "discard"
            win.close()


def main() -> None:
    window_s = child(WINDOW)
    tf_s = child(TF)
    print(f"time to shown window: {window_s:.2f} s; import tensorflow: {tf_s:.2f} s; "
          f"ratio {window_s / tf_s:.2f}")
    import netbuilder.ui  # noqa: F401

    with big_window() as (app, win, graph):
        t0 = time.perf_counter()
        win.editor.set_graph(graph)
        build = time.perf_counter() - t0
        print(f"scene build, 1,000 nodes: {build * 1000:.0f} ms")
        win.view.fit_graph()
        app.processEvents()
        full = paint_time(win, app, 1.0)
        labelled = paint_time(win, app, 0.25)
        low = paint_time(win, app, 0.12)
        on_screen = 62 * 0.25
        print(f"paint per frame while zooming/panning: full detail {full:.1f} ms, "
              f"zoomed out with names drawn (zoom 0.25, nodes {on_screen:.0f} px "
              f"tall) {labelled:.1f} ms, zoom 0.12 (nodes 7 px: blocks) {low:.1f} ms")


if __name__ == "__main__":
    paint_only() if sys.argv[1:] == ["paint"] else main()
