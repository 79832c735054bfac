"""NetBuilder: build, check, train and export Keras neural networks visually."""

__version__ = "0.1.0"
