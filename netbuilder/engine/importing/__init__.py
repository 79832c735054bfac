"""Keras models (.keras, .h5, Functional/Sequential Python) to editable graphs,
with their weights.
"""

from netbuilder.engine.importing.importer import (
    ImportResult,
    import_keras_model,
    import_model,
    save_imported,
)
from netbuilder.engine.importing.params import (
    ImportFailure,
)
from netbuilder.engine.importing.weights import (
    WeightsReport,
    apply_weights,
    weights_path,
)

__all__ = [
    "ImportFailure",
    "ImportResult",
    "WeightsReport",
    "apply_weights",
    "import_keras_model",
    "import_model",
    "save_imported",
    "weights_path",
]
