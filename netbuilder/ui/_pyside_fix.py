"""Work around a PySide6 6.12 bug on Python < 3.12.

PySide6 6.12's generated wrappers return ``None`` from void C++ methods
without taking a reference to it. On Python 3.12+ ``None`` is immortal and
nothing happens; on 3.11 every such call (``painter.drawText``,
``widget.update``, ``processEvents`` ...) lowers ``None``'s reference count
by one, and after a few thousand calls the interpreter aborts with
"Fatal Python error: none_dealloc". Until PySide fixes it we give ``None`` a
reference count so large it can never reach zero, which is exactly what
Python 3.12 does (PEP 683, immortal objects).
"""

from __future__ import annotations

import ctypes
import sys

_APPLIED = False


def apply() -> None:
    global _APPLIED
    if _APPLIED or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    refcnt = ctypes.c_ssize_t.from_address(id(None))
    refcnt.value += 1 << 48
    _APPLIED = True
