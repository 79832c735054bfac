"""Copy and paste of nodes through the system clipboard (JSON)."""

from __future__ import annotations

import copy
import json

from PySide6.QtGui import QGuiApplication

MIME = "application/x-netbuilder-nodes"


def selection_payload(graph, node_ids) -> dict:
    ids = [n for n in node_ids if n in graph.nodes]
    chosen = set(ids)
    nodes = [{"id": n.id, "type": n.type, "name": n.name,
              "params": copy.deepcopy(n.params), "position": list(n.position)}
             for n in (graph.nodes[i] for i in ids)]
    edges = [e.to_json() for e in graph.edges if e.src in chosen and e.dst in chosen]
    return {"format": "netbuilder-nodes", "nodes": nodes, "edges": edges}


def copy_nodes(graph, node_ids) -> int:
    payload = selection_payload(graph, node_ids)
    if not payload["nodes"]:
        return 0
    # Plain text (JSON): other apps can read it, and it avoids handing a
    # Python-owned QMimeData to the clipboard (PySide crashes at exit).
    QGuiApplication.clipboard().setText(json.dumps(payload))
    return len(payload["nodes"])


def clipboard_payload() -> dict | None:
    mime = QGuiApplication.clipboard().mimeData()
    if mime is None:
        return None
    if mime.hasFormat(MIME):
        text = bytes(mime.data(MIME)).decode("utf-8")
    elif mime.hasText():
        text = mime.text()
    else:
        return None
    try:
        payload = json.loads(text)
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("format") != "netbuilder-nodes":
        return None
    nodes = payload.get("nodes")
    if not isinstance(nodes, list) or not all(
            isinstance(n, dict) and isinstance(n.get("type"), str)
            and isinstance(n.get("id"), str) for n in nodes):
        return None
    edges = [e for e in payload.get("edges", []) if isinstance(e, dict)
             and isinstance(e.get("from"), list) and isinstance(e.get("to"), list)]
    return {"nodes": nodes, "edges": edges}
