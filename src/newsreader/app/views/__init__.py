"""Widgets: the main window, its panes and dialogs."""
