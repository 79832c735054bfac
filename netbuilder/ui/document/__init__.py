"""One open project: the editor (graph API behind the undo stack), undo
commands, file actions, recovery copies, clipboard, background analysis.
"""
