"""Load TensorFlow/Keras in the background so the window appears first."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from netbuilder.ui.background import run_in_thread


def _load() -> list[str]:
    from netbuilder.engine.keras.runtime import load_keras

    load_keras()
    import tensorflow as tf

    devices = tf.config.list_physical_devices()
    return [f"{d.device_type}:{d.name.rsplit(':', 1)[-1]}" for d in devices]


class TensorFlowLoader(QObject):
    loaded = Signal(list)   # device descriptions
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.ready = False
        self.devices: list[str] = []
        self.error = ""

    def start(self) -> None:
        run_in_thread(_load, self._done)

    def _done(self, devices, error) -> None:
        if error is not None:
            self.error = f"TensorFlow could not be loaded: {error}"
            self.failed.emit(self.error)
            return
        self.ready = True
        self.devices = devices
        self.loaded.emit(devices)
