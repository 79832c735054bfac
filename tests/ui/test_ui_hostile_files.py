"""A file with hostile numbers and ports opens in the app and its nodes can
be inspected (10**400 overflowed Qt's spin boxes; port 2**64 hung drawing)."""

from __future__ import annotations

from uihelpers import select

BIG = "1" + "0" * 400


def test_huge_numbers_and_ports_open_and_inspect(window, tmp_path):
    text = (
        '{"format": "netbuilder-project", "schema_version": 1, "name": "h", '
        '"nodes": ['
        f'{{"id": "a", "type": "Input", "name": "a", "params": {{"shape": [4]}}, '
        f'"position": [{BIG}, 0]}},'
        '{"id": "b", "type": "Input", "name": "b", "params": {"shape": [4]}},'
        f'{{"id": "d", "type": "Dense", "name": "d", "params": {{"units": {BIG}}}}},'
        f'{{"id": "r", "type": "Dropout", "name": "r", "params": {{"rate": {BIG}}}}},'
        '{"id": "m", "type": "Add", "name": "m"},'
        '{"id": "o", "type": "Output", "name": "o"}],'
        '"edges": [{"from": ["a", 0], "to": ["m", 0]},'
        '{"from": ["b", 0], "to": ["m", 18446744073709551616]},'
        '{"from": ["m", 0], "to": ["d", 0]}, {"from": ["d", 0], "to": ["r", 0]},'
        '{"from": ["r", 0], "to": ["o", 0]}]}')
    path = tmp_path / "huge.nbproj"
    path.write_text(text, encoding="utf-8")
    win = window
    assert win.open_path(str(path))
    where = [e[2] for e in win.problems.all_entries()]
    assert any("$.edges[1]" in w for w in where)
    assert any("$.nodes[2].params.units" in w for w in where)
    assert win.editor.graph.input_count("m") == 2
    for node_id, key in (("d", "units"), ("r", "rate")):
        select(win, node_id)
        editor = win.inspector.rows[key].editor
        assert editor.box.value() == 0
