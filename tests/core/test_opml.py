"""OPML import and export: folders, idempotence, skipped outlines with reasons, round trips."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsreader.core.errors import OpmlError
from newsreader.core.library import Library
from newsreader.core.models import OpmlOutline
from newsreader.core.opml import parse_opml, write_opml
from newsreader.core.storage import schema
from tests.conftest import shared_path
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer

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

    def kept(name: str | None) -> str | None:
        # XML 1.0 cannot hold U+FFFE or U+FFFF even escaped: a name keeps the rest of its characters
        return "".join(c for c in name if c not in "\ufffe\uffff").strip() or None if name else None

    expected = {(o.url, kept(o.title) or o.url, kept(o.folder)) for o in outlines}
    assert {(o.url, o.title, o.folder) for o in parsed} == expected


def test_names_xml_cannot_hold_are_written_without_those_characters() -> None:
    outlines = [
        OpmlOutline(url="https://e.example/1.xml", title="A\ufffeB", folder="\ufffe"),
        OpmlOutline(url="https://e.example/2.xml", title="\uffff", folder="News\uffff"),
    ]
    parsed = sorted((o.url, o.title, o.folder) for o in parse_opml(write_opml(outlines).encode()))
    # a name left empty: the feed's address stands for it, as for a feed without a title
    assert parsed == [
        ("https://e.example/1.xml", "AB", None),
        ("https://e.example/2.xml", "https://e.example/2.xml", "News"),
    ]


def _opml(body: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return f'{declaration}<opml version="1.0"><head><title>x</title></head><body>{body}</body></opml>'.encode()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # a bare ampersand in a title and in a query string
        (
            _opml('<outline text="Q & A" xmlUrl="http://a.example/f?x=1&y=2"/>'),
            [("http://a.example/f?x=1&y=2", "Q & A")],
        ),
        # HTML entities that XML does not declare
        (
            _opml('<outline text="Caf&eacute;&nbsp;Talk" xmlUrl="http://a.example/f"/>'),
            [("http://a.example/f", "Café\xa0Talk")],
        ),
        # a byte that is not UTF-8 (windows-1252 é) in a file that says UTF-8
        (
            _opml('<outline text="Caf\x00" xmlUrl="http://a.example/f"/>').replace(b"\x00", b"\xe9"),
            [("http://a.example/f", "Café")],
        ),
        # a Latin-1 file that says so
        (
            _opml(
                '<outline text="Caf\x00" xmlUrl="http://a.example/f"/>', '<?xml version="1.0" encoding="ISO-8859-1"?>'
            ).replace(b"\x00", b"\xe9"),
            [("http://a.example/f", "Café")],
        ),
        # a "<" inside an attribute value
        (_opml('<outline text="Less <more>" xmlUrl="http://a.example/f"/>'), [("http://a.example/f", "Less <more>")]),
        # control characters
        (_opml('<outline text="A\x0bB" xmlUrl="http://a.example/f"/>'), [("http://a.example/f", "AB")]),
        # an element left open: the recovering parser keeps what precedes and follows it
        (
            _opml('<outline text="One" xmlUrl="http://a.example/1"/><outline text="Two" xmlUrl="http://a.example/2">'),
            [("http://a.example/1", "One"), ("http://a.example/2", "Two")],
        ),
        # url= instead of xmlUrl= on a feed outline, upper-case attribute names
        (
            _opml(
                '<outline type="rss" text="U" url="http://a.example/u"/><outline TEXT="X" XMLURL="http://a.example/x"/>'
            ),
            [("http://a.example/u", "U"), ("http://a.example/x", "X")],
        ),
    ],
)
def test_files_from_other_apps_are_read_forgivingly(data: bytes, expected: list[tuple[str, str]]) -> None:
    assert [(o.url, o.title) for o in parse_opml(data)] == expected


def test_each_outline_that_cannot_be_imported_has_its_sentence(library: Library) -> None:
    data = _opml(
        '<outline text="Folder"><outline type="rss" text="No address" htmlUrl="http://a.example/"/>'
        '<outline type="link" text="A bookmark" url="http://a.example/page"/>'
        '<outline type="rss" text="Good" xmlUrl="http://a.example/good"/>'
        '<outline type="rss" text="Mail" xmlUrl="mailto:a@example.com"/></outline>'
    )
    report = library.import_opml(data)
    assert report.added == ("http://a.example/good",)
    reasons = dict(report.skipped)
    assert reasons["No address"] == "it names no feed address (no xmlUrl)"
    assert reasons["A bookmark"] == "it is a link outline, not a feed"
    assert "not an http or https address" in reasons["mailto:a@example.com"]


def test_names_from_the_file_are_the_users_and_survive_refresh_and_export(library: Library, server: FeedServer) -> None:
    named = server.add("/ourtime.xml", rss([{"title": "Episode", "guid": "1"}], title="In Our Time"))
    unnamed = server.add("/other.xml", rss([{"title": "Post", "guid": "1"}], title="The Other Feed"))
    data = _opml(f'<outline text="BBC" xmlUrl="{named}"/><outline xmlUrl="{unnamed}"/>')
    library.import_opml(data)
    assert all(p.result.error is None for p in library.refresh())
    feeds = {f.url: f for f in library.feeds()}
    assert (feeds[named].title, feeds[named].feed_title, feeds[named].user_title) == ("BBC", "In Our Time", "BBC")
    assert (feeds[unnamed].title, feeds[unnamed].user_title) == ("The Other Feed", None)
    assert {s.feed_title for s in library.stories()} == {"BBC", "The Other Feed"}
    exported = library.export_opml()
    assert 'text="BBC"' in exported and "In Our Time" not in exported
    assert 'text="The Other Feed"' in exported
    library.rename_feed(feeds[named].id, None)
    assert library.feed(feeds[named].id).title == "In Our Time"


def test_a_library_imported_before_keeps_the_names_of_feeds_never_read(tmp_path: Path) -> None:
    """Schema 7: names that earlier versions kept in the feed's own title become the user's."""
    path = tmp_path / "v6.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for step in schema.MIGRATIONS[:6]:
        step(db)
    db.execute("PRAGMA user_version = 6")
    db.execute("INSERT INTO feeds(url, title, added_at) VALUES ('http://a.example/1', 'BBC', '2025-01-01T00:00:00Z')")
    db.execute(
        """INSERT INTO feeds(url, title, body_hash, last_updated, added_at)
           VALUES ('http://a.example/2', 'In Our Time', 'h', '2025-01-02T00:00:00Z', '2025-01-01T00:00:00Z')"""
    )
    db.close()
    library = Library(path, parse_processes=0)
    feeds = {f.url: f for f in library.feeds()}
    assert feeds["http://a.example/1"].user_title == "BBC"
    assert feeds["http://a.example/2"].user_title is None
    assert feeds["http://a.example/2"].title == "In Our Time"
    library.close()


def test_a_file_cut_off_says_so_and_imports_what_it_could_read(library: Library, tmp_path: Path) -> None:
    head = b'<?xml version="1.0"?><opml version="2.0"><body>\n<outline text="a" xmlUrl="http://a.example/f.xml"/>\n'
    cut = tmp_path / "cut.opml"
    cut.write_bytes(head + b'<outline text="b" xmlUrl="http://b.example/fe')
    report = library.import_opml_file(cut)
    assert list(report.added) == ["http://a.example/f.xml"]
    assert [name for name, _ in report.skipped] == ["the rest of the file"]
    assert "damaged or cut off" in report.skipped[0][1] and "line 3" in report.skipped[0][1]
    nothing = tmp_path / "nothing.opml"
    nothing.write_bytes(b'<?xml version="1.0"?><opml><body><outline text="a" xmlUrl="')
    with pytest.raises(OpmlError, match=r"is damaged or cut off .*: no feed could be read from it"):
        library.import_opml_file(nothing)
