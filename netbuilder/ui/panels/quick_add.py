"""Quick add: a searchable popup of layers opened at the cursor (Tab,
double-click on empty canvas, or a wire dropped on empty canvas)."""

from __future__ import annotations

import re

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

_DIMS = re.compile(r"([123])D(Transpose)?$")
# Layers that read a sequence (batch, steps, features).
_SEQUENCE = {"LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "Attention",
             "MultiHeadAttention", "AdditiveAttention", "Conv1D"}


def expected_rank(type_name: str) -> int | None:
    """The rank (with the batch axis) a layer reads, when its name says so:
    ``Conv2D`` 4, ``MaxPooling1D`` 3, ``ConvLSTM2D`` 5, ``LSTM`` 3; None when
    it takes any rank."""
    match = _DIMS.search(type_name)
    if match:
        rank = int(match.group(1)) + 2
        return rank + 1 if type_name.startswith("ConvLSTM") else rank
    return 3 if type_name in _SEQUENCE else None


def rank_order(type_name: str, rank: int | None) -> int:
    """0 for a layer that reads ``rank``, 1 for one that reads any, 2 for one
    that needs another rank."""
    want = expected_rank(type_name)
    if rank is None or want is None:
        return 1
    return 0 if want == rank else 2


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
        self.rank: int | None = None
        self._docs = {spec.type: first_line(spec.doc) for spec in get_catalog().specs()}
        self._order(None)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda item: self._choose(item.text()))
        self.search.installEventFilter(self)

    def _order(self, rank: int | None) -> None:
        """List the layers that read a wire of ``rank`` first, those that
        need another rank last."""
        self.rank = rank
        self.list.clear()
        for name in sorted(self._docs, key=lambda n: (rank_order(n, rank),
                                                      n.lower())):
            item = QListWidgetItem(name)
            item.setToolTip(self._docs[name])
            self.list.addItem(item)

    def popup(self, global_pos, rank: int | None = None) -> None:
        """Open at ``global_pos``; ``rank`` is that of the wire being
        continued (None: no wire)."""
        if rank != self.rank:
            self._order(rank)
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
