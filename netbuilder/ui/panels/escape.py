"""Escape in a field cancels the edit: the field shows the stored value again
(nothing is committed, so nothing reaches the undo stack)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit


class EscapeRestores(QObject):
    """Calls ``restore`` when Escape is pressed in the watched widget."""

    def __init__(self, widget, restore: Callable[[], None]) -> None:
        super().__init__(widget)
        self.restore = restore
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.KeyPress and event.key() == Qt.Key_Escape:
            self.restore()
            return True
        return False


def restore_on_escape(widget, restore: Callable[[], None]) -> None:
    """Watch ``widget`` and every text, number or choice field inside it."""
    fields = [widget] if isinstance(widget, (QLineEdit, QAbstractSpinBox,
                                             QComboBox)) else []
    fields += widget.findChildren(QLineEdit) + widget.findChildren(QAbstractSpinBox) \
        + widget.findChildren(QComboBox)
    for field in fields:
        EscapeRestores(field, restore)
