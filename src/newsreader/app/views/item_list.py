"""The flat two-line lists of the related and sponsored panes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

ItemRole = Qt.ItemDataRole.UserRole + 1
"""Where each row keeps the value it shows."""


def entry_list(parent: QWidget, name: str) -> QTreeWidget:
    """A one-column list without header or indentation, named for accessibility."""
    tree = QTreeWidget(parent)
    tree.setAccessibleName(name)
    tree.setColumnCount(1)
    tree.setHeaderHidden(True)
    tree.setRootIsDecorated(False)
    tree.setIndentation(0)
    return tree


def entry(title: str, details: str, value: object, tooltip: str) -> QTreeWidgetItem:
    """A row: the title, and an indented line of details under it."""
    row = QTreeWidgetItem([f"{title}\n    {details}"])
    row.setData(0, ItemRole, value)
    row.setToolTip(0, tooltip)
    return row
