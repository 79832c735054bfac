"""Hypothesis strategies: random valid graphs for the code generation tests.

Each graph is grown from one or two Inputs by applying layers to tensors in a
pool whose shapes are tracked here with simple rules, so that every drawn
graph is valid; Keras shape inference is the oracle the tests compare with.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

from netbuilder.engine.model.graph import Graph

NAMES = st.one_of(
    # Layer names start with a letter (TensorFlow refuses "_x/kernel").
    st.sampled_from(["x", "x-1", "x_1", "x.1", "lambda", "class", "None", "input",
                     "keras", "tf", "build_model", "model", "x_", "init__"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,127}", fullmatch=True),
)
ACTIVATIONS = st.sampled_from([None, "relu", "tanh", "softmax", "gelu"])
INITIALIZERS = st.one_of(
    st.just(None), st.sampled_from(["he_normal", "ones", "lecun_uniform"]),
    st.builds(lambda s: {"class_name": "HeNormal", "config": {"seed": s}},
              st.integers(0, 99)),
    st.builds(lambda v: {"class_name": "RandomNormal",
                         "config": {"mean": 0.0, "stddev": v}},
              st.floats(0.01, 1.0)),
)
REGULARIZERS = st.one_of(
    st.just(None), st.just("l2"),
    st.builds(lambda a: {"class_name": "L2", "config": {"l2": a}},
              st.floats(1e-6, 0.1)),
)


def _clean(params: dict) -> dict:
    return {k: v for k, v in params.items() if v is not None}


class _Builder:
    def __init__(self, draw) -> None:
        self.draw = draw
        self.graph = Graph(draw(NAMES))
        self.pool: list[tuple[str, int, tuple]] = []  # node, port, shape

    def add(self, type_name: str, params: dict, inputs: list[tuple[str, int]],
            shapes: list[tuple]) -> str:
        draw = self.draw
        name = draw(NAMES)
        if name in self.graph.names():
            name = self.graph.unique_name(name)
        pos = (draw(st.integers(0, 3)) * 100.0, draw(st.integers(0, 3)) * 100.0)
        node = self.graph.add_node(type_name, name=name, params=_clean(params),
                                   position=pos)
        for port, (src, src_port) in enumerate(inputs):
            self.graph.connect(src, src_port, node.id, port)
        for port, shape in enumerate(shapes):
            self.pool.append((node.id, port, shape))
        return node.id

    def pick(self, rank: int | None = None):
        choices = [t for t in self.pool if rank is None or len(t[2]) == rank]
        if not choices:
            return None
        return self.draw(st.sampled_from(choices))


def _dense(b: _Builder) -> None:
    src, port, shape = b.pick()
    units = b.draw(st.integers(1, 12))
    b.add("Dense", {"units": units, "activation": b.draw(ACTIVATIONS),
                    "use_bias": b.draw(st.sampled_from([None, False])),
                    "kernel_initializer": b.draw(INITIALIZERS),
                    "kernel_regularizer": b.draw(REGULARIZERS)},
          [(src, port)], [shape[:-1] + (units,)])


def _same_shape(b: _Builder) -> None:
    src, port, shape = b.pick()
    kind = b.draw(st.sampled_from(["Dropout", "BatchNormalization",
                                   "LayerNormalization", "Activation", "ReLU"]))
    params = {"Dropout": {"rate": b.draw(st.floats(0.0, 0.9))},
              "BatchNormalization": {"momentum": b.draw(st.sampled_from([None,
                                                                         0.9]))},
              "LayerNormalization": {"epsilon": b.draw(st.sampled_from([None,
                                                                        1e-5]))},
              "Activation": {"activation": b.draw(ACTIVATIONS) or "linear"},
              "ReLU": {"max_value": b.draw(st.sampled_from([None, 6.0]))}}[kind]
    b.add(kind, params, [(src, port)], [shape])


def _conv(b: _Builder) -> None:
    picked = b.pick(4) or b.pick(3)
    if picked is None:
        return
    src, port, shape = picked
    rank = len(shape) - 1
    filters = b.draw(st.integers(1, 6))
    k = b.draw(st.integers(1, 3))
    padding = b.draw(st.sampled_from(["same", "valid"]))
    if padding == "valid" and any(d < k for d in shape[:-1]):
        padding = "same"
    spatial = tuple(d if padding == "same" else d - k + 1 for d in shape[:-1])
    kernel = k if b.draw(st.booleans()) else [k] * rank
    b.add("Conv2D" if rank == 2 else "Conv1D",
          {"filters": filters, "kernel_size": kernel,
           "padding": None if padding == "valid" else padding,
           "activation": b.draw(ACTIVATIONS)},
          [(src, port)], [spatial + (filters,)])


def _pool_or_flatten(b: _Builder) -> None:
    picked = b.pick(4) or b.pick(3)
    if picked is None:
        return
    src, port, shape = picked
    kind = b.draw(st.sampled_from(["Flatten", "Global", "Pool"]))
    if kind == "Flatten":
        b.add("Flatten", {}, [(src, port)], [(math.prod(shape),)])
    elif kind == "Global":
        t = "GlobalAveragePooling2D" if len(shape) == 3 else "GlobalMaxPooling1D"
        b.add(t, {}, [(src, port)], [(shape[-1],)])
    elif len(shape) == 3 and min(shape[:2]) >= 2:
        b.add("MaxPooling2D", {}, [(src, port)],
              [(shape[0] // 2, shape[1] // 2, shape[2])])


def _recurrent(b: _Builder) -> None:
    picked = b.pick(2)
    if picked is None:
        return
    src, port, shape = picked
    units = b.draw(st.integers(1, 6))
    seqs = b.draw(st.booleans())
    out = (shape[0], units) if seqs else (units,)
    kind = b.draw(st.sampled_from(["LSTM", "GRU", "SimpleRNN", "Bidirectional",
                                   "TimeDistributed"]))
    if kind == "Bidirectional":
        inner = b.draw(st.sampled_from(["LSTM", "GRU"]))
        b.add(kind, {"layer": {"type": inner, "params": _clean(
            {"units": units, "return_sequences": seqs or None})}},
              [(src, port)], [out[:-1] + (2 * units,)])
    elif kind == "TimeDistributed":
        b.add(kind, {"layer": {"type": "Dense", "params": {"units": units}}},
              [(src, port)], [(shape[0], units)])
    else:
        state = b.draw(st.booleans())
        states = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}[kind] if state else 0
        b.add(kind, {"units": units, "return_sequences": seqs or None,
                     "return_state": state or None},
              [(src, port)], [out] + [(units,)] * states)


def _to_sequence(b: _Builder) -> None:
    src, port, shape = b.pick(1) or (None, None, None)
    if src is None:
        return
    if b.draw(st.booleans()):
        n = b.draw(st.integers(1, 4))
        b.add("RepeatVector", {"n": n}, [(src, port)], [(n, shape[0])])
    else:
        b.add("Reshape", {"target_shape": [shape[0], 1]}, [(src, port)],
              [(shape[0], 1)])


def _attention(b: _Builder) -> None:
    q, v = b.pick(2), b.pick(2)
    if q is None:
        return
    b.add("MultiHeadAttention",
          {"num_heads": b.draw(st.integers(1, 2)), "key_dim": b.draw(
              st.integers(1, 4))},
          [(q[0], q[1]), (v[0], v[1])], [q[2]])


def _merge(b: _Builder) -> None:
    a = b.pick()
    same = [t for t in b.pool if t[2] == a[2]]
    other = b.draw(st.sampled_from(same))
    if b.draw(st.booleans()):
        b.add("Add", {}, [a[:2], other[:2]], [a[2]])
        return
    rank = len(a[2])
    fits = [t for t in b.pool if len(t[2]) == rank and t[2][:-1] == a[2][:-1]]
    others = b.draw(st.lists(st.sampled_from(fits), min_size=1, max_size=3))
    shape = a[2][:-1] + (a[2][-1] + sum(t[2][-1] for t in others),)
    b.add("Concatenate", {}, [a[:2]] + [t[:2] for t in others], [shape])


STEPS = [_dense, _same_shape, _conv, _pool_or_flatten, _recurrent, _to_sequence,
         _attention, _merge]
INPUT_SHAPES = st.sampled_from([(6,), (5, 3), (7, 6, 2), (4, 4, 3), (3,)])


@st.composite
def valid_graphs(draw, max_layers: int = 8) -> Graph:
    b = _Builder(draw)
    for _ in range(draw(st.integers(1, 2))):
        shape = draw(INPUT_SHAPES)
        b.add("Input", {"shape": list(shape)}, [], [shape])
    for _ in range(draw(st.integers(1, max_layers))):
        draw(st.sampled_from(STEPS))(b)
    tensors = [t for t in b.pool if b.graph.nodes[t[0]].type != "Input"] or b.pool
    chosen = draw(st.lists(st.sampled_from(tensors), min_size=1, max_size=2,
                           unique=True))
    for src, port, _ in chosen:
        b.add("Output", {}, [(src, port)], [])
    return b.graph
