"""The item models, checked by Qt's own model tester and driven as the views drive them."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from newsreader.app.models.feeds import FEED_IDS_MIME, FeedTreeModel, Selection
from newsreader.app.models.stories import PAGE_SIZE, StoryListModel, StoryQuery
from tests.app.conftest import ALPHA_STORIES


def test_feed_tree_passes_the_model_tester_and_shows_counts_and_errors(qtmodeltester, gui_library) -> None:
    library, ids = gui_library
    model = FeedTreeModel()
    model.load(library.feeds(), [f.name for f in library.folders()], library.view_counts())
    qtmodeltester.check(model)

    top = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert top[:4] == ["All stories", "All unread", "Starred", "Today"]
    assert top[4] == "News"
    assert sorted(top[5:]) == sorted(["Beta", library.feed(ids["broken"]).url])
    news = model.index_of(Selection("folder", "News"))
    alpha = model.index(0, 0, news)
    assert alpha.data() == "Alpha"
    assert model.index(0, 1, news).data() == str(ALPHA_STORIES)
    assert news.siblingAtColumn(1).data() == str(ALPHA_STORIES)
    assert alpha.data(Qt.ItemDataRole.FontRole).bold()
    unread = model.index_of(Selection("view", "unread"))
    assert unread.siblingAtColumn(1).data() == str(ALPHA_STORIES + 4)  # the sponsored item is not counted

    broken = model.index_of(Selection("feed", ids["broken"]))
    assert "500" in broken.data(Qt.ItemDataRole.ToolTipRole)
    assert broken.data(FeedTreeModel.ErrorRole)


def test_dragging_a_feed_onto_a_folder_asks_for_the_move(qtmodeltester, gui_library) -> None:
    library, ids = gui_library
    model = FeedTreeModel()
    model.load(library.feeds(), [f.name for f in library.folders()], library.view_counts())
    moves: list[tuple[list[int], object]] = []
    model.feeds_dropped.connect(lambda feed_ids, folder: moves.append((feed_ids, folder)))

    beta = model.index_of(Selection("feed", ids["beta"]))
    assert model.flags(beta) & Qt.ItemFlag.ItemIsDragEnabled
    data = model.mimeData([beta])
    assert data.hasFormat(FEED_IDS_MIME)
    news = model.index_of(Selection("folder", "News"))
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, news)
    model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, news)
    model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert moves == [([ids["beta"]], "News"), ([ids["beta"]], None)]
    # a feed is not a drop target, nor a smart view
    assert not model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, beta)
    assert not model.canDropMimeData(
        data, Qt.DropAction.MoveAction, -1, -1, model.index_of(Selection("view", "starred"))
    )
    qtmodeltester.check(model)


def test_story_list_loads_a_page_at_a_time(qtmodeltester, gui_library) -> None:
    library, ids = gui_library
    model = StoryListModel(library)
    model.set_query(StoryQuery(selection=Selection("feed", ids["alpha"])))
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    assert model.rowCount() == ALPHA_STORIES
    assert not model.canFetchMore()
    published = [model.story_at(row).published for row in range(model.rowCount())]
    assert published == sorted(published, reverse=True)
    assert len({model.story_at(row).id for row in range(model.rowCount())}) == ALPHA_STORIES


def test_story_list_sorts_filters_and_updates_rows(qtmodeltester, gui_library) -> None:
    library, ids = gui_library
    model = StoryListModel(library)
    model.set_query(StoryQuery())
    assert all(not model.story_at(r).sponsored for r in range(model.rowCount()))
    model.sort(0, Qt.SortOrder.AscendingOrder)
    titles = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert titles == sorted(titles, key=str.casefold)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == max((s.title for s in library.stories(limit=None)), key=str.casefold)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.index(0, 1).data() == "Alpha"

    model.set_query(StoryQuery(selection=Selection("feed", ids["beta"]), include_sponsored=True))
    marked = [r for r in range(model.rowCount()) if model.story_at(r).sponsored]
    assert len(marked) == 1
    index = model.index(marked[0], 0)
    assert index.data().startswith("[Sponsored] ")
    assert "Sponsored" in index.data(Qt.ItemDataRole.ToolTipRole)
    qtmodeltester.check(model)

    row = next(r for r in range(model.rowCount()) if not model.story_at(r).sponsored)
    assert model.index(row, 0).data(Qt.ItemDataRole.FontRole).bold()
    model.set_flags([model.story_at(row).id], read=True, starred=True)
    assert model.index(row, 0).data(Qt.ItemDataRole.FontRole) is None  # the view's normal weight
    assert model.index(row, 0).data().startswith("★ ")

    model.set_query(StoryQuery(selection=Selection("feed", ids["alpha"]), show="unread"))
    library.mark_read([s.id for s in library.stories(feed_id=ids["alpha"], limit=220)])
    model.reload()
    assert model.rowCount() == ALPHA_STORIES - 220


def test_finding_the_next_unread_row_loads_further_pages(gui_library) -> None:
    library, ids = gui_library
    model = StoryListModel(library)
    model.set_query(StoryQuery(selection=Selection("feed", ids["alpha"])))
    everything = library.stories(feed_id=ids["alpha"], limit=None)
    library.mark_read([s.id for s in everything[: PAGE_SIZE + 10]])
    model.reload()
    row = model.find_row(0, 1, lambda s: not s.read)
    assert row == PAGE_SIZE + 10
    assert model.rowCount() == ALPHA_STORIES
    assert model.find_row(row, 1, lambda s: s.id == -1) is None


def test_signals_keep_reference_counts_balanced() -> None:
    """PySide6 6.12.0 lost a reference to ``True`` on every emit; Python 3.11 then aborted at exit."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal(object)

    emitter = Emitter()
    received: list[object] = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(500):
        emitter.fired.emit(None)
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
    assert len(received) == 500
