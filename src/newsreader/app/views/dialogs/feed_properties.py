"""A feed's properties: title, folder, update interval, full articles, retention, sponsored rules, login."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from newsreader.app.views.dialogs.form import finish_form
from newsreader.core.classify import FeedRules
from newsreader.core.models import Feed

FULL_ARTICLE_CHOICES = (("Automatic (when the feed has only summaries)", None), ("Always", True), ("Never", False))


@dataclass(frozen=True, slots=True)
class FeedProperties:
    """What the dialog edits; the window applies it through the library."""

    title: str
    url: str
    """The feed's address (editable: a publisher may move the feed)."""
    folder: str | None
    enabled: bool
    interval_minutes: int
    """0: the library's default."""
    full_articles: bool | None
    keep_days: int
    """0: no limit."""
    keep_count: int
    never_sponsored: bool
    title_patterns: tuple[str, ...]
    categories: tuple[str, ...]
    auth_user: str
    password: str
    """Empty: unchanged."""


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


class FeedPropertiesDialog(QDialog):
    """Edits one feed."""

    def __init__(self, feed: Feed, folders: list[str], rules: FeedRules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Properties of {feed.title}")
        self.title_edit = QLineEdit(feed.title, self)
        self.title_edit.setAccessibleName("Title")
        self.url_edit = QLineEdit(feed.url, self)
        self.url_edit.setAccessibleName("Feed address")
        self.folder_box = QComboBox(self)
        self.folder_box.setEditable(True)
        self.folder_box.addItem("")
        self.folder_box.addItems(folders)
        self.folder_box.setCurrentText(feed.folder or "")
        self.folder_box.setAccessibleName("Folder")
        self.enabled_box = QCheckBox("Check this feed for new stories", self)
        self.enabled_box.setChecked(feed.enabled)
        self.interval_spin = QSpinBox(self)
        self.interval_spin.setRange(0, 7 * 24 * 60)
        self.interval_spin.setSpecialValueText("library default")
        self.interval_spin.setSuffix(" min")
        self.interval_spin.setValue((feed.update_interval or 0) // 60)
        self.interval_spin.setAccessibleName("Update interval in minutes")
        self.full_box = QComboBox(self)
        for label, _value in FULL_ARTICLE_CHOICES:
            self.full_box.addItem(label)
        self.full_box.setCurrentIndex([v for _, v in FULL_ARTICLE_CHOICES].index(feed.full_articles))
        self.full_box.setAccessibleName("Download full articles")
        self.keep_days_spin = QSpinBox(self)
        self.keep_days_spin.setRange(0, 100000)
        self.keep_days_spin.setSpecialValueText("no limit")
        self.keep_days_spin.setSuffix(" days")
        self.keep_days_spin.setValue(feed.retention_max_age_days or 0)
        self.keep_count_spin = QSpinBox(self)
        self.keep_count_spin.setRange(0, 1000000)
        self.keep_count_spin.setSpecialValueText("no limit")
        self.keep_count_spin.setValue(feed.retention_max_count or 0)
        self.never_box = QCheckBox("Never flag this feed's stories as sponsored", self)
        self.never_box.setChecked(rules.never)
        self.patterns_edit = QLineEdit(", ".join(rules.title_patterns), self)
        self.patterns_edit.setPlaceholderText("e.g. [Deal], Partner:")
        self.patterns_edit.setAccessibleName("Sponsored title markers")
        self.categories_edit = QLineEdit(", ".join(rules.categories), self)
        self.categories_edit.setPlaceholderText("e.g. sponsored, advertorial")
        self.categories_edit.setAccessibleName("Sponsored categories")
        self.user_edit = QLineEdit(feed.auth_user or "", self)
        self.user_edit.setAccessibleName("User name")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("unchanged" if feed.auth_user else "")
        self.password_edit.setAccessibleName("Password")
        form = QFormLayout()
        form.addRow("&Title:", self.title_edit)
        form.addRow("&Address:", self.url_edit)
        form.addRow("&Folder:", self.folder_box)
        form.addRow("", self.enabled_box)
        form.addRow("&Check every:", self.interval_spin)
        form.addRow("F&ull articles:", self.full_box)
        form.addRow("Keep stories gone from the feed for:", self.keep_days_spin)
        form.addRow("Keep at most:", self.keep_count_spin)
        form.addRow("", self.never_box)
        form.addRow("Sponsored if the title has:", self.patterns_edit)
        form.addRow("Sponsored if categorised:", self.categories_edit)
        form.addRow("&User name:", self.user_edit)
        form.addRow("&Password:", self.password_edit)
        finish_form(self, form)

    def values(self) -> FeedProperties:
        """What the user set."""
        return FeedProperties(
            title=self.title_edit.text().strip(),
            url=self.url_edit.text().strip(),
            folder=self.folder_box.currentText().strip() or None,
            enabled=self.enabled_box.isChecked(),
            interval_minutes=self.interval_spin.value(),
            full_articles=FULL_ARTICLE_CHOICES[self.full_box.currentIndex()][1],
            keep_days=self.keep_days_spin.value(),
            keep_count=self.keep_count_spin.value(),
            never_sponsored=self.never_box.isChecked(),
            title_patterns=_split(self.patterns_edit.text()),
            categories=_split(self.categories_edit.text()),
            auth_user=self.user_edit.text().strip(),
            password=self.password_edit.text(),
        )
