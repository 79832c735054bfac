"""The layer palette: every catalog layer by category, with a filter box.
Drag a layer onto the canvas, or double-click to add it."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.engine.model.catalog import get_catalog
from netbuilder.ui import theme
from netbuilder.ui.canvas.view import LAYER_MIME

TYPE_ROLE = Qt.UserRole + 1

CATEGORY_TITLES = {
    "io": "Inputs & outputs", "core": "Core", "convolution": "Convolution",
    "pooling": "Pooling", "recurrent": "Recurrent", "attention": "Attention",
    "normalization": "Normalization", "regularization": "Regularization",
    "reshaping": "Reshaping", "merging": "Merging", "activation": "Activation",
    "preprocessing": "Preprocessing", "operations": "Operations (keras.ops)",
    "applications": "From keras.applications",
}
# Long categories start folded (the filter box opens them on a match).
FOLDED = ("preprocessing", "operations")


def first_line(text: str) -> str:
    text = (text or "").strip()
    return text.splitlines()[0] if text else ""


def layer_mime(type_name: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(LAYER_MIME, type_name.encode("utf-8"))
    mime.setText(type_name)
    return mime


class LayerTree(QTreeWidget):
    def mimeTypes(self):
        return [LAYER_MIME]

    def mimeData(self, items):
        types = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        return layer_mime(types[0]) if types else QMimeData()


class Palette(QWidget):
    addRequested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search layers  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tree = LayerTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.items: dict[str, QTreeWidgetItem] = {}
        self.groups: dict[str, QTreeWidgetItem] = {}
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._add_first_visible)
        self.tree.itemDoubleClicked.connect(self._double_clicked)

    def _populate(self) -> None:
        catalog = get_catalog()
        for category, specs in catalog.by_category().items():
            group = QTreeWidgetItem([CATEGORY_TITLES.get(category, category.title())])
            group.setFlags(Qt.ItemIsEnabled)
            group.setForeground(0, QBrush(theme.category_color(category).lighter(140)))
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            self.groups[category] = group
            for spec in specs:
                item = QTreeWidgetItem([spec.type])
                item.setData(0, TYPE_ROLE, spec.type)
                item.setToolTip(0, f"<b>{spec.type}</b><br>{first_line(spec.doc)}")
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable
                              | Qt.ItemIsDragEnabled)
                group.addChild(item)
                self.items[spec.type] = item
            group.setExpanded(category not in FOLDED)

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for group in self.groups.values():
            shown = 0
            for i in range(group.childCount()):
                child = group.child(i)
                match = not needle or needle in child.text(0).lower()
                child.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)
            if needle:
                group.setExpanded(True)

    def visible_types(self) -> list[str]:
        return [t for t, item in self.items.items()
                if not item.isHidden() and not item.parent().isHidden()]

    def focus_search(self) -> None:
        self.search.setFocus(Qt.ShortcutFocusReason)
        self.search.selectAll()

    def _add_first_visible(self) -> None:
        visible = self.visible_types()
        if visible:
            self.addRequested.emit(visible[0])

    def _double_clicked(self, item, _column) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.addRequested.emit(type_name)
