"""Dark matplotlib styling that matches the canvas, for the training plots."""

from __future__ import annotations

BACKGROUND = "#23262b"
AXES = "#2a2e34"
TEXT = "#d8dde5"
GRID = "#3a4048"


def style_figure(figure) -> None:
    figure.set_facecolor(BACKGROUND)


def style_axes(ax) -> None:
    ax.set_facecolor(AXES)
    ax.title.set_color(TEXT)
    ax.xaxis.label.set_color(TEXT)
    ax.yaxis.label.set_color(TEXT)
    ax.tick_params(colors=TEXT, labelsize=7)
    for spine in ax.spines.values():
        spine.set_color(GRID)


def style_legend(legend) -> None:
    if legend is None:
        return
    legend.get_frame().set_facecolor(AXES)
    legend.get_frame().set_edgecolor(GRID)
    for text in legend.get_texts():
        text.set_color(TEXT)
