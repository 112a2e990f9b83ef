"""One reading view of a story, the same for the app and ``newsreader show --json``: the downloaded
article when there is one, related stories by kind and sponsored items, each with its reason."""

from __future__ import annotations

from pathlib import Path

from newsreader.core.library import open_library
from tests.app.conftest import populate
from tests.cli.test_cli import Cli
from tests.conftest import shared_path
from tests.support.httpserver import FeedServer


def test_show_json_and_the_library_give_the_same_reading_view(tmp_path: Path, server: FeedServer) -> None:
    page = shared_path("seed", "register-2014-article.html").read_bytes()
    with open_library(tmp_path / "data", parse_processes=0) as library:
        ids = populate(library, server)
        story = library.stories(feed_id=ids["alpha"], limit=1)[0]
        before = library.reading_view(story.id)
        assert before.body_origin == "summary" and "Body of alpha" in before.body_html  # the feed carries only that
        library.store_page(story.id, page, "http://www.theregister.co.uk/2014/08/01/x/")
        view = library.reading_view(story.id)
        beta = library.stories(feed_id=ids["beta"], limit=1)[0]
        beta_view = library.reading_view(beta.id, include_sponsored=True)
    assert view.body_origin == "article" and "Microsoft" in view.body_html
    assert len(view.sponsored.on_page) == 7 and all(link.reason for link in view.sponsored.on_page)
    assert view.related.more_from_source and all(item.reason for item in view.related.more_from_source)
    assert [s.title for s in beta_view.sponsored.from_source] == ["Buy our zebra-striped laptops"]
    assert beta_view.sponsored.from_source[0].sponsored_reason

    shown = Cli(tmp_path / "data").json("show", str(story.id))
    assert isinstance(shown, dict)
    assert (shown["body_origin"], shown["body_html"]) == ("article", view.body_html)
    assert [item["reason"] for item in shown["sponsored_items"] if item["kind"] == "page"] == [
        link.reason for link in view.sponsored.on_page
    ]
    assert [i["id"] for i in shown["related"]["more_from_source"]] == [
        i.story_id for i in view.related.more_from_source
    ]
    text = Cli(tmp_path / "data")("show", str(story.id)).stdout
    assert "(the full article, downloaded)" in text and "Microsoft" in text
