"""Reading: the story list (queries, search, moving through it by keys) and the three reading panes
(the story, related stories, sponsored items), with what the user does to a story."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPoint, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QMenu,
)

from newsreader.app.external import open_external
from newsreader.app.models.stories import StoryQuery, fetch_page
from newsreader.core.errors import NewsreaderError
from newsreader.core.models import RelatedItem, Story
from newsreader.core.reading import ReadingView, SponsoredItems
from newsreader.wording import plural

if TYPE_CHECKING:
    from newsreader.app.views.main_window import MainWindow

LIST_UPDATE_MS = 1500
"""During a refresh, the story list shows newly stored stories at most this often (a page query each)."""
SHOW_FILTERS = (("All", "all"), ("Unread", "unread"), ("Starred", "starred"))
"""The story list's "Show" choices: (label, filter)."""
STORY_ACTIONS = ("toggle_read", "toggle_star", "open_original", "fetch_article")
"""Actions that need a story shown; disabled without one."""


class ReadingController(QObject):
    """What the story list and the reading panes do; the window owns the widgets and wires them here."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.current_story: Story | None = None
        """The story the panes show."""
        self._related_token = 0
        self.sponsored_visible = True
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(250)
        self.search_timer.timeout.connect(self.run_search)
        self.list_timer = QTimer(self)
        self.list_timer.setSingleShot(True)
        self.list_timer.setInterval(LIST_UPDATE_MS)
        self.list_timer.timeout.connect(self.refresh_list)

    def _query(self) -> StoryQuery:
        current = self.window.story_model.query
        return StoryQuery(
            selection=self.window.subscriptions.selection,
            show=SHOW_FILTERS[self.window.show_box.currentIndex()][1],
            order=current.order,
            reverse=current.reverse,
            include_sponsored=self.window.settings.sponsored_in_lists == "mark",
            search=self.window.search_edit.text().strip(),
        )

    def load_list(self, keep_story: int | None = None) -> None:
        self.window.story_model.set_query(self._query())
        if keep_story is not None and self._reselect(keep_story):
            return
        self._clear_reading()

    def refresh_list_later(self) -> None:
        """New stories were stored for the list's feeds (a refresh is running): show them within
        :data:`LIST_UPDATE_MS`, however many feeds report meanwhile."""
        if not self.list_timer.isActive():
            self.list_timer.start()

    def refresh_list(self) -> None:
        """Load the list again with what is stored now, keeping the story being read selected and the
        list where it was scrolled (search results are left alone: they answer what was typed)."""
        self.list_timer.stop()
        if self.window.search_edit.text():
            return
        bar = self.window.story_view.verticalScrollBar()
        position = bar.value()
        keep = self.current_story.id if self.current_story is not None else None
        self.load_list(keep_story=keep)
        if position:
            bar.setValue(position)

    def filter_changed(self, _index: int) -> None:
        self.load_list()

    def run_search(self) -> None:
        self.search_timer.stop()
        text = self.window.search_edit.text().strip()
        query = self._query()
        if not text:
            self.window.story_model.set_query(query)
            return
        self.window.story_model.set_query(query)
        include = query.include_sponsored

        def done(found: list[Story]) -> None:
            if self.window.story_model.query == query:
                self.window.story_model.show_results(found)
                verb = "matches" if len(found) == 1 else "match"
                self.window.statusBar().showMessage(f"{plural(len(found), 'story', 'stories')} {verb} “{text}”.", 4000)

        self.window.tasks.submit(
            lambda: self.library.search(text, limit=500, include_sponsored=include), done, self.window.report
        )

    def current_row(self) -> int:
        """The selected row of the story list, or -1."""
        return self.window.story_view.currentIndex().row()

    def _select_row(self, row: int | None) -> bool:
        if row is None or row < 0 or row >= self.window.story_model.rowCount():
            return False
        index = self.window.story_model.index(row, 0)
        self.window.story_view.setCurrentIndex(index)
        self.window.story_view.scrollTo(index)
        return True

    def next_story(self) -> None:
        """J: the story below."""
        row = self.current_row()
        if row + 1 >= self.window.story_model.rowCount() and self.window.story_model.canFetchMore():
            self.window.story_model.fetchMore()
        self._select_row(row + 1)

    def previous_story(self) -> None:
        """K: the story above."""
        self._select_row(max(0, self.current_row() - 1) if self.current_row() > 0 else None)

    def next_unread(self) -> bool:
        """N: the next unread story below; at the end of a feed's (or folder's) list, the first unread
        story of the next feed that has any. False when there is none anywhere."""
        row = self.window.story_model.find_row(self.current_row(), 1, lambda s: not s.read)
        if row is not None:
            return self._select_row(row)
        target = (
            self.window.feed_model.next_with_unread(self.window.subscriptions.selection)
            if self.window.subscriptions.selection.kind != "view"
            else None
        )
        if target is not None:
            self.window.subscriptions.select(target)
            row = self.window.story_model.find_row(-1, 1, lambda s: not s.read)
            if row is not None:
                return self._select_row(row)
        self.window.statusBar().showMessage("No more unread stories.", 3000)
        return False

    def previous_unread(self) -> None:
        """P: the previous unread story above."""
        self._select_row(self.window.story_model.find_row(self.current_row(), -1, lambda s: not s.read))

    def page_down_or_next(self) -> None:
        """Space: scroll the story; at its end, the next unread story."""
        if self.current_story is None or not self.window.story_pane.page_down():
            self.next_unread()

    def story_menu(self, story: Story) -> QMenu:
        """The story list's context menu for *story*; it acts on that story without opening it (so a
        right-click marks nothing read)."""
        menu = QMenu(self.window)
        menu.addAction("Mark as unread" if story.read else "Mark as read", lambda: self._flag(story, "read"))
        menu.addAction("Unstar" if story.starred else "Star", lambda: self._flag(story, "starred"))
        menu.addAction("Mark older as read", lambda: self.mark_older_read(story))
        menu.addAction("Mark read in every feed", lambda: self._mark_group_read(story.id))
        menu.addSeparator()
        open_action = menu.addAction("Open in browser", lambda: self.open_link(story.link))
        copy_action = menu.addAction("Copy link", lambda: self.copy_text(story.link))
        fetch_action = menu.addAction("Fetch full article", lambda: self.fetch_article(story))
        for action in (open_action, copy_action, fetch_action):
            action.setEnabled(bool(story.link))
        menu.addSeparator()
        if story.sponsored:
            menu.addAction("Not sponsored", lambda: self.not_sponsored(story.id))
        else:
            menu.addAction("Sponsored", lambda: self._sponsored(story.id))
        return menu

    def story_context_menu(self, position: QPoint) -> None:
        index = self.window.story_view.indexAt(position)
        story = self.window.story_model.story_at(index.row()) if index.isValid() else None
        if story is not None:
            self.story_menu(story).popup(self.window.story_view.viewport().mapToGlobal(position))

    def _flag(self, story: Story, flag: str) -> None:
        """Toggle read or starred on a story of the list (the one shown, or another)."""
        shown = self.current_story
        current = shown if shown is not None and shown.id == story.id else story
        changed = self._set_flag(current, flag, not getattr(current, flag))
        if shown is not None and shown.id == story.id:
            self.current_story = changed

    def mark_older_read(self, story: Story) -> None:
        """Mark read every story of the current list published before *story*, and *story* (on a worker)."""
        query = self._query()
        library = self.library

        def work() -> list[int]:
            older = [
                s.id
                for s in fetch_page(library, dataclasses.replace(query, show="unread"), 0, limit=None)
                if (s.published, s.id) <= (story.published, story.id)  # the list's own order breaks ties
            ]
            library.mark_read(older)
            return older

        def done(ids: list[int]) -> None:
            self.window.story_model.set_flags(ids, read=True)
            self.window.subscriptions.count_later([])
            self.window.statusBar().showMessage(f"{plural(len(ids), 'story', 'stories')} marked read.", 4000)

        self.window.tasks.submit(work, done, self.window.report)

    def copy_text(self, text: str | None) -> None:
        """Put *text* (a link) on the clipboard."""
        if text:
            QApplication.clipboard().setText(text)
            self.window.statusBar().showMessage(f"Copied {text}", 3000)

    def _mark_group_read(self, story_id: int) -> None:
        self.library.mark_group_read(story_id)
        keep = self.current_story.id if self.current_story is not None else None
        self.load_list(keep_story=keep)
        self.window.subscriptions.count_later([])

    def story_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        story = self.window.story_model.story_at(current.row()) if current.isValid() else None
        if story is not None:
            self.open(story.id)

    def _reselect(self, story_id: int) -> bool:
        row = self.window.story_model.row_of(story_id)
        if row is None:
            row = self.window.story_model.find_row(-1, 1, lambda s: s.id == story_id, max_pages=10)
        if row is None:
            return False
        self.window.story_view.selectionModel().blockSignals(True)
        self.window.story_view.setCurrentIndex(self.window.story_model.index(row, 0))
        self.window.story_view.selectionModel().blockSignals(False)
        return True

    def show_story_by_id(self, story_id: int) -> None:
        """Open a story: selected in the list when it is there, else shown on its own."""
        row = self.window.story_model.row_of(story_id)
        if row is not None:
            self._select_row(row)
        else:
            self.window.story_view.selectionModel().clearCurrentIndex()
            self.open(story_id)

    def _clear_reading(self) -> None:
        self.current_story = None
        self.update_story_actions()
        self._related_token += 1
        self.window.story_pane.show_empty()
        self.window.related_pane.clear()
        self.window.sponsored_pane.show_items(SponsoredItems())
        self._update_hidden_line()

    def open(self, story_id: int) -> None:
        """Show a story. It is marked read at once (when the settings say so) and becomes the story the
        keys act on; its three panes are then filled from one :class:`ReadingView` built on a worker."""
        self._related_token += 1
        token = self._related_token
        row = self.window.story_model.row_of(story_id)
        listed = self.window.story_model.story_at(row) if row is not None else None
        mark = self.window.settings.mark_read_on_select
        if listed is not None:
            if mark and not listed.read:
                listed = self._set_flag(listed, "read", True)
            self.current_story = listed
            self.update_story_actions()
        neighbours = self._list_neighbours(story_id)
        include = self.window.settings.sponsored_in_lists == "mark"
        self.window.related_pane.clear("Finding related stories…")

        def build() -> ReadingView:
            return self.library.reading_view(story_id, include_sponsored=include)

        def done(view: ReadingView) -> None:
            if token != self._related_token:
                return
            story = view.story
            if mark and not story.read:
                story = self._set_flag(story, "read", True)
            self.current_story = story
            self.update_story_actions()
            self.window.story_pane.show_story(story, view.page, view.page_error, view.cached_images)
            missing = [url for url in view.images if url not in view.cached_images]
            if missing and self.window.settings.remote_images:
                self._download_images(story.id, missing)
            self.window.sponsored_pane.show_items(view.sponsored)
            self._update_hidden_line()
            # previous/next as the list shows them (its sort, filter or search), when the story is in it
            related = (
                view.related
                if row is None
                else dataclasses.replace(view.related, prev=neighbours[0], next=neighbours[1])
            )
            self.window.related_pane.show_related(related, story.feed_title)
            self.window.story_displayed.emit(story.id)

        def failed(message: str) -> None:
            if token == self._related_token:
                self.window.report(message)
                self.window.related_pane.clear(message)
                self.window.story_displayed.emit(story_id)

        self.window.tasks.submit(build, done, failed)

    def _download_images(self, story_id: int, urls: list[str]) -> None:
        """Images the user allowed: into the offline cache on a worker, then shown."""

        def shown(_cached: dict[str, str]) -> None:
            if self.current_story is not None and self.current_story.id == story_id and _cached:
                self.open(story_id)

        self.window.tasks.submit(lambda: self.library.cache_images(urls), shown, self.window.report)

    def _list_neighbours(self, story_id: int) -> tuple[tuple[RelatedItem, ...], tuple[RelatedItem, ...]]:
        """Previous and next as the list shows them (whatever its sort or search)."""
        row = self.window.story_model.row_of(story_id)
        if row is None:
            return (), ()

        def item(other: Story | None, reason: str) -> tuple[RelatedItem, ...]:
            if other is None:
                return ()
            return (
                RelatedItem(
                    other.id, other.title, other.link, other.feed_id, other.feed_title, other.published, reason
                ),
            )

        return (
            item(self.window.story_model.story_at(row - 1), "The story above this one in the list."),
            item(self.window.story_model.story_at(row + 1), "The story below this one in the list."),
        )

    def toggle_read(self) -> None:
        """M: read ↔ unread."""
        if self.current_story is not None:
            self.current_story = self._set_flag(self.current_story, "read", not self.current_story.read)

    def toggle_star(self) -> None:
        """S: star ↔ unstar."""
        if self.current_story is not None:
            self.current_story = self._set_flag(self.current_story, "starred", not self.current_story.starred)

    def _set_flag(self, story: Story, flag: str, value: bool) -> Story:
        """Store a read/starred change, show it in the list, and recount; returns the changed story."""
        mark = self.library.mark_read if flag == "read" else self.library.mark_starred
        mark([story.id], value)
        self.window.story_model.set_flags([story.id], **{flag: value})
        self.window.subscriptions.count_later([story.feed_id])
        return dataclasses.replace(story, **{flag: value})  # type: ignore[arg-type]

    def open_original(self) -> None:
        """O / Enter: the story's page in the system browser."""
        if self.current_story is not None:
            self.open_link(self.current_story.link)

    def open_link(self, link: str | None) -> None:
        """Open a web link in the system browser, saying so when none could open it."""
        if link and not open_external(link):
            self.window.report(f"No browser could open {link}; the link is on the clipboard instead.")
            QApplication.clipboard().setText(link)

    def fetch_article(self, story: Story | None = None) -> None:
        """Download and analyse a story's (by default the current one's) article page off the GUI thread."""
        story = story if isinstance(story, Story) else self.current_story
        if story is None or not story.link:
            return
        self.window.statusBar().showMessage(f"Fetching the article “{story.title}”…")

        def done(_result: object) -> None:
            self.window.statusBar().showMessage("Article downloaded; it reads offline now.", 4000)
            if self.current_story is not None and self.current_story.id == story.id:
                self.open(story.id)

        def failed(message: str) -> None:
            self.window.report(f"The article could not be fetched: {message}")
            if self.current_story is not None and self.current_story.id == story.id:
                self.open(story.id)

        self.window.tasks.submit(lambda: self.library.fetch_story_page(story.id), done, failed)

    def _sponsored(self, story_id: int) -> None:
        self._set_sponsored(story_id, True)

    def not_sponsored(self, story_id: int) -> None:
        self._set_sponsored(story_id, False)

    def link_not_sponsored(self, href: str) -> None:
        self.library.set_link_sponsored(href, False)
        self.window.statusBar().showMessage(f"{href} will not be shown as sponsored again.", 4000)
        if self.current_story is not None:
            self.open(self.current_story.id)

    def _set_sponsored(self, story_id: int, sponsored: bool) -> None:
        try:
            changed = self.library.set_story_sponsored(story_id, sponsored)
        except NewsreaderError as exc:
            self.window.report(str(exc))
            return
        self.window.subscriptions.count_later([changed.feed_id])
        keep = self.current_story.id if self.current_story is not None else None
        listed = self.window.settings.sponsored_in_lists == "mark" or self.window.search_edit.text()
        if listed:
            self.window.story_model.replace_story(changed)
        else:  # hidden sponsored stories: the list gains (or loses) this one now, not on the next reload
            self.window.story_model.reload()
            if keep is not None:
                self._reselect(keep)
        if keep is not None:
            self.open(keep)

    def toggle_sponsored(self) -> None:
        """H: hide or show the sponsored pane (the choice is remembered)."""
        self.set_sponsored_visible(not self.sponsored_visible)

    def set_sponsored_visible(self, visible: bool) -> None:
        """Show or hide the sponsored pane."""
        self.sponsored_visible = visible
        self.window.sponsored_pane.setVisible(visible)
        self.window.actions_by_name["toggle_sponsored"].setChecked(visible)
        self._update_hidden_line()

    def _update_hidden_line(self) -> None:
        count = self.window.sponsored_pane.items.count
        if self.sponsored_visible or not count:
            self.window.hidden_line.hide()
            return
        self.window.hidden_line.setText(f"{plural(count, 'sponsored item')} hidden — press H to show")
        self.window.hidden_line.show()

    def bigger_text(self) -> None:
        """Ctrl++: a larger story font."""
        self._set_font_size(self.window.story_pane.font_size + 1)

    def smaller_text(self) -> None:
        """Ctrl+-: a smaller story font."""
        self._set_font_size(self.window.story_pane.font_size - 1)

    def _set_font_size(self, points: int) -> None:
        self.window.story_pane.set_font_size(points)
        self.window.settings = dataclasses.replace(self.window.settings, font_size=self.window.story_pane.font_size)
        self.window.store.qsettings.setValue("font_size", self.window.story_pane.font_size)

    def focus_search(self) -> None:
        """/: type a search."""
        self.window.search_edit.setFocus()
        self.window.search_edit.selectAll()

    def update_story_actions(self) -> None:
        story = self.current_story
        for name in STORY_ACTIONS:
            needs_link = name in ("open_original", "fetch_article")
            self.window.actions_by_name[name].setEnabled(story is not None and (bool(story.link) or not needs_link))
