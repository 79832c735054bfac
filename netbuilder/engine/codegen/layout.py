"""Lay out generated Python source the way ``ruff format`` leaves it.

Code generation builds small trees of :class:`Atom` (text that cannot be
split) and :class:`Group` (a bracketed, comma-separated list, such as a call
or a tuple) and renders them here. A group that fits on its line stays flat;
one that does not is exploded with one item per line and a trailing comma.
The trailing comma is "magic" for ruff and black, so the exploded form is
exactly what ``ruff format`` keeps, and the flat form is only used when it
fits the line length.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LINE_LENGTH = 88
INDENT = "    "


@dataclass
class Atom:
    """Source text that is never split (a name, a number, a string literal)."""

    text: str


@dataclass
class Item:
    """One element of a :class:`Group`, e.g. ``prefix="units="``."""

    node: Atom | Group
    prefix: str = ""


@dataclass
class Group:
    """``head`` + ``open`` + items separated by ", " + ``close``.

    ``tuple_one``: a one-element tuple, which needs its comma even when flat.
    """

    head: str
    open: str
    items: list[Item] = field(default_factory=list)
    close: str = ""
    tuple_one: bool = False


Node = Atom | Group


def flat(node: Node) -> str:
    """The node on one line."""
    if isinstance(node, Atom):
        return node.text
    inner = ", ".join(item.prefix + flat(item.node) for item in node.items)
    if node.tuple_one and len(node.items) == 1:
        inner += ","
    return node.head + node.open + inner + node.close


def fits(line: str) -> bool:
    return len(line) <= LINE_LENGTH


def _atom_line(line: str) -> str:
    """An unsplittable line; too long ones with spaces get a noqa comment
    (ruff's E501 already ignores long lines that are a single word)."""
    if not fits(line) and " " in line.strip():
        return line + "  # noqa: E501"
    return line


def render(node: Node, indent: int, lead: str, trail: str) -> list[str]:
    """Lines for ``lead + node + trail`` at indentation level ``indent``
    (in spaces); ``lead`` already holds the indentation of the first line."""
    one = lead + flat(node) + trail
    if fits(one) or isinstance(node, Atom) or not node.items:
        return [_atom_line(one)]
    return explode(node, indent, lead) + [" " * indent + node.close + trail]


def explode(group: Group, indent: int, lead: str) -> list[str]:
    """Every line of the exploded group except its closing bracket."""
    inner = " " * (indent + len(INDENT))
    lines = [_atom_line(lead + group.head + group.open)]
    for item in group.items:
        lines += render(item.node, indent + len(INDENT), inner + item.prefix, ",")
    return lines


def exploded_targets(targets: list[str], indent: int) -> tuple[list[str], str]:
    """``(\n a,\n b,\n) = `` for target lists too long for one line: the
    lines before the assignment's value and the lead of the value's line."""
    pad = " " * indent
    lines = [pad + "("] + [pad + INDENT + t + "," for t in targets]
    return lines, pad + ") = "


def render_layer_call(targets: list[str], ctor: Group, call: Group,
                      indent: int) -> list[str]:
    """``targets = Ctor(args)(inputs)`` laid out as ruff formats it."""
    pre, lead = [], " " * indent + ", ".join(targets) + " = "
    if len(targets) > 1 and not fits(lead + ctor.head + ctor.open):
        pre, lead = exploded_targets(targets, indent)
    one = lead + flat(ctor) + flat(call)
    if fits(one):
        return pre + [one]
    lines = pre + explode(ctor, indent, lead)
    close = " " * indent + ctor.close
    if fits(close + flat(call)):
        return lines + [close + flat(call)]
    lines.append(close + call.open)
    inner = " " * (indent + len(INDENT))
    if len(call.items) == 1 and not call.items[0].prefix:
        # A sole argument goes on its own line, without a trailing comma.
        lines += render(call.items[0].node, indent + len(INDENT), inner, "")
    else:
        for item in call.items:
            lines += render(item.node, indent + len(INDENT), inner + item.prefix, ",")
    lines.append(" " * indent + call.close)
    return lines
