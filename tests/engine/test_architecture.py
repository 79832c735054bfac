"""The engine never imports Qt or the UI, and loads no TensorFlow on import."""

import json
import pathlib
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    BLOCKED = ("PySide6", "shiboken6", "netbuilder.ui")

    class Block:
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                raise ImportError(f"blocked import of {name}")
            return None

    sys.meta_path.insert(0, Block())
    import netbuilder.engine as engine
    names = []
    for info in pkgutil.walk_packages(engine.__path__, "netbuilder.engine."):
        importlib.import_module(info.name)
        names.append(info.name)
    # The palette, graph edits, project loading and structural diagnostics
    # all work before TensorFlow is imported.
    from netbuilder.engine.model.catalog import get_catalog
    from netbuilder.engine.analysis.diagnostics import structural_diagnostics
    from netbuilder.engine.model.project import load_project
    catalog = get_catalog()
    assert len(catalog.by_category()["convolution"]) >= 10
    graph = load_project(sys.argv[1]).graph
    graph.add_node("Dense", params={"units": 3})
    structural_diagnostics(graph)
    heavy = sorted(m for m in sys.modules
                   if m.split(".")[0] in ("tensorflow", "keras", "PySide6"))
    print(json.dumps({"modules": names, "heavy": heavy}))
    """
)


def test_engine_imports_without_qt_and_without_tensorflow():
    example = pathlib.Path(__file__).resolve().parents[2] / "resources" / \
        "examples" / "small_cnn.nbproj"
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(example)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "netbuilder.engine.model.graph" in result["modules"]
    assert "netbuilder.engine.analysis.shapes" in result["modules"]
    assert len(result["modules"]) >= 10
    assert result["heavy"] == [], f"engine import loaded {result['heavy'][:5]}"


def test_engine_source_has_no_qt_or_ui_imports():
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "netbuilder" / "engine"
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|shiboken6|netbuilder\.ui)",
                         re.M)
    offenders = [p.name for p in root.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def _import_graph():
    import grimp

    graph = grimp.build_graph("netbuilder")
    edges = {}
    for module in graph.modules:
        targets = set()
        for target in graph.find_modules_directly_imported_by(module):
            # importing one's own package (``from pkg import submodule``) is
            # not a dependency on a sibling
            if target.startswith("netbuilder") and not module.startswith(target + "."):
                targets.add(target)
        edges[module] = targets
    return edges


def _find_cycle(edges):
    """One import cycle as a list of modules, or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_find_cycle_sees_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_in_netbuilder():
    """Function-level (lazy) imports count too: grimp records them."""
    cycle = _find_cycle(_import_graph())
    assert cycle is None, " -> ".join(cycle)


def test_import_contracts_hold():
    """The import-linter contracts in pyproject.toml (engine free of Qt and
    UI; engine sub-packages import downward only)."""
    root = pathlib.Path(__file__).resolve().parents[2]
    exe = pathlib.Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe), "--no-cache"], cwd=root, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout
