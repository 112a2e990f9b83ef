"""The PySide6 desktop app: the only package that imports Qt.

Views (main window, panes, dialogs), one item model per list, and workers that run the core
library off the GUI thread and hand values back by signals.
"""
