"""The NetBuilder desktop app (PySide6). Depends on the engine, never the reverse."""

from netbuilder.ui._pyside_fix import apply as _apply_pyside_fix

_apply_pyside_fix()
