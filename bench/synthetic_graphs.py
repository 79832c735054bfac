"""Generated graphs of realistic size for benchmarks and tests.

``residual_mlp(n)`` is an n-node chain of residual blocks; ``densenet121()``
reproduces DenseNet-121's topology (about 430 layers, dense blocks of
6/12/24/16 layers joined by Concatenate) with the engine's graph API.
"""

from __future__ import annotations

from netbuilder.engine.model.graph import Graph


def residual_mlp(n_nodes: int = 1000, width: int = 32) -> Graph:
    """Input, then Dense→BN→ReLU→Dense→Add(skip) blocks, then Output."""
    g = Graph(f"residual_mlp_{n_nodes}")
    x = g.add_node("Input", params={"shape": [width]}, position=(0, 0))
    col = 1
    while len(g.nodes) + 5 + 1 <= n_nodes:
        skip = x
        for type_name, params in (("Dense", {"units": width}),
                                  ("BatchNormalization", {}),
                                  ("Activation", {"activation": "relu"}),
                                  ("Dense", {"units": width})):
            node = g.add_node(type_name, params=params, position=(col * 220, 0))
            g.connect(x.id, 0, node.id, 0)
            x, col = node, col + 1
        add = g.add_node("Add", position=(col * 220, 120))
        g.connect(x.id, 0, add.id, 0)
        g.connect(skip.id, 0, add.id, 1)
        x, col = add, col + 1
    while len(g.nodes) < n_nodes - 1:
        node = g.add_node("Activation", params={"activation": "relu"},
                          position=(col * 220, 0))
        g.connect(x.id, 0, node.id, 0)
        x, col = node, col + 1
    out = g.add_node("Output", position=(col * 220, 0))
    g.connect(x.id, 0, out.id, 0)
    return g


def densenet121(input_shape=(224, 224, 3), classes: int = 1000) -> Graph:
    g = Graph("densenet121")
    col = [0]

    def add(type_name, inputs, **params):
        node = g.add_node(type_name, params=params, position=(col[0] * 220, 0))
        col[0] += 1
        for port, src in enumerate(inputs):
            g.connect(src.id, 0, node.id, port)
        return node

    x = add("Input", [], shape=list(input_shape))
    x = add("ZeroPadding2D", [x], padding=[[3, 3], [3, 3]])
    x = add("Conv2D", [x], filters=64, kernel_size=7, strides=2, use_bias=False)
    x = add("BatchNormalization", [x], epsilon=1.001e-5)
    x = add("Activation", [x], activation="relu")
    x = add("ZeroPadding2D", [x], padding=[[1, 1], [1, 1]])
    x = add("MaxPooling2D", [x], pool_size=3, strides=2)
    channels = 64
    for i, blocks in enumerate((6, 12, 24, 16)):
        for _ in range(blocks):
            y = add("BatchNormalization", [x], epsilon=1.001e-5)
            y = add("Activation", [y], activation="relu")
            y = add("Conv2D", [y], filters=128, kernel_size=1, use_bias=False)
            y = add("BatchNormalization", [y], epsilon=1.001e-5)
            y = add("Activation", [y], activation="relu")
            y = add("Conv2D", [y], filters=32, kernel_size=3, padding="same",
                    use_bias=False)
            x = add("Concatenate", [x, y])
            channels += 32
        if i < 3:
            channels //= 2
            x = add("BatchNormalization", [x], epsilon=1.001e-5)
            x = add("Activation", [x], activation="relu")
            x = add("Conv2D", [x], filters=channels, kernel_size=1, use_bias=False)
            x = add("AveragePooling2D", [x], pool_size=2, strides=2)
    x = add("BatchNormalization", [x], epsilon=1.001e-5)
    x = add("Activation", [x], activation="relu")
    x = add("GlobalAveragePooling2D", [x])
    x = add("Dense", [x], units=classes, activation="softmax")
    add("Output", [x])
    return g
