"""Python syntax highlighting for the code view (regular expressions; fast
enough to re-highlight a 1,000-layer module)."""

from __future__ import annotations

import keyword
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat


def _fmt(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(colour))
    if bold:
        f.setFontWeight(QFont.Bold)
    f.setFontItalic(italic)
    return f


RULES = [
    (re.compile(r"\b(" + "|".join(keyword.kwlist) + r")\b"),
     _fmt("#c678dd", bold=True)),
    (re.compile(r"\b(True|False|None)\b"), _fmt("#d19a66")),
    (re.compile(r"\b(print|len|range|dict|list|tuple|int|float|str|super|self)\b"),
     _fmt("#56b6c2")),
    (re.compile(r"\b[A-Z][A-Za-z0-9_]*(?=\()"), _fmt("#e5c07b")),
    (re.compile(r"\b[a-z_][A-Za-z0-9_]*(?==[^=])"), _fmt("#e06c75")),
    (re.compile(r"\b\d+(\.\d*)?([eE][-+]?\d+)?\b"), _fmt("#d19a66")),
    (re.compile(r"@[A-Za-z_][\w.]*"), _fmt("#61afef")),
]
STRING = re.compile(r"""("[^"\\\n]*(\\.[^"\\\n]*)*"|'[^'\\\n]*(\\.[^'\\\n]*)*')""")
COMMENT = re.compile(r"#[^\n]*")
TRIPLE = re.compile(r'"""|\'\'\'')
STRING_FMT = _fmt("#98c379")
COMMENT_FMT = _fmt("#7f848e", italic=True)


class PythonHighlighter(QSyntaxHighlighter):
    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in RULES:
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)
        for m in STRING.finditer(text):
            self.setFormat(m.start(), m.end() - m.start(), STRING_FMT)
        # Comments (outside strings).
        for m in COMMENT.finditer(text):
            if self.format(m.start()) != STRING_FMT:
                self.setFormat(m.start(), len(text) - m.start(), COMMENT_FMT)
                break
        # Triple-quoted strings spanning lines (docstrings).
        self.setCurrentBlockState(0)
        start = 0
        inside = self.previousBlockState() == 1
        pos = 0
        while True:
            m = TRIPLE.search(text, pos)
            if inside:
                end = m.end() if m else len(text)
                self.setFormat(start, end - start, STRING_FMT)
                if not m:
                    self.setCurrentBlockState(1)
                    return
                inside = False
                pos = end
            else:
                if not m:
                    return
                start, inside, pos = m.start(), True, m.end()
