"""Quick add: a searchable popup of layers opened at the cursor (Tab,
double-click on empty canvas, or a wire dropped on empty canvas)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from netbuilder.engine.model.catalog import get_catalog
from netbuilder.ui.panels.palette import first_line


class QuickAdd(QFrame):
    chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, Qt.Popup)
        self.setFrameShape(QFrame.StyledPanel)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add layer…")
        self.list = QListWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(260, 320)
        for spec in sorted(get_catalog().specs(), key=lambda s: s.type.lower()):
            item = QListWidgetItem(spec.type)
            item.setToolTip(first_line(spec.doc))
            self.list.addItem(item)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda item: self._choose(item.text()))
        self.search.installEventFilter(self)

    def popup(self, global_pos) -> None:
        self.search.clear()
        self.filter("")
        self.move(global_pos)
        self.show()
        self.search.setFocus()

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hide = bool(needle) and needle not in item.text().lower()
            item.setHidden(hide)
            if not hide and first is None:
                first = item
        # Prefer an exact or prefix match.
        for i in range(self.list.count()):
            item = self.list.item(i)
            if (needle and not item.isHidden()
                    and item.text().lower().startswith(needle)):
                first = item
                break
        if first is not None:
            self.list.setCurrentItem(first)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.search and event.type() == event.Type.KeyPress:
            if event.key() in (Qt.Key_Down, Qt.Key_Up):
                row = self.list.currentRow()
                step = 1 if event.key() == Qt.Key_Down else -1
                row += step
                while 0 <= row < self.list.count() and self.list.item(row).isHidden():
                    row += step
                if 0 <= row < self.list.count():
                    self.list.setCurrentRow(row)
                return True
        return super().eventFilter(obj, event)

    def accept_current(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self._choose(item.text())

    def _choose(self, type_name: str) -> None:
        self.hide()
        self.chosen.emit(type_name)
