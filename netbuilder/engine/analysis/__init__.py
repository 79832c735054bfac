"""What the graph means before it runs: shape inference by Keras,
diagnostics with plain-words hints, FLOPs and activation memory.
"""

from netbuilder.engine.analysis.diagnostics import (
    Diagnostic,
    clean_keras_message,
    structural_diagnostics,
)
from netbuilder.engine.analysis.flops import (
    activation_bytes,
    estimate_flops,
)
from netbuilder.engine.analysis.shapes import (
    NodeInfo,
    ShapeInference,
    ShapeReport,
    analyze,
)

__all__ = [
    "Diagnostic",
    "NodeInfo",
    "ShapeInference",
    "ShapeReport",
    "activation_bytes",
    "analyze",
    "clean_keras_message",
    "estimate_flops",
    "structural_diagnostics",
]
