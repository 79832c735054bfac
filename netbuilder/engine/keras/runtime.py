"""Loading TensorFlow/Keras once, lazily and quietly.

TensorFlow prints C++ start-up chatter on stderr before its logging is set
up (TF_CPP_MIN_LOG_LEVEL does not silence all of it). :func:`load_keras`
imports it with the process's stderr pointed at /dev/null for the duration
of the import only (:func:`~netbuilder.engine.keras.process_state.silenced_stderr`);
Python exceptions still propagate normally.
"""

from __future__ import annotations

import os
import sys
import threading

_lock = threading.Lock()


def keras_loaded() -> bool:
    return "keras" in sys.modules and "tensorflow" in sys.modules


def load_keras():
    """Import TensorFlow (the Keras backend) and return the ``keras`` module."""
    with _lock:
        if not keras_loaded():
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            os.environ.setdefault("KERAS_BACKEND", "tensorflow")
            _quiet_import()
    import keras

    return keras


def _quiet_import() -> None:
    from netbuilder.engine.keras.process_state import silenced_stderr

    with silenced_stderr():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
