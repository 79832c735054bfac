"""Nothing from a project file can escape into executable code."""

from __future__ import annotations

import ast
import io
import tokenize

from codegen_helpers import ruff_problems
from engine_helpers import chain
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.engine.codegen.literals import string_literal
from netbuilder.engine.codegen.module import docstring_lines, generate_code
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import loads

HOSTILE = [
    '"""; import os; os.system("echo pwned"); """',
    "'''\nimport os\n'''",
    'x"""',
    '"',
    '""',
    "\\",
    "ends with backslash \\",
    '\\"""',
    "line\nbreak\r\nand\ttab\x0cform\x00nul",
    "\u2028line separator\u2029paragraph\x85next line",
    "# comment ) ] } \\N{BULLET}",
    "\ud800 lone surrogate",
    "emoji 🎉 and ÄÖÜ",
    "a" * 300,
    "word " * 60,
    '"' * 7 + "'" * 3,
    "{__import__('os').system('id')}",
    "f'{1}'",
]


def hostile_graph(name: str, description: str, text: str) -> Graph:
    doc = {
        "format": "netbuilder-project", "schema_version": 1, "name": name,
        "description": description,
        "nodes": [
            {"id": "a", "type": "Input", "name": "tokens",
             "params": {"shape": [5, 3]}, "position": [0, 0]},
            {"id": "b", "type": "LSTM", "name": "lstm",
             "params": {"units": 2, "use_cudnn": text}, "position": [1, 0]},
            {"id": "c", "type": "Dot", "name": "dot",
             "params": {"axes": {text: [text, 1.5, None, True]}},
             "position": [2, 0]},
            {"id": "d", "type": "Output", "name": "out", "params": {},
             "position": [3, 0]},
        ],
        "edges": [{"from": ["a", 0], "to": ["b", 0]},
                  {"from": ["b", 0], "to": ["c", 0]},
                  {"from": ["b", 0], "to": ["c", 1]},
                  {"from": ["c", 0], "to": ["d", 0]}],
    }
    result = loads(__import__("json").dumps(doc))
    assert result.graph is not None and not result.problems, result.problems
    return result.graph


ALLOWED_CALLS = {"keras.Input", "keras.layers.LSTM", "keras.layers.Dot",
                 "keras.Model", "build_model", "model.summary"}


def assert_only_expected_code(text: str, hostile: str) -> None:
    tree = ast.parse(text)
    kinds = [type(n).__name__ for n in tree.body]
    assert kinds == ["Expr", "ImportFrom", "FunctionDef", "If"]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Call):  # keras.layers.X(...)(inputs)
                func = func.func
            assert ast.unparse(func) in ALLOWED_CALLS, ast.unparse(node)
        if isinstance(node, ast.Name):
            names.add(node.id)
        assert not isinstance(node, (ast.JoinedStr, ast.Lambda, ast.Subscript,
                                     ast.Import, ast.Global, ast.With))
    assert names <= {"keras", "tokens", "lstm", "dot", "model", "build_model",
                     "__name__"}
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert hostile in constants  # the text is data, exactly as given
    assert constants.count(hostile) == 3  # use_cudnn, the dict key, list item


def test_hostile_text_stays_data_and_ruff_clean(tmp_path):
    sources = {}
    for i, text in enumerate(HOSTILE):
        graph = hostile_graph(text, text, text)
        code = generate_code(graph)
        assert_only_expected_code(code, text)
        doc = ast.get_docstring(ast.parse(code))
        cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
        assert "".join(cleaned.split()) in "".join(doc.split())
        if "\ud800" not in text:  # ruff reads files as UTF-8
            sources[f"hostile_{i}"] = code
    assert ruff_problems(sources, tmp_path) == ""


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_string_literal_round_trips_as_one_token(text):
    source = string_literal(text)
    assert ast.literal_eval(source) == text
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.NEWLINE, tokenize.ENDMARKER)]
    assert [t.type for t in tokens] == [tokenize.STRING]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=3))
def test_docstring_holds_any_text(paragraphs):
    lines = docstring_lines(["Title."] + paragraphs)
    source = "\n".join(lines) + "\n"
    tree = ast.parse(source)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
    value = tree.body[0].value.value
    expected = "".join(
        "".join("".join(ch if ch.isprintable() else " " for ch in p).split())
        for p in ["Title."] + paragraphs)
    assert "".join(value.split()) == expected
    assert all(len(line) <= 88 for line in lines)


def test_hostile_project_name_is_a_safe_model_name():
    graph = Graph('evil")\nimport os\n#')
    chain(graph, [("Input", {"shape": [2]}), ("Output", {})])
    code = generate_code(graph)
    assert 'name="evil___import_os__"' in code
    assert "\nimport os" not in code
