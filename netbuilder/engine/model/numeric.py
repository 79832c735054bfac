"""Number checks that never overflow.

JSON integers have no size limit: ``1`` followed by 400 zeros loads as a
Python ``int`` that ``float()`` and ``math.isfinite`` refuse with an
``OverflowError``. These checks compare exactly instead.
"""

from __future__ import annotations

import math
import sys
from typing import Any

MAX_FLOAT = sys.float_info.max
# Integers Keras and TensorFlow take as arguments are 64-bit at most.
MAX_INT = 2**63 - 1


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_finite_number(value: Any) -> bool:
    """An int or float that is a finite float (ints beyond float range fail)."""
    if is_int(value):
        return -MAX_FLOAT <= value <= MAX_FLOAT
    return isinstance(value, float) and math.isfinite(value)


def is_bounded_int(value: Any, limit: int = MAX_INT) -> bool:
    """An int whose magnitude is at most ``limit``."""
    return is_int(value) and -limit <= value <= limit
