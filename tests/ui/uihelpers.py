"""Helpers that drive the app the way a user does."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


# ------------------------------------------------------------ user gestures
def drop_layer(win, type_name: str, scene_pos) -> str:
    """Drag ``type_name`` from the palette and drop it on the canvas."""
    from netbuilder.ui.panels.palette import TYPE_ROLE

    item = win.palette.items[type_name]
    mime = win.palette.tree.mimeData([item])
    assert item.data(0, TYPE_ROLE) == type_name
    viewport = win.view.viewport()
    pos = win.view.mapFromScene(QPointF(*scene_pos))
    before = set(win.editor.graph.nodes)
    for kind in ("enter", "move", "drop"):
        cls = {"enter": QDragEnterEvent, "move": QDragMoveEvent,
               "drop": QDropEvent}[kind]
        if kind == "drop":
            event = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton,
                               Qt.NoModifier)
        else:
            event = cls(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(viewport, event)
    new = set(win.editor.graph.nodes) - before
    assert len(new) == 1, f"dropping {type_name} did not add a node"
    return new.pop()


def port_point(win, node_id: str, port: int, output: bool) -> QPoint:
    item = win.scene.nodes[node_id]
    p = (item.outputs if output else item.inputs)[port]
    return win.view.mapFromScene(p.scenePos())


def drag_wire(win, start: QPoint, end: QPoint) -> None:
    viewport = win.view.viewport()
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    mid = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    QTest.mouseMove(viewport, mid)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, end)


def connect(win, src: str, dst: str, src_port: int = 0, dst_port: int = 0) -> None:
    """Drag a wire from an output port to an input port."""
    win.view.centerOn(win.scene.nodes[src])
    a = port_point(win, src, src_port, True)
    b = port_point(win, dst, dst_port, False)
    if not win.view.viewport().rect().contains(b):
        win.view.set_zoom(0.5)
        win.view.centerOn((win.scene.nodes[src].pos() + win.scene.nodes[dst].pos()) / 2)
        a = port_point(win, src, src_port, True)
        b = port_point(win, dst, dst_port, False)
    drag_wire(win, a, b)


def select(win, *node_ids) -> None:
    win.scene.select_nodes(list(node_ids))


def focus_canvas(win) -> None:
    """Give the canvas the keyboard focus, as clicking into it would.

    Canvas shortcuts (Enter, Delete, Ctrl+C, ...) act only while the canvas
    has the focus, and a widget gets the focus only in the active window.
    Offscreen Qt has no window manager: after a dialog closed, or after an
    earlier test's window was shown, no window is active again by itself, so
    a bare ``setFocus()`` silently did nothing and the keys went nowhere."""
    from PySide6.QtCore import QDeadlineTimer

    win.activateWindow()
    win.raise_()
    win.view.setFocus(Qt.OtherFocusReason)
    deadline = QDeadlineTimer(5000)
    while not win.view.hasFocus() and not deadline.hasExpired():
        QApplication.processEvents()
        win.view.setFocus(Qt.OtherFocusReason)
    assert win.view.hasFocus(), "the canvas did not get the keyboard focus"
