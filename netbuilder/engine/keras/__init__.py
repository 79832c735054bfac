"""The few places that touch Keras directly: loading it, turning params
into Keras arguments, generating the catalog, writing verified exports.
Keras itself is imported lazily inside functions.
"""

from netbuilder.engine.keras.export import (
    ExportError,
    ExportResult,
    export_verified,
)
from netbuilder.engine.keras.keras_args import (
    layer_kwargs,
    make_layer,
)
from netbuilder.engine.keras.runtime import (
    keras_loaded,
    load_keras,
)

__all__ = [
    "ExportError",
    "ExportResult",
    "export_verified",
    "keras_loaded",
    "layer_kwargs",
    "load_keras",
    "make_layer",
]
