"""Docked panels: inspector and parameter editors, palette and quick add,
code view, problems, model summary.
"""
