"""The settings dialog: a General tab, and the Accounts tab when the window gives one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from newsreader.app.settings import FULL_ARTICLES, SPONSORED_IN_LISTS, THEMES, AppSettings
from newsreader.app.views.dialogs.accounts import AccountsPage
from newsreader.core.library import MAX_WORKERS


class SettingsDialog(QDialog):
    """Edits :class:`AppSettings`; *accounts* is the Accounts tab (its account changes apply at once,
    its sync interval with OK)."""

    def __init__(
        self, settings: AppSettings, parent: QWidget | None = None, accounts: AccountsPage | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.accounts = accounts
        self._sync_minutes = settings.sync_minutes
        self.refresh_spin = QSpinBox(self)
        self.refresh_spin.setRange(1, 7 * 24 * 60)
        self.refresh_spin.setSuffix(" min")
        self.refresh_spin.setValue(settings.refresh_minutes)
        self.refresh_spin.setAccessibleName("Refresh interval in minutes")
        self.on_start_box = QCheckBox("Refresh when newsreader starts", self)
        self.on_start_box.setChecked(settings.refresh_on_start)
        self.workers_spin = QSpinBox(self)
        self.workers_spin.setRange(1, MAX_WORKERS)
        self.workers_spin.setValue(settings.workers)
        self.workers_spin.setAccessibleName("Concurrent downloads")
        self.keep_days_spin = QSpinBox(self)
        self.keep_days_spin.setRange(0, 100000)
        self.keep_days_spin.setSpecialValueText("for ever")
        self.keep_days_spin.setSuffix(" days")
        self.keep_days_spin.setValue(settings.keep_days)
        self.keep_count_spin = QSpinBox(self)
        self.keep_count_spin.setRange(0, 1000000)
        self.keep_count_spin.setSpecialValueText("no limit")
        self.keep_count_spin.setValue(settings.keep_count)
        self.full_articles_box = QComboBox(self)
        self.full_articles_box.addItems(
            ["For feeds that carry only summaries", "For every feed", "Never (feeds can still say otherwise)"]
        )
        self.full_articles_box.setCurrentIndex(FULL_ARTICLES.index(settings.full_articles))
        self.full_articles_box.setAccessibleName("Download full articles")
        self.download_images_box = QCheckBox("Keep their images for offline reading", self)
        self.download_images_box.setChecked(settings.download_images)
        self.remote_images_box = QCheckBox("Load images from the web in stories (privacy: off by default)", self)
        self.remote_images_box.setChecked(settings.remote_images)
        self.theme_box = QComboBox(self)
        self.theme_box.addItems([t.capitalize() for t in THEMES])
        self.theme_box.setCurrentIndex(THEMES.index(settings.theme))
        self.theme_box.setAccessibleName("Theme")
        self.font_spin = QSpinBox(self)
        self.font_spin.setRange(6, 40)
        self.font_spin.setSuffix(" pt")
        self.font_spin.setValue(settings.font_size)
        self.font_spin.setAccessibleName("Story font size")
        self.proxy_edit = QLineEdit(settings.proxy, self)
        self.proxy_edit.setPlaceholderText("none (e.g. http://proxy.example:3128 or socks5://127.0.0.1:9050)")
        self.proxy_edit.setAccessibleName("Proxy")
        self.sponsored_box = QComboBox(self)
        self.sponsored_box.addItems(["Hide them", "Show them, marked"])
        self.sponsored_box.setCurrentIndex(SPONSORED_IN_LISTS.index(settings.sponsored_in_lists))
        self.sponsored_box.setAccessibleName("Sponsored stories in lists")
        self.notify_box = QCheckBox("Notify me of new stories (with their titles)", self)
        self.notify_box.setChecked(settings.notify_new)
        self.tray_box = QCheckBox("Keep running in the tray when the window is closed", self)
        self.tray_box.setChecked(settings.close_to_tray)
        self.mark_read_box = QCheckBox("Mark a story read when it is opened", self)
        self.mark_read_box.setChecked(settings.mark_read_on_select)
        form = QFormLayout()
        form.addRow("&Refresh every:", self.refresh_spin)
        form.addRow("", self.on_start_box)
        form.addRow("Concurrent &downloads:", self.workers_spin)
        form.addRow("Keep stories gone from feeds:", self.keep_days_spin)
        form.addRow("Keep at most per feed:", self.keep_count_spin)
        form.addRow("Download full &articles:", self.full_articles_box)
        form.addRow("", self.download_images_box)
        form.addRow("Images:", self.remote_images_box)
        form.addRow("&Theme:", self.theme_box)
        form.addRow("Story &font size:", self.font_spin)
        form.addRow("&Proxy:", self.proxy_edit)
        form.addRow("&Sponsored stories in lists:", self.sponsored_box)
        form.addRow("", self.notify_box)
        form.addRow("", self.tray_box)
        form.addRow("", self.mark_read_box)
        self.tabs = QTabWidget(self)
        general = QWidget(self.tabs)
        general.setLayout(form)
        self.tabs.addTab(general, "&General")
        if accounts is not None:
            self.tabs.addTab(accounts, "A&ccounts")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)

    def show_accounts(self) -> None:
        """Open on the Accounts tab."""
        if self.accounts is not None:
            self.tabs.setCurrentWidget(self.accounts)

    def values(self) -> AppSettings:
        """The settings as edited."""
        return AppSettings(
            refresh_minutes=self.refresh_spin.value(),
            refresh_on_start=self.on_start_box.isChecked(),
            workers=self.workers_spin.value(),
            keep_days=self.keep_days_spin.value(),
            keep_count=self.keep_count_spin.value(),
            full_articles=FULL_ARTICLES[self.full_articles_box.currentIndex()],
            download_images=self.download_images_box.isChecked(),
            remote_images=self.remote_images_box.isChecked(),
            theme=THEMES[self.theme_box.currentIndex()],
            font_size=self.font_spin.value(),
            proxy=self.proxy_edit.text().strip(),
            sponsored_in_lists=SPONSORED_IN_LISTS[self.sponsored_box.currentIndex()],
            notify_new=self.notify_box.isChecked(),
            close_to_tray=self.tray_box.isChecked(),
            mark_read_on_select=self.mark_read_box.isChecked(),
            sync_minutes=self.accounts.sync_spin.value() if self.accounts is not None else self._sync_minutes,
        )
