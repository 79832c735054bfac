"""Keras and TensorFlow error messages in plain words: the one cleaner used
for shape inference, model building, training and export."""

from __future__ import annotations

import re

MAX_MESSAGE = 400


def clean_keras_message(error: BaseException | str, fallback: str | None = None,
                        limit: int = MAX_MESSAGE) -> str:
    """One readable line from a Keras/TensorFlow exception (or its text):
    without the "Exception encountered when calling ..." header, the
    "Arguments received by ..." listing, op names and tensor reprs Keras adds
    around the real reason; at most ``limit`` characters. An empty message
    becomes ``fallback`` (default: the exception's class name)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error or ""))
    text = re.split(r"\n\s*Arguments received by", text)[0]
    text = re.sub(r"Exception encountered when calling [^\n]*\n?", "", text)
    text = re.sub(r"Could not automatically infer the output shape.*?"
                  r"Error encountered:\s*", "", text, flags=re.S)
    text = re.sub(r"\{\{node [^}]*\}\}", "", text)
    text = re.sub(r"\s*\[Op:[^\]]*\]", "", text)
    text = re.sub(r"<KerasTensor shape=(\([^)]*\))[^>]*>", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    if text:
        return text
    if fallback is None:
        return type(error).__name__ if isinstance(error, BaseException) else \
            "Keras gave no reason."
    return fallback
