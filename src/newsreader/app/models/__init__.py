"""Item models: one per list the window shows."""
