"""Helpers for the code generation tests: ruff on generated modules, and
small graphs for every layer type."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder.engine.model.catalog import get_catalog
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.params import default_params

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"


def require_ruff() -> None:
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed")


def ruff_problems(sources: dict[str, str], tmp_path: Path) -> str:
    """Run ``ruff check`` and ``ruff format --check`` with the project's
    settings on the given modules; return their complaints ('' when clean)."""
    require_ruff()
    folder = tmp_path / "generated"
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in sources.items():
        path = folder / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    out = []
    for cmd in (["check", "--no-cache", "--quiet"],
                ["format", "--check", "--no-cache", "--quiet"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *cmd, "--config", str(PYPROJECT), *paths],
            capture_output=True, text=True, cwd=folder, timeout=120)
        if proc.returncode != 0:
            out.append(proc.stdout + proc.stderr)
            if cmd[0] == "format":
                diff = subprocess.run(
                    [sys.executable, "-m", "ruff", "format", "--diff", "--no-cache",
                     "--config", str(PYPROJECT), *paths],
                    capture_output=True, text=True, cwd=folder, timeout=120)
                out.append(diff.stdout[:6000] + diff.stderr[:2000])
    return "\n".join(out)


# Inputs that fit each layer type well enough for its code to be generated
# (shapes need not fit: only code generation is exercised with these).
def single_layer_graph(type_name: str) -> Graph:
    """Input(s) -> one layer of ``type_name`` with default params -> Output."""
    catalog = get_catalog()
    spec = catalog.get(type_name)
    graph = Graph(f"only_{type_name}")
    params = default_params(type_name)
    layer = graph.add_node(type_name, params=params, position=(200, 0))
    for port in range(max(spec.min_inputs, 1)):
        inp = graph.add_node("Input", params={"shape": [8, 8, 4]},
                             position=(0, 100 * port))
        graph.connect(inp.id, 0, layer.id, port)
    out = graph.add_node("Output", position=(400, 0))
    graph.connect(layer.id, 0, out.id, 0)
    return graph


def expected_from_inference(graph: Graph):
    """(parameter count of the live nodes, output shapes) as shape inference
    predicts them, to compare with the model the generated code builds."""
    from netbuilder.engine.analysis.shapes import analyze
    from netbuilder.engine.codegen.module import live_nodes

    report = analyze(graph)
    assert not report.has_errors, [d.message for d in report.diagnostics]
    live = live_nodes(graph)
    params = sum(info.params for nid, info in report.info.items() if nid in live)
    shapes = []
    for out in graph.output_nodes():
        edge = graph.incoming(out.id)[0]
        shapes.append(tuple(report.info[edge.src].output_shapes[edge.src_port]))
    return params, shapes
