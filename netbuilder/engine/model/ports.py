"""Port rules: how many inputs and outputs a node has and what they are called.

Every rule about ports lives here and takes the catalog it should consult
(the graph's own catalog), never the process-wide one, so a graph built with
another catalog (a test's, or a newer Keras's) gets its own answers.
"""

from __future__ import annotations

from typing import Any

from netbuilder.engine.model import ops
from netbuilder.engine.model.catalog import Catalog, LayerSpec

# Inputs of one merge layer (Add, Concatenate, ...): more are refused, so a
# file cannot make the app draw millions of ports.
MAX_VARIADIC_INPUTS = 1024


def group_io(params: dict[str, Any]) -> tuple[int, int]:
    """(inputs, outputs) of a group, read from its document without loading."""
    doc = params.get("graph") if isinstance(params, dict) else None
    nodes = doc.get("nodes") if isinstance(doc, dict) else None
    if not isinstance(nodes, list):
        return (0, 0)
    types = [n.get("type") for n in nodes if isinstance(n, dict)]
    return (types.count("Input"), types.count("Output"))


def input_count(spec: LayerSpec, connected: int = 0) -> int:
    """Input ports to show: fixed ports, or for variadic layers one spare."""
    if spec.variadic:
        return max(spec.min_inputs, connected + 1)
    return len(spec.inputs)


def input_name(spec: LayerSpec, port: int) -> str:
    if spec.variadic:
        return f"input_{port}"
    return spec.inputs[port] if 0 <= port < len(spec.inputs) else f"input_{port}"


def accepts_input_port(spec: LayerSpec, port: int) -> bool:
    limit = MAX_VARIADIC_INPUTS if spec.variadic else len(spec.inputs)
    return 0 <= port < limit


def input_limit_words(spec: LayerSpec) -> str:
    """How many inputs a layer takes, for messages."""
    if spec.variadic:
        return f"it takes at most {MAX_VARIADIC_INPUTS} inputs, numbered from 0"
    return f"it has {len(spec.inputs)}"


def gaps(connected: list[int]) -> bool:
    """Whether connected input ports (sorted) skip a number: Keras receives the
    inputs as a list, so they must be numbered 0, 1, 2, ... without gaps."""
    return connected != list(range(len(connected)))


def output_count(spec: LayerSpec, params: dict[str, Any], catalog: Catalog,
                 wired: int = 0) -> int:
    """Output tensors of a node of this spec with these params (several with
    ``return_state``, one per output of a group, or one per result of an
    operation such as split); ``wired``: its connected inputs."""
    if spec.type == "Output":
        return 0
    if spec.results > 1:
        return ops.result_count(spec, params, wired)
    if spec.type == "Group":
        return max(1, group_io(params)[1])
    if spec.type == "Bidirectional":
        # return_state belongs to the wrapped layer, not to the wrapper
        inner = params.get("layer")
        if isinstance(inner, dict) and isinstance(inner.get("params"), dict) \
                and inner["params"].get("return_state"):
            inner_spec = catalog.get(inner.get("type", ""))
            if inner_spec is not None:
                return 1 + 2 * inner_spec.state_outputs
        return 1
    if spec.type == "RNN" and params.get("return_state"):
        cell = params.get("cell")
        cell_type = cell.get("type") if isinstance(cell, dict) else ""
        return 1 + (2 if cell_type == "LSTMCell" else 1)
    if spec.state_outputs and params.get("return_state"):
        return 1 + spec.state_outputs
    return 1


def output_name(port: int, count: int, spec: LayerSpec | None = None) -> str:
    """The label of an output port: ``state_k`` after a recurrent layer's
    output, ``result_k`` for an operation with several results."""
    if spec is not None and spec.results > 1:
        return f"result_{port}"
    if count == 1:
        return "output"
    return "output" if port == 0 else f"state_{port - 1}"


def keyword_port(spec: LayerSpec, port: int) -> tuple[str, int | None] | None:
    """(argument, index in its list) of a keyword tensor port, e.g.
    ``initial_state[1]`` -> ("initial_state", 1), ``mask`` -> ("mask", None);
    None for the ports the layer takes positionally."""
    if spec.keyword_from is None or port < spec.keyword_from \
            or port >= len(spec.inputs):
        return None
    name = spec.inputs[port]
    if name.endswith("]") and "[" in name:
        base, index = name[:-1].split("[", 1)
        return base, int(index)
    return name, None


def split_call(spec: LayerSpec, by_port: dict[int, Any]
               ) -> tuple[list[Any], dict[str, Any]]:
    """A layer call's wired values: (positional, by keyword) where list
    keywords (``initial_state``) hold their wired entries in order."""
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for port in sorted(by_port):
        kw = keyword_port(spec, port)
        if kw is None:
            positional.append(by_port[port])
        elif kw[1] is None:
            keywords[kw[0]] = by_port[port]
        else:
            keywords.setdefault(kw[0], []).append(by_port[port])
    return positional, keywords


def state_count(spec: LayerSpec, params: dict[str, Any], catalog: Catalog
                ) -> int:
    """How many ``initial_state`` tensors this node's layer takes: LSTM and
    ConvLSTM 2, GRU and SimpleRNN 1, an RNN its cell's, a Bidirectional twice
    its wrapped layer's (0 when the layer takes none). The catalog's ports
    are the most any such layer takes; the rest stay unused."""
    if "initial_state[0]" not in spec.inputs:
        return 0
    if spec.type == "Bidirectional":
        inner = params.get("layer")
        inner_spec = catalog.get(inner.get("type", "")) \
            if isinstance(inner, dict) else None
        return 2 * inner_spec.state_outputs if inner_spec is not None else 0
    if spec.type == "RNN":
        cell = params.get("cell")
        cell_type = cell.get("type") if isinstance(cell, dict) else ""
        return 2 if cell_type == "LSTMCell" else 1
    return spec.state_outputs


def call_flags(spec: LayerSpec, params: dict[str, Any]) -> dict[str, Any]:
    """The call's switches set on the node (``use_causal_mask=True``)."""
    return {p.name: params[p.name] for p in spec.params
            if p.call and params.get(p.name, p.default) != p.default}


def port_of_keyword(spec: LayerSpec, name: str, index: int | None) -> int | None:
    """The port of keyword argument ``name`` (entry ``index`` of a list)."""
    wanted = name if index is None else f"{name}[{index}]"
    if spec.keyword_from is None or wanted not in spec.inputs[spec.keyword_from:]:
        return None
    return spec.inputs.index(wanted, spec.keyword_from)
