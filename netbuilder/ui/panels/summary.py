"""Model summary: per-layer name, type, output shape, params and FLOPs,
with totals (like Keras's model.summary, live)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from netbuilder.ui import theme

NODE_ROLE = Qt.UserRole + 1


class SummaryPanel(QTreeWidget):
    nodeActivated = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setColumnCount(5)
        self.setHeaderLabels(["Layer", "Type", "Output shape", "Params", "FLOPs"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        header = self.header()
        header.setSectionResizeMode(QHeaderView.Interactive)
        # the shape column takes the spare width, not the FLOPs column
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        for col, width in enumerate((160, 130, 200, 100, 90)):
            self.setColumnWidth(col, width)
        self.itemClicked.connect(self._clicked)
        self.totals = (0, 0)

    def update_summary(self, graph, info: dict) -> None:
        self.setUpdatesEnabled(False)
        self.clear()
        items = []
        total_params = total_flops = 0
        for nid in graph.topological_order():
            node = graph.nodes[nid]
            entry = info.get(nid)
            shapes = ", ".join(theme.shape_text(s) for s in entry.output_shapes) \
                if entry is not None else "?"
            params = entry.params if entry is not None else None
            flops = entry.flops if entry is not None else None
            total_params += params or 0
            total_flops += flops or 0
            item = QTreeWidgetItem([node.name, node.type, shapes,
                                    "–" if params is None else f"{params:,}",
                                    theme.human_count(flops)])
            item.setData(0, NODE_ROLE, nid)
            for col in (3, 4):
                item.setTextAlignment(col, Qt.AlignRight | Qt.AlignVCenter)
            items.append(item)
        layers = layer_count(graph)
        total = QTreeWidgetItem(["Total", f"{layers} layer{'s' * (layers != 1)}", "",
                                 f"{total_params:,}", theme.human_count(total_flops)])
        font = total.font(0)
        font.setBold(True)
        for col in range(5):
            total.setFont(col, font)
        for col in (3, 4):
            total.setTextAlignment(col, Qt.AlignRight | Qt.AlignVCenter)
        items.append(total)
        self.addTopLevelItems(items)
        self.totals = (total_params, total_flops)
        self.setUpdatesEnabled(True)

    def _clicked(self, item, _column=0) -> None:
        nid = item.data(0, NODE_ROLE)
        if nid:
            self.nodeActivated.emit(nid)


def layer_count(graph) -> int:
    """Layers of the model: Input and Output nodes are its ends, not layers."""
    return sum(1 for n in graph.nodes.values() if n.type not in ("Input", "Output"))
