"""The story pane: a QTextBrowser that shows sanitised story HTML and loads nothing remote."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, QUrl, Signal
from PySide6.QtGui import QImage, QImageReader, QPalette, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from newsreader.app.external import open_external
from newsreader.app.story_html import IMAGE_SCHEME, Colors, story_document, stylesheet
from newsreader.core.models import Story
from newsreader.core.pages.model import PageAnalysis


def palette_colors(palette: QPalette) -> Colors:
    """The stylesheet colours for a palette (light or dark)."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    dark = base.lightness() < 128
    muted = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    return Colors(
        text=text.name(),
        link=palette.color(QPalette.ColorRole.Link).name(),
        muted=muted.name() if muted != text else ("#a0a0a8" if dark else "#6b6b70"),
        error="#ff8a80" if dark else "#b3261e",
        code_bg=base.lighter(130).name() if dark else base.darker(106).name(),
    )


_BLANK_IMAGE = QImage(1, 1, QImage.Format.Format_ARGB32)
_BLANK_IMAGE.fill(0)
MAX_IMAGE_PIXELS = 40_000_000
"""Larger images are not decoded (a 50,000 × 50,000 px PNG would need 10 GB)."""


def decode_image(data: bytes | None, max_width: int) -> QImage | None:
    """Decode a cached image, refusing huge ones before decoding and scaling wide ones down."""
    if not data:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if not size.isValid() or size.width() * size.height() > MAX_IMAGE_PIXELS:
        return None
    if size.width() > max_width:
        reader.setScaledSize(QSize(max_width, max(1, size.height() * max_width // size.width())))
    image = reader.read()
    return None if image.isNull() else image


class StoryBrowser(QTextBrowser):
    """Renders story HTML. Resources come only from the local image cache (``nr-image:``) or from
    images the user allowed; ``file:``, ``qrc:`` and remote URLs are never read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(open_external)
        self._images: dict[str, QImage] = {}
        self.image_loader: Callable[[str], bytes | None] = lambda _digest: None
        """Reads a cached image file by its digest (set by the window to the library's cache)."""
        self.setAccessibleName("Story")

    def add_image(self, url: str, image: QImage) -> None:
        """Make an image available to the document under *url*."""
        self._images[url] = image

    def loadResource(self, kind: int, url: QUrl | str) -> Any:
        # Whatever is refused must come back non-null: on a null answer QTextDocument falls back to
        # reading file: URLs by itself.
        key = url.toString() if isinstance(url, QUrl) else str(url)
        if kind != QTextDocument.ResourceType.ImageResource.value:
            return QByteArray()
        image = self._images.get(key)
        if image is None and key.startswith(IMAGE_SCHEME + ":"):
            image = decode_image(self.image_loader(key.split(":", 1)[1]), max(200, self.viewport().width() - 24))
            if image is not None:
                self._images[key] = image
        return image if image is not None else _BLANK_IMAGE


class StoryPane(QWidget):
    """The story's header and text, with "Open original" and "Fetch full article" buttons."""

    open_original = Signal()
    fetch_article = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = StoryBrowser(self)
        self.open_button = QPushButton("Open original", self)
        self.open_button.setAccessibleName("Open the original article in the browser")
        self.open_button.clicked.connect(self.open_original)
        self.fetch_button = QPushButton("Fetch full article", self)
        self.fetch_button.setAccessibleName("Fetch the full article for offline reading")
        self.fetch_button.clicked.connect(self.fetch_article)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.fetch_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.browser, 1)
        self._font_size = 11
        self._story: Story | None = None
        self._page: PageAnalysis | None = None
        self._page_error: str | None = None
        self._cached: Mapping[str, str] = {}
        self.show_empty()

    @property
    def story(self) -> Story | None:
        """The story shown."""
        return self._story

    @property
    def font_size(self) -> int:
        """Base font size in points."""
        return self._font_size

    def set_font_size(self, points: int) -> None:
        """Change the text size (6–40 pt) and re-render."""
        self._font_size = max(6, min(40, points))
        self._render()

    def show_story(
        self,
        story: Story,
        page: PageAnalysis | None,
        page_error: str | None = None,
        cached: Mapping[str, str] | None = None,
    ) -> None:
        """Show a story (its downloaded article when there is one), with the images of it that are in
        the offline cache (*cached*: URL → file digest)."""
        self._story, self._page, self._page_error = story, page, page_error
        self._cached = cached or {}
        self.open_button.setEnabled(bool(story.link))
        self.fetch_button.setEnabled(bool(story.link))
        self._render()
        self.browser.verticalScrollBar().setValue(0)

    def show_empty(self, message: str = "Select a story to read it.") -> None:
        """No story: a short hint."""
        self._story = None
        self.open_button.setEnabled(False)
        self.fetch_button.setEnabled(False)
        self.browser.document().setDefaultStyleSheet(stylesheet(palette_colors(self.palette()), self._font_size))
        self.browser.setHtml(f'<p class="note">{message}</p>')

    def _render(self) -> None:
        if self._story is None:
            return
        self.browser.document().setDefaultStyleSheet(stylesheet(palette_colors(self.palette()), self._font_size))
        self.browser.setHtml(story_document(self._story, self._page, cached=self._cached, page_error=self._page_error))

    def page_down(self) -> bool:
        """Scroll one page; False when already at the bottom (the caller then moves on)."""
        bar = self.browser.verticalScrollBar()
        if bar.value() >= bar.maximum():
            return False
        bar.setValue(bar.value() + bar.pageStep())
        return True
