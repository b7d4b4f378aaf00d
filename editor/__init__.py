"""The PySide6 editor: window, ghost-text painting, suggestion worker, file handling."""
