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
    from netbuilder.engine.catalog import get_catalog
    from netbuilder.engine.diagnostics import structural_diagnostics
    from netbuilder.engine.project import load_project
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
    assert "netbuilder.engine.graph" in result["modules"]
    assert "netbuilder.engine.shapes" in result["modules"]
    assert len(result["modules"]) >= 10
    assert result["heavy"] == [], f"engine import loaded {result['heavy'][:5]}"


def test_engine_source_has_no_qt_or_ui_imports():
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "netbuilder" / "engine"
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|shiboken6|netbuilder\.ui)",
                         re.M)
    offenders = [p.name for p in root.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
