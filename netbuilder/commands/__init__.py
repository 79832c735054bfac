"""One module per ``netbuilder`` verb; each defines ``register(subparsers)``."""
