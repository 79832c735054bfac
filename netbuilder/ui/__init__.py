"""The NetBuilder desktop app (PySide6). Depends on the engine, never the reverse."""
