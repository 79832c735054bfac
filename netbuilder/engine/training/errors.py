"""The training engine's error: a plain-words reason training cannot go on."""


class TrainingError(Exception):
    """Training cannot start; the message says why in plain words."""
