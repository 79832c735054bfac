"""Build the Keras model of a graph by executing its generated code.

The model NetBuilder trains and exports is the one the generated module
builds, so what the user reads is exactly what runs. The code is compiled
and executed in a fresh namespace; nothing else is ever executed. An error
while building is mapped back to the node whose lines raised it, with the
Keras message cleaned of its call-stack boilerplate.
"""

from __future__ import annotations

import itertools
import linecache
import traceback
from dataclasses import dataclass, field
from typing import Any

from netbuilder.engine.codegen.module import GeneratedCode, generate
from netbuilder.engine.keras.messages import clean_keras_message
from netbuilder.engine.keras.process_state import recursion_limit_at_least
from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.graph import Graph

_counter = itertools.count(1)
RECURSION_CAP = 30000


class BuildError(GraphError):
    """Building the model failed; ``node`` is the id of the node whose code
    raised (None when no single node is to blame, e.g. a failed import)."""

    def __init__(self, message: str, node: str | None = None,
                 node_name: str | None = None, lineno: int | None = None) -> None:
        self.message = message
        self.node = node
        self.node_name = node_name
        self.lineno = lineno
        super().__init__(f"{node_name}: {message}" if node_name else message)


@dataclass
class BuiltModel:
    model: Any  # keras.Model
    code: GeneratedCode
    # What happened to weights carried by an imported project (plain words).
    weights_notes: list[str] = field(default_factory=list)


def _raising_line(exc: BaseException, filename: str) -> int | None:
    """The innermost line of the generated module on the traceback."""
    lineno = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            lineno = frame.lineno
    return lineno


def execute(code: GeneratedCode, graph: Graph | None = None) -> Any:
    """Run ``code`` in a fresh namespace and return ``build_model()``'s model.

    Raises :class:`BuildError` naming the node (looked up in ``graph``) whose
    code raised.
    """
    from netbuilder.engine.keras.runtime import load_keras

    load_keras()  # imports TensorFlow quietly before the code's own import
    if graph is not None:
        from netbuilder.engine.keras.op_names import reserve_layer_names

        reserve_layer_names(graph)
        from netbuilder.engine.keras.custom_classes import load_all

        load_all(graph.catalog)  # the trusted modules, as they are now
    filename = f"<netbuilder-generated-{next(_counter)}>"
    lines = code.text.splitlines(keepends=True)
    linecache.cache[filename] = (len(code.text), None, lines, filename)
    namespace: dict[str, Any] = {"__name__": "netbuilder_generated",
                                 "__file__": filename}
    # Keras walks the layer graph recursively (a frame or two per layer): let
    # deep models (hundreds to thousands of layers) build.
    depth = min(RECURSION_CAP, 1000 + 5 * len(code.node_lines))
    try:
        with recursion_limit_at_least(depth):
            compiled = compile(code.text, filename, "exec")
            exec(compiled, namespace)  # noqa: S102 - the code NetBuilder generated
            return namespace["build_model"]()
    except Exception as exc:
        lineno = _raising_line(exc, filename)
        node_id = code.node_at(lineno) if lineno is not None else None
        name = None
        if node_id is not None and graph is not None and node_id in graph.nodes:
            name = graph.nodes[node_id].name
        raise BuildError(clean_keras_message(exc), node_id, name, lineno) from exc
    finally:
        linecache.cache.pop(filename, None)


def build_model(graph: Graph, flavor: str = "tf-keras") -> Any:
    """Generate the code for ``graph`` and build its ``keras.Model``.

    Raises :class:`~netbuilder.engine.codegen.module.CodegenError` for a graph that
    cannot become code and :class:`BuildError` when Keras refuses it.
    """
    return build(graph, flavor).model


def build(graph: Graph, flavor: str = "tf-keras") -> BuiltModel:
    """Like :func:`build_model`, also returning the code that built it."""
    code = generate(graph, flavor)
    model = execute(code, graph)
    notes: list[str] = []
    if "weights" in graph.extra:
        from netbuilder.engine.importing.weights import apply_weights

        notes = apply_weights(model, graph).lines()
    return BuiltModel(model, code, notes)
