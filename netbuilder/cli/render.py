"""``netbuilder render FILE -o graph.png|graph.svg``: the diagram as the
canvas draws it (same scene items), headless."""

from __future__ import annotations

import os
from pathlib import Path

from netbuilder.cli.common import CommandError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "render", help="draw the graph as a PNG or SVG image",
        description="Draw the project's graph exactly as the canvas shows it, "
                    "with tensor shapes on the wires and problem badges.")
    p.add_argument("file", help="project file (.nbproj)")
    p.add_argument("-o", "--output", required=True, help="image file: .png or .svg")
    p.add_argument("--scale", type=float, default=1.5,
                   help="PNG pixels per canvas unit (default 1.5)")
    p.add_argument("--no-shapes", action="store_true",
                   help="skip shape inference (faster; no shapes on the wires)")
    p.set_defaults(func=run)


def run(args) -> int:
    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".svg"):
        raise CommandError(f"{out.name}: the output must end in .png or .svg", 2)
    if not (0.1 <= args.scale <= 8):
        raise CommandError("--scale must be between 0.1 and 8", 2)
    from netbuilder.cli.common import read_project

    graph, _problems = read_project(args.file)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtWidgets import QApplication

        import netbuilder.ui  # noqa: F401  (applies the PySide workaround)
    except ImportError as exc:
        raise CommandError(f"rendering needs PySide6 ({exc})", 2) from None
    from netbuilder.ui.canvas.image_export import render_scene
    from netbuilder.ui.canvas.scene import GraphScene

    app = QApplication.instance() or QApplication(["netbuilder-render"])
    scene = GraphScene(graph)
    _analyse(scene, graph, shapes=not args.no_shapes)
    try:
        render_scene(scene, str(out), scale=args.scale)
    except (OSError, ValueError) as exc:
        raise CommandError(str(exc), 2) from None
    finally:
        scene.detach()
    del app
    print(f"wrote {out}")
    return 0


def _analyse(scene, graph, shapes: bool) -> None:
    """Shapes on wires and problem badges, as the app shows them."""
    diagnostics = []
    try:
        from netbuilder.engine.analysis.diagnostics import structural_diagnostics

        diagnostics = structural_diagnostics(graph)
        if shapes:
            from netbuilder.engine.analysis.shapes import analyze

            report = analyze(graph)
            diagnostics = report.diagnostics
            scene.apply_shapes({nid: i.output_shapes for nid, i in report.info.items()})
    except ImportError:
        pass
    by_node: dict = {}
    for d in diagnostics:
        if not d.node:
            continue
        sev, text, ports = by_node.get(d.node, (None, "", set()))
        if sev != "error":
            sev = d.severity
        if d.severity == "error" and d.port is not None:
            ports = set(ports) | {d.port}
        by_node[d.node] = (sev, (text + "<br>" if text else "") + d.message, ports)
    scene.apply_problems(by_node)
