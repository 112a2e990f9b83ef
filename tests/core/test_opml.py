"""OPML import and export: folders, idempotence, skipped outlines with reasons, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsreader.core.errors import OpmlError
from newsreader.core.library import Library
from newsreader.core.models import OpmlOutline
from newsreader.core.opml import parse_opml, write_opml
from tests.conftest import shared_path

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>mine</title></head><body>
  <outline text="Loose" type="rss" xmlUrl="http://a.example/feed.xml" htmlUrl="http://a.example/"/>
  <outline text="Tech">
    <outline text="B" type="rss" xmlUrl="http://b.example/rss"/>
    <outline text="Nested">
      <outline text="C" type="rss" xmlUrl="http://c.example/atom"/>
    </outline>
  </outline>
  <outline text="Bad" type="rss" xmlUrl="javascript:alert(1)"/>
  <outline text="Dup" type="rss" xmlUrl="http://a.example/feed.xml"/>
</body></opml>"""


def test_import_with_folders_and_reasons(library: Library) -> None:
    report = library.import_opml(OPML)
    assert set(report.added) == {"http://a.example/feed.xml", "http://b.example/rss", "http://c.example/atom"}
    assert report.folders_created == ("Tech",)
    reasons = dict(report.skipped)
    assert "not an http or https address" in reasons["javascript:alert(1)"]
    assert reasons["http://a.example/feed.xml"] == "already subscribed"
    folders = {f.url: f.folder for f in library.feeds()}
    assert folders == {
        "http://a.example/feed.xml": None,
        "http://b.example/rss": "Tech",
        "http://c.example/atom": "Tech",
    }


def test_import_is_idempotent(library: Library) -> None:
    library.import_opml(OPML)
    again = library.import_opml(OPML)
    assert again.added == ()
    assert len(library.feeds()) == 3
    assert len(library.folders()) == 1


def test_export_then_import_round_trips(library: Library, tmp_path: Path) -> None:
    library.import_opml(OPML)
    library.rename_feed(library.feeds()[0].id, "My own title")
    exported = library.export_opml()
    other = Library(tmp_path / "other.sqlite3", parse_processes=0)
    other.import_opml(exported.encode())
    key = lambda f: (f.url, f.title, f.folder)  # noqa: E731
    assert sorted(map(key, other.feeds())) == sorted(map(key, library.feeds()))
    other.close()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not xml", "is not valid XML"),
        (b"<rss><channel/></rss>", "is not an OPML file"),
        (b"<opml version='2.0'><head/></opml>", "has no <body>"),
    ],
)
def test_wrong_files_give_one_sentence_and_change_nothing(library: Library, data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        library.import_opml(data, "feeds.opml")
    assert library.feeds() == []


def test_unreadable_file(library: Library, tmp_path: Path) -> None:
    with pytest.raises(OpmlError, match="could not be read"):
        library.import_opml_file(tmp_path / "missing.opml")


def test_shared_corpus_opml_files_import(library: Library) -> None:
    root = shared_path("corpus", "feeds")
    files = sorted(root.rglob("*.opml"))
    assert files
    for path in files:
        report = library.import_opml_file(path)
        assert report.added or report.skipped, path


def test_entities_are_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>
    <opml version="2.0"><body><outline text="&b;" xmlUrl="http://x.example/f"/></body></opml>"""
    with pytest.raises(OpmlError, match="refuses to expand"):
        parse_opml(bomb)


titles = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(str.strip)
folders = st.one_of(st.none(), titles)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(titles, folders), min_size=0, max_size=15, unique_by=lambda t: t[0]))
def test_write_then_parse_round_trips(entries: list[tuple[str, str | None]]) -> None:
    outlines = [
        OpmlOutline(url=f"https://example.com/{i}.xml", title=title.strip(), folder=folder and folder.strip())
        for i, (title, folder) in enumerate(entries)
    ]
    parsed = parse_opml(write_opml(outlines).encode())
    expected = {(o.url, o.title, o.folder or None) for o in outlines}
    assert {(o.url, o.title, o.folder) for o in parsed} == expected
