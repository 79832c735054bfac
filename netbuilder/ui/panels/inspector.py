"""The inspector: the selected node's name and every parameter, with editors
generated from the spec; non-default values are marked and resettable.
Below: output shapes, params and FLOPs from the latest analysis."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from netbuilder.engine.model import events as ev
from netbuilder.ui import theme
from netbuilder.ui.panels.escape import restore_on_escape
from netbuilder.ui.panels.palette import first_line
from netbuilder.ui.panels.param_editors import make_editor


class ParamRow(QWidget):
    def __init__(self, spec, editor, parent=None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.editor = editor
        self.label = QLabel(spec.name)
        self.label.setToolTip(first_line(spec.doc))
        editor.setToolTip(first_line(spec.doc))
        self.reset = QToolButton(self)
        self.reset.setText("↺")
        self.reset.setToolTip(f"Reset to the default ({spec.default!r})")
        self.reset.setAutoRaise(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #ff6b6b;")
        self.error.hide()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(1)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(editor, 1)
        line.addWidget(self.reset)
        outer.addLayout(line)
        outer.addWidget(self.error)

    def show_value(self, value, is_default: bool) -> None:
        self.editor.set_value(value)
        font = self.label.font()
        font.setBold(not is_default)
        self.label.setFont(font)
        self.label.setText(("● " if not is_default else "") + self.spec.name)
        self.reset.setEnabled(not is_default and not self.spec.required)
        self.show_error("")

    def show_wired(self, wired: bool) -> None:
        """An operation's tensor argument: its constant applies only while
        no wire goes into its port."""
        self.editor.setEnabled(not wired)
        self.label.setText(self.label.text() + (" (wired)" if wired
                                                else " (constant)"))
        self.editor.setToolTip("A tensor is wired into this port." if wired else
                               "No wire: this constant is used, e.g. 0.5.")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.editor.set_invalid(bool(text))


# Parameters most models leave alone: shown under "Advanced", folded.
ADVANCED_KINDS = frozenset({"initializer", "regularizer", "constraint", "dtype"})
ADVANCED_NAMES = frozenset({
    "trainable", "data_format", "dilation_rate", "groups", "lora_rank",
    "lora_alpha", "quantization_config", "seed", "use_cudnn", "unroll",
    "stateful", "go_backwards", "renorm", "renorm_clipping", "renorm_momentum",
    "synchronized", "weights", "unit_forget_bias", "autocast"})


def is_advanced(pspec) -> bool:
    if pspec.required:
        return False
    return pspec.kind in ADVANCED_KINDS or pspec.name in ADVANCED_NAMES


def _form(layout) -> QFormLayout:
    host = QWidget()
    form = QFormLayout(host)
    form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.WrapLongRows)
    layout.addWidget(host)
    return form


class Inspector(QWidget):
    def __init__(self, editor, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.node_ids: list[str] = []
        self.rows: dict[str, ParamRow] = {}
        self.info: dict = {}
        self._unsubscribe: list = []

        self.title = QLabel("Nothing selected")
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.doc = QLabel("")
        self.doc.setWordWrap(True)
        self.doc.setStyleSheet("color: #9aa4b2;")
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.RichText)
        self.notice.setStyleSheet("color: #f0c060; padding: 2px 0;")
        self.notice.hide()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("layer name")
        self.name_error = QLabel("")
        self.name_error.setStyleSheet("color: #ff6b6b;")
        self.name_error.hide()
        self.form_host = QWidget()
        host = QVBoxLayout(self.form_host)
        host.setContentsMargins(0, 0, 0, 0)
        self.form = _form(host)
        # Initializers, regularizers, constraints, dtype, ...: folded away
        self.advanced_button = QToolButton()
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.RightArrow)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.toggled.connect(self._fold_advanced)
        host.addWidget(self.advanced_button)
        self.advanced_host = QWidget()
        advanced = QVBoxLayout(self.advanced_host)
        advanced.setContentsMargins(0, 0, 0, 0)
        self.advanced_form = _form(advanced)
        self.advanced_host.hide()
        host.addWidget(self.advanced_host)
        host.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        # rows shrink to the panel's width: never a sideways scroll bar
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(self.form_host)
        self.stats = QLabel("")
        self.stats.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.stats.setWordWrap(True)
        self.stats.setStyleSheet("padding: 4px; background: #2b2f35; "
                                 "border-radius: 4px;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.doc)
        layout.addWidget(self.notice)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.name_error)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.stats)
        self.name_edit.editingFinished.connect(self._rename)
        restore_on_escape(self.name_edit, self._restore_name)
        self.editor.graphReplaced.connect(self._graph_replaced)
        self._graph_replaced(self.editor.graph)

    @property
    def graph(self):
        return self.editor.graph

    def _graph_replaced(self, graph) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = self._subscribe(graph)
        self.show_nodes([])

    # ------------------------------------------------------------ building
    def show_nodes(self, node_ids) -> None:
        node_ids = [n for n in node_ids if n in self.graph.nodes]
        self.node_ids = node_ids
        for form in (self.form, self.advanced_form):
            while form.rowCount():
                form.removeRow(0)
        self.advanced_button.hide()
        self.rows = {}
        self.name_error.hide()
        if not node_ids:
            self.title.setText("Nothing selected")
            self.doc.setText("Select a layer to edit it, or drag one in from the "
                             "palette.")
            self.name_edit.hide()
            self.stats.hide()
            self.notice.hide()
            return
        nodes = [self.graph.node(n) for n in node_ids]
        types = {n.type for n in nodes}
        spec = self.graph.catalog.get(nodes[0].type) if len(types) == 1 else None
        if len(nodes) == 1:
            self.title.setText(f"{nodes[0].type}")
            self.name_edit.show()
            self.name_edit.setText(nodes[0].name)
        else:
            kind = f" {nodes[0].type}" if len(types) == 1 else ""
            self.title.setText(f"{len(nodes)}{kind} layers selected")
            self.name_edit.hide()
        self.doc.setText(first_line(spec.doc) if spec else (
            f"unknown layer type {nodes[0].type!r}" if len(types) == 1 else
            "Layers of different types: select one type to edit shared params."))
        self._refresh_notice()
        if spec is not None and spec.type != "Group":
            for pspec in spec.params:
                editor = make_editor(pspec, self.graph.catalog)
                row = ParamRow(pspec, editor)
                key = pspec.name
                editor.committed.connect(lambda v, k=key: self._commit(k, v))
                row.reset.clicked.connect(lambda _=False, k=key: self._reset(k))
                self.rows[key] = row
                form = self.advanced_form if is_advanced(pspec) else self.form
                form.addRow(row.label, row)
            self.advanced_button.setVisible(self.advanced_form.rowCount() > 0)
            self._refresh_values()
        self._refresh_stats()

    def _refresh_values(self) -> None:
        if not self.node_ids or self.node_ids[0] not in self.graph.nodes:
            return
        node = self.graph.node(self.node_ids[0])
        spec = self.graph.catalog.get(node.type)
        wired = {e.dst_port for e in self.graph.incoming(node.id)}
        for key, row in self.rows.items():
            value = node.params.get(key, row.spec.default)
            row.show_value(value, key not in node.params)
            if row.spec.tensor:  # an operation's port: a wire, or this constant
                port = spec.inputs.index(key) if key in spec.inputs else -1
                row.show_wired(len(self.node_ids) == 1 and port in wired)
        self._title_advanced()

    def _title_advanced(self) -> None:
        rows = [r for r in self.rows.values() if is_advanced(r.spec)]
        changed = sum(1 for r in rows if r.label.font().bold())
        self.advanced_button.setText(f"Advanced ({len(rows)})" + (
            f" · {changed} changed" if changed else ""))

    def _fold_advanced(self, open_: bool) -> None:
        self.advanced_host.setVisible(open_)
        self.advanced_button.setArrowType(Qt.DownArrow if open_ else Qt.RightArrow)

    def _refresh_notice(self) -> None:
        """Shared layer, group and imported-weights notes for one node."""
        from netbuilder.ui.canvas.group_view import group_outline
        from netbuilder.ui.document.weights_notice import node_loses_weights

        lines = []
        if len(self.node_ids) == 1:
            g, nid = self.graph, self.node_ids[0]
            node = g.node(nid)
            lines += _sharing_lines(g, node)
            if node.type == "Group":
                layers = group_outline(node)[0]
                lines.append(f"▣ A group of {layers} layers. Double-click it on the "
                             "canvas (or press Enter) to look inside; Flatten group "
                             "(Ctrl+Shift+G) puts its layers back to edit them.")
            if node_loses_weights(g, nid):
                lines.append("⚠ Edited since import: this layer's imported weights "
                             "will be replaced by fresh ones when the model is "
                             "built. Undo the edit to keep them.")
        self.notice.setText("<br>".join(lines))
        self.notice.setVisible(bool(lines))

    # ------------------------------------------------------------ edits
    def _commit(self, key: str, value) -> None:
        row = self.rows.get(key)
        for nid in self.node_ids:
            reason = self.editor.check_param(nid, key, value)
            if reason:
                if row is not None:
                    row.show_error(reason)
                return
        if row is not None:
            row.show_error("")
        if len(self.node_ids) == 1:
            self.editor.set_param(self.node_ids[0], key, value)
        else:
            self.editor.set_param_many(self.node_ids, key, value)

    def _reset(self, key: str) -> None:
        row = self.rows.get(key)
        if row is not None:
            self._commit(key, row.spec.default)
            self._refresh_values()

    def _restore_name(self) -> None:
        if len(self.node_ids) == 1 and self.node_ids[0] in self.graph.nodes:
            self.name_edit.setText(self.graph.node(self.node_ids[0]).name)
        self.name_error.hide()

    def _rename(self) -> None:
        if len(self.node_ids) != 1:
            return
        nid = self.node_ids[0]
        new = self.name_edit.text().strip()
        if nid not in self.graph.nodes or new == self.graph.node(nid).name:
            self.name_error.hide()
            return
        from netbuilder.engine.model.errors import GraphError

        try:
            self.graph.check_rename(nid, new)
        except GraphError as exc:
            self.name_error.setText(str(exc))
            self.name_error.show()
            return
        self.name_error.hide()
        self.editor.rename(nid, new)

    # ------------------------------------------------------------ updates
    def _subscribe(self, graph) -> list:
        events = graph.events
        return [events.subscribe(self._node_removed, ev.NodeRemoved),
                events.subscribe(self._wires_changed, ev.EdgeAdded, ev.EdgeRemoved),
                events.subscribe(self._params_changed, ev.ParamChanged,
                                 ev.SharesChanged),
                events.subscribe(self._node_renamed, ev.NodeRenamed)]

    def _node_removed(self, event: ev.NodeRemoved) -> None:
        if event.node_id in self.node_ids:
            self.show_nodes([n for n in self.node_ids if n in self.graph.nodes])

    def _params_changed(self, event: ev.ParamChanged | ev.SharesChanged) -> None:
        if event.node_id in self.node_ids:
            self._refresh_values()
            self._refresh_notice()

    def _wires_changed(self, event: ev.EdgeAdded | ev.EdgeRemoved) -> None:
        if event.node_id in self.node_ids and any(r.spec.tensor
                                                  for r in self.rows.values()):
            self._refresh_values()

    def _node_renamed(self, event: ev.NodeRenamed) -> None:
        if event.node_id in self.node_ids and len(self.node_ids) == 1:
            self.name_edit.setText(event.new)

    def set_info(self, info: dict) -> None:
        self.info = info
        self._refresh_stats()

    def _refresh_stats(self) -> None:
        if len(self.node_ids) != 1:
            total = [self.info.get(n) for n in self.node_ids]
            params = sum(getattr(i, "params", 0) or 0 for i in total if i)
            if self.node_ids:
                self.stats.setText(f"Params (total): {params:,}")
                self.stats.show()
            return
        info = self.info.get(self.node_ids[0])
        self.stats.show()
        if info is None:
            self.stats.setText("Output: (shapes not inferred yet)")
            return
        shapes = ", ".join(theme.shape_text(s)
                           for s in (info.output_shapes or [])) or "–"
        params = getattr(info, "params", None)
        flops = getattr(info, "flops", None)
        self.stats.setText(
            f"<b>Output</b> {shapes}<br><b>Params</b> "
            f"{params if params is None else format(params, ',')}"
            f" &nbsp; <b>FLOPs</b> {theme.human_count(flops)}")


def _sharing_lines(g, node) -> list[str]:
    """The shared-layer (or shared sub-model) note of one node."""
    owner = g.nodes.get(node.shares) if node.shares else None
    sharers = [n.name for n in g.nodes.values() if n.shares == node.id]
    if owner is None and not sharers:
        return []
    names = owner.name if owner is not None else (
        ", ".join(sharers[:6]) + (" …" if len(sharers) > 6 else ""))
    if node.type == "Group":
        sites = len(g.share_set(node.id))
        return [f"⇄ Calls the same sub-model as <b>{names}</b>: one nested model, "
                f"one set of weights. Flatten group flattens all {sites} call "
                "sites, their layers staying shared, so an edit reaches every "
                "site."]
    if owner is not None:
        return [f"⇄ Shares its layer with <b>{names}</b>; editing it edits both."]
    return [f"⇄ Shares its layer with <b>{names}</b>; editing it edits them too."]
