"""Training failures in plain words.

Keras reports a failure inside ``fit`` with its own vocabulary (ranks,
``target.ndim``, tensor dumps). :func:`explain_failure` turns the common
ones into a sentence that names the node at fault and says what to change;
Keras's own text is kept as the details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from netbuilder.engine.model.graph import Graph

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SHAPES = re.compile(r"target\.shape=(\([^)]*\)).*?output\.shape=(\([^)]*\))", re.S)
LABEL_RANGE = re.compile(r"label value of (-?\d+) which is outside the valid range "
                         r"of \[0, (\d+)\)")
INCOMPATIBLE = re.compile(r"Incompatible shapes: (\[[^\]]*\]) vs\. (\[[^\]]*\])")


@dataclass
class Failure:
    message: str  # plain words, naming the node
    details: str  # the original message


def raw_text(exc: BaseException) -> str:
    text = ANSI.sub("", str(exc)).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def node_in(text: str, graph: Graph) -> str | None:
    """The first node of ``graph`` whose name the text quotes."""
    best = None
    for node in graph.nodes.values():
        match = re.search(rf"""['"]{re.escape(node.name)}['"/]|name={re.escape(
            node.name)}\b""", text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), node.name)
    return best[1] if best else None


def explain_failure(exc: BaseException, graph: Graph) -> Failure:
    details = raw_text(exc)
    outputs = [n.name for n in graph.output_nodes()]
    output = (f"Output '{outputs[0]}'" if len(outputs) == 1
              else "an Output (" + ", ".join(outputs) + ")")
    node = node_in(details, graph)
    at = f" at '{node}'" if node else ""
    if (m := SHAPES.search(details)) or "target.ndim" in details:
        target, got = (m.group(1), m.group(2)) if m else ("?", "?")
        message = (f"The labels do not fit what {output} gives: the labels have "
                   f"shape {target}, the model gives {got}. Make the last layer "
                   "give one value per label (a Flatten or pooling before the last "
                   "Dense layer), or use a loss that matches the labels.")
    elif m := LABEL_RANGE.search(details):
        value, classes = int(m.group(1)), int(m.group(2))
        message = (f"A label is {value} but {output} gives only {classes} class "
                   f"scores: give the last Dense layer at least {value + 1} units, "
                   "or check the labels.")
    elif m := INCOMPATIBLE.search(details):
        message = (f"Two tensors{at} have shapes that do not match ({m.group(1)} "
                   f"and {m.group(2)}): check the shapes shown on the wires "
                   "and the labels.")
    elif "ResourceExhausted" in details or "OOM" in details or \
            isinstance(exc, MemoryError):
        message = (f"Training ran out of memory{at}: lower the batch size or make "
                   "the model smaller.")
    elif "Cast" in details and "string" in details or "could not convert" in \
            details.lower():
        message = ("The data's values cannot be turned into numbers for the "
                   "model's inputs: check the data's columns and the Inputs' dtype.")
    else:
        from netbuilder.engine.keras.messages import clean_keras_message

        reason = clean_keras_message(exc, limit=160).rstrip(".")
        message = (f"Training stopped with an error{at}: {reason}. The full "
                   "message is in the details.")
    return Failure(message, details)
