"""The Qt-free engine of NetBuilder.

Nothing in this package imports PySide6 or ``netbuilder.ui``; TensorFlow and
Keras are imported lazily inside the functions that need them, so importing
the engine is cheap.
"""
