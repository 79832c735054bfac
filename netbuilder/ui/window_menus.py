"""Menus, toolbar and shortcuts of the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence


def _action(win, text: str, slot, keys=None, tip: str = "",
            canvas: bool = False) -> QAction:
    action = QAction(text, win)
    if keys is not None:
        win.shortcut(action, keys)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString()})"
                          if keys is not None else tip)
    action.triggered.connect(lambda _=False: slot())
    if canvas:
        # Canvas keys (Delete, Ctrl+C, L, ...) must not steal keys from text
        # fields: they act only while the canvas has focus.
        action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        win.view.addAction(action)
    return action


def build_menus(win) -> None:
    """The menu bar (File, Edit, View, Help), the toolbar, the canvas's
    context menu and the weights notice, in that order."""
    bar = win.menuBar()
    _file_menu(win, bar.addMenu("&File"))
    edit = bar.addMenu("&Edit")
    _edit_menu(win, edit)
    _find_actions(win, edit)
    _view_menu(win, bar.addMenu("&View"))
    _help_menu(win, bar.addMenu("&Help"))
    _toolbar(win)
    install_canvas_menu(win)
    install_weights_notice(win)


def _file_menu(win, m) -> None:
    win.new_action = _action(win, "&New", win.new_document, QKeySequence.New,
                             "New empty project")
    win.open_action = _action(win, "&Open…", win.open_dialog, QKeySequence.Open,
                              "Open a project")
    m.addAction(win.new_action)
    m.addAction(win.open_action)
    win.recent_menu = m.addMenu("Open &Recent")
    examples = m.addMenu("E&xamples")
    for path in win.examples():
        a = examples.addAction(path.stem.replace("_", " "))
        a.triggered.connect(lambda _=False, p=str(path): win.open_example(p))
    m.addSeparator()
    win.import_action = _action(win, "&Import Model…", win.import_model, "Ctrl+I",
                                "Import a .keras, .h5 or .py model as a project")
    m.addAction(win.import_action)
    win.trust_action = _action(win, "&Trust Custom Code…", win.toggle_custom_trust,
                               tip="Run (or stop running) the project's own "
                                   "Python module(s) that define its custom "
                                   "layers")
    m.addAction(win.trust_action)
    m.addSeparator()
    win.save_action = _action(win, "&Save", win.save, QKeySequence.Save,
                              "Save the project")
    win.save_as_action = _action(win, "Save &As…", win.save_as, QKeySequence.SaveAs)
    m.addAction(win.save_action)
    m.addAction(win.save_as_action)
    m.addSeparator()
    export = win.export_menu = m.addMenu("&Export")
    # (the Training dock adds Model (SavedModel, .keras, TFLite) first)
    export.addAction(_action(win, "&Python…", win.export_python, "Ctrl+E",
                             "Export the generated Python code"))
    export.addAction(_action(win, "&Diagram (PNG or SVG)…", win.export_diagram,
                             "Ctrl+Alt+E", "Export the canvas as an image"))
    m.addSeparator()
    m.addAction(_action(win, "&Quit", win.close, QKeySequence.Quit))


def _edit_menu(win, m) -> None:
    win.undo_action = win.editor.stack.createUndoAction(win, "&Undo")
    win.undo_action.setShortcut(QKeySequence.Undo)
    win.redo_action = win.editor.stack.createRedoAction(win, "&Redo")
    win.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    m.addAction(win.undo_action)
    m.addAction(win.redo_action)
    m.addSeparator()
    win.cut_action = _action(win, "Cu&t", win.cut_selection, QKeySequence.Cut,
                             canvas=True)
    win.copy_action = _action(win, "&Copy", win.copy_selection, QKeySequence.Copy,
                              canvas=True)
    win.paste_action = _action(win, "&Paste", win.paste, QKeySequence.Paste,
                               canvas=True)
    win.duplicate_action = _action(win, "&Duplicate", win.duplicate, "Ctrl+D",
                                   canvas=True)
    win.delete_action = _action(win, "&Delete", win.delete_selection,
                                [QKeySequence.Delete, QKeySequence("Backspace")],
                                canvas=True)
    win.select_all_action = _action(win, "Select &All", win.select_all,
                                    QKeySequence.SelectAll, canvas=True)
    for a in (win.cut_action, win.copy_action, win.paste_action, win.duplicate_action,
              win.delete_action, win.select_all_action):
        m.addAction(a)
    m.addSeparator()
    win.group_action = _action(win, "&Group Selection", win.group_selection,
                               "Ctrl+G", "Make the selected layers one group",
                               canvas=True)
    win.flatten_action = _action(win, "&Flatten Group", win.flatten_selection,
                                 "Ctrl+Shift+G", "Put a group's layers back inline",
                                 canvas=True)
    win.expand_action = _action(win, "E&xpand / Collapse Group",
                                win.toggle_group_expanded,
                                [QKeySequence("Return"), QKeySequence("Enter")],
                                "Show or hide the layers inside a group",
                                canvas=True)
    win.blocks_action = _action(win, "Group &Blocks", win.group_blocks,
                                "Ctrl+Shift+B", "Fold each named block (block_3_…, "
                                "conv2_block1_…) into a group")
    for a in (win.group_action, win.flatten_action, win.expand_action,
              win.blocks_action):
        m.addAction(a)


def _find_actions(win, m) -> None:
    """Find Layer, Find Next/Previous, Search Palette and Quick Add (Edit)."""
    m.addSeparator()
    win.palette_search_action = _action(win, "Search &Palette…",
                                        win.palette.focus_search, QKeySequence.Find,
                                        "Search the palette of layer types")
    win.find_action = _action(win, "&Find Layer…", win.find_bar.open_bar,
                              ["Ctrl+K", "Ctrl+Shift+F"],
                              "Find a layer of this graph by name or type")
    win.find_next_action = _action(win, "Find &Next", win.find_bar.next, "F3")
    win.find_prev_action = _action(win, "Find Pre&vious", win.find_bar.previous,
                                   "Shift+F3")
    win.quick_add_action = _action(
        win, "&Quick Add…", lambda: win.open_quick_add(win.view.view_center()),
        "Ctrl+Space", "Add a layer by name")
    for a in (win.find_action, win.find_next_action, win.find_prev_action,
              win.palette_search_action, win.quick_add_action):
        m.addAction(a)


def _view_menu(win, m) -> None:
    win.fit_action = _action(win, "&Fit Graph", win.view.fit_graph, "F", canvas=True)
    win.reset_zoom_action = _action(win, "&Actual Size", win.view.reset_zoom, "1",
                                    canvas=True)
    zoom_in = _action(win, "Zoom &In",
                      lambda: win.view.set_zoom(win.view.zoom() * 1.25),
                      QKeySequence.ZoomIn)
    zoom_out = _action(win, "Zoom &Out",
                       lambda: win.view.set_zoom(win.view.zoom() / 1.25),
                       QKeySequence.ZoomOut)
    win.arrange_action = _action(win, "Auto-&Arrange", win.auto_arrange, "L",
                                 "Arrange the graph in layers", canvas=True)
    win.zoom_in_action, win.zoom_out_action = zoom_in, zoom_out
    for a in (win.fit_action, win.reset_zoom_action, zoom_in, zoom_out):
        m.addAction(a)
    m.addSeparator()
    m.addAction(win.arrange_action)
    _direction_actions(win, m)
    m.addSeparator()
    panels = m.addMenu("&Panels")
    for dock in (win.palette_dock, win.minimap_dock, win.inspector_dock,
                 win.code_dock, win.problems_dock, win.summary_dock):
        panels.addAction(dock.toggleViewAction())


def _help_menu(win, m) -> None:
    win.readme_action = _action(win, "NetBuilder &Guide (README)",
                                lambda: open_readme(win), QKeySequence.HelpContents,
                                "Open the README: quick start, examples, data")
    m.addAction(win.readme_action)
    m.addAction(_action(win, "&Keyboard Shortcuts", lambda: show_shortcuts(win)))


def _toolbar(win) -> None:
    """New, Open, Save, Undo, Redo, Auto-Arrange, zoom buttons, Find Layer."""
    tb = win.addToolBar("Main")
    tb.setObjectName("mainToolbar")
    tb.setToolButtonStyle(Qt.ToolButtonTextOnly)
    tb.setMovable(True)
    for a in (win.new_action, win.open_action, win.save_action):
        tb.addAction(a)
    tb.addSeparator()
    win.undo_button = _fixed_button(win, "Undo", win.undo_action)
    win.redo_button = _fixed_button(win, "Redo", win.redo_action)
    tb.addAction(win.undo_button)
    tb.addAction(win.redo_button)
    tb.addSeparator()
    tb.addAction(win.arrange_action)
    tb.addSeparator()
    for a, text in ((win.zoom_out_action, "−"), (win.zoom_in_action, "+"),
                    (win.reset_zoom_action, "100%"), (win.fit_action, "Fit")):
        tb.addAction(a)
        tb.widgetForAction(a).setText(text)
        tb.widgetForAction(a).setToolTip(f"{a.text().replace('&', '')} "
                                         f"({a.shortcut().toString()})")
    tb.addSeparator()
    tb.addAction(win.find_action)


def _fixed_button(win, text: str, stack_action: QAction) -> QAction:
    """A toolbar twin of the Undo/Redo menu action whose text never changes
    (the toolbar does not move as you edit); what it would undo is in the
    tooltip. It has no shortcut of its own: the menu action has it."""
    twin = QAction(text, win)
    twin.triggered.connect(lambda _=False: stack_action.trigger())

    def follow() -> None:
        try:
            twin.setEnabled(stack_action.isEnabled())
        except RuntimeError:  # the window is being destroyed
            return
        keys = stack_action.shortcut().toString(QKeySequence.NativeText)
        what = stack_action.text().replace("&", "")
        twin.setToolTip(f"{what} ({keys})" if keys else what)

    stack_action.changed.connect(follow)
    follow()
    return twin


def _direction_actions(win, menu) -> None:
    """View → Top to Bottom / Left to Right: stored in the project; choosing
    one re-arranges the graph (one undo step)."""
    from PySide6.QtGui import QActionGroup

    group = QActionGroup(win)
    win.direction_actions = {}
    for key, text in (("TB", "Layout &Top to Bottom"), ("LR", "Layout &Left to Right")):
        action = QAction(text, win)
        action.setCheckable(True)
        action.setStatusTip("Draw the graph in layers " + text.split(" ", 1)[1]
                            .replace("&", "").lower() + " (saved in the project)")
        action.triggered.connect(lambda _=False, k=key: win.auto_arrange(k))
        group.addAction(action)
        menu.addAction(action)
        win.direction_actions[key] = action
    win.sync_direction_actions()


def install_canvas_menu(win) -> None:
    """Right-click on the canvas: the edit actions that apply there."""
    from PySide6.QtWidgets import QMenu

    def show(pos) -> None:
        scene_pos = win.view.mapToScene(pos)
        item = win.scene.itemAt(scene_pos, win.view.transform())
        from netbuilder.ui.canvas.node_item import NodeItem

        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if item is not None and not item.isSelected():
            win.scene.select_nodes([item.node_id])
        menu = QMenu(win.view)
        selected = win.scene.selected_node_ids()
        groups = [n for n in selected if win.editor.graph.nodes[n].type == "Group"]
        win.group_action.setEnabled(bool(selected))
        win.flatten_action.setEnabled(len(groups) == 1)
        win.expand_action.setEnabled(bool(groups))
        for a in (win.cut_action, win.copy_action, win.paste_action,
                  win.duplicate_action, win.delete_action):
            menu.addAction(a)
        menu.addSeparator()
        for a in (win.group_action, win.flatten_action, win.expand_action):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(win.arrange_action)
        win.canvas_menu = menu
        menu.aboutToHide.connect(lambda: [a.setEnabled(True) for a in (
            win.group_action, win.flatten_action, win.expand_action)])
        menu.popup(win.view.viewport().mapToGlobal(pos))

    win.view.setContextMenuPolicy(Qt.CustomContextMenu)
    win.view.customContextMenuRequested.connect(show)


def install_weights_notice(win) -> None:
    from netbuilder.ui.document.weights_notice import WeightsNotice

    win.weights_notice = WeightsNotice(win)


GESTURES = """
<b>Canvas</b><br>
Drag from a port to a port — connect<br>
Tab or double-click empty canvas — quick add<br>
Wheel — zoom · middle button or Space+drag — pan<br>
Double-click a group — show / hide its layers<br>
"""


def shortcut_rows(win) -> list[tuple[str, str, str]]:
    """(menu, keys, command) for every menu command with a shortcut, read from
    the menus themselves so that the list is never out of date."""
    from PySide6.QtGui import QKeySequence

    rows, seen = [], set()

    def walk(menu, title: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), title)
                continue
            keys = " / ".join(k.toString(QKeySequence.NativeText)
                              for k in action.shortcuts() if not k.isEmpty())
            if keys and id(action) not in seen:
                seen.add(id(action))
                rows.append((title, keys, action.text().replace("&", "")
                             .rstrip("…")))

    for top in win.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), top.text().replace("&", ""))
    return rows


def shortcuts_html(win) -> str:
    parts, last = [GESTURES], None
    for title, keys, text in shortcut_rows(win):
        if title != last:
            parts.append(f"<br><b>{title}</b><br>")
            last = title
        parts.append(f"{keys} — {text}<br>")
    return "".join(parts)


def show_shortcuts(win) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(win, "Keyboard shortcuts", shortcuts_html(win))


def readme_path():
    from netbuilder.ui.settings import examples_dir

    return examples_dir().parents[1] / "README.md"


def open_readme(win) -> bool:
    """Help -> Guide: the README in the system's viewer (the path is shown
    when nothing can open it)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    path = readme_path()
    if not path.exists():
        win.show_message(f"The README is not installed here ({path})")
        return False
    opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    win.show_message(f"Opened {path}" if opened else
                     f"No program to open {path}; read it in any text editor")
    return opened
