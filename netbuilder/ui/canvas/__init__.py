"""The canvas: the scene that mirrors the engine graph, the view, node,
edge and port items, auto-arrange and diagram export.
"""
