"""Hostile feed documents: each served by the loopback server beside two good feeds, refreshed by
the real library in a limited child process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import check_survived, hostile_library
from tests.support.httpserver import FeedServer

HEAD = '<?xml version="1.0" encoding="utf-8"?>'


def channel(items: str, extra: str = "") -> str:
    return f'<rss version="2.0"><channel><title>Hostile</title><link>http://127.0.0.1:9/</link>{extra}{items}</channel></rss>'


def item(title: str, body: str = "text", guid: str = "g1") -> str:
    return f"<item><title>{title}</title><guid>{guid}</guid><description>{body}</description></item>"


def billion_laughs() -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    return f"{HEAD}<!DOCTYPE rss [{entities}]>" + channel(item("&lol9;"))


def quadratic_blowup() -> str:
    big = "A" * 100_000
    return f'{HEAD}<!DOCTYPE rss [<!ENTITY a "{big}">]>' + channel(item("x", "&a;" * 10_000))


def external_file_entity() -> str:
    return f'{HEAD}<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + channel(item("leak &x; here"))


def external_http_entity(bystander: FeedServer) -> str:
    url = bystander.url("/entity.txt")
    return f'{HEAD}<!DOCTYPE rss [<!ENTITY x SYSTEM "{url}">]>' + channel(item("fetch &x; here"))


def external_dtd(bystander: FeedServer) -> str:
    return f'{HEAD}<!DOCTYPE rss SYSTEM "{bystander.url("/rss.dtd")}">' + channel(item("dtd"))


def parameter_entity(bystander: FeedServer) -> str:
    url = bystander.url("/evil.dtd")
    return f'{HEAD}<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{url}"> %ext;]>' + channel(item("pe"))


def many_entries() -> str:
    return HEAD + channel("".join(item(f"entry {i}", "x", f"g{i}") for i in range(100_000)))


def huge_entry() -> str:
    return HEAD + channel(item("huge", "word " * 3_000_000))  # 15 MB in one description, under the body cap


def oversized_entry() -> bytes:
    return (HEAD + channel(item("too big", "word " * 10_500_000))).encode()  # 52 MB: over the body cap


def deep_nesting() -> str:
    return HEAD + channel(item("deep", "<div>" * 100_000 + "x" + "</div>" * 100_000))


def deep_xml() -> str:
    return HEAD + channel("<x>" * 50_000 + "</x>" * 50_000 + item("after the deep tree"))


def invalid_utf8() -> bytes:
    return (HEAD + channel(item("caf\xe9 bad bytes: \x80\x81\xfe"))).encode("latin-1")


def mixed_encodings() -> bytes:
    return (
        HEAD.encode()
        + channel(item("utf-8 café", guid="a") + item("", guid="b")).encode()
        + "latin-1 caf\xe9".encode("latin-1")
    )


def utf16_without_bom() -> bytes:
    return ('<?xml version="1.0" encoding="utf-16"?>' + channel(item("sixteen bits"))).encode("utf-16-le")


def nul_bytes() -> bytes:
    return (HEAD + channel(item("nul\x00in\x00title", "body\x00with nul"))).encode()


def json_wrong_types() -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": ["not", "a", "string"],
            "items": [
                {"id": 5, "title": {"x": 1}, "content_html": 7, "url": ["a"], "date_published": 12},
                "not an object",
                {"id": "ok", "title": "A fine item", "content_text": "hello"},
                {"id": None, "tags": "not-a-list", "authors": "nobody", "attachments": [{"url": 3}]},
            ],
        }
    )


CASES = {
    "billion laughs": (billion_laughs, None),
    "quadratic blowup": (quadratic_blowup, None),
    "external file entity": (external_file_entity, None),
    "100,000 entries": (many_entries, False),
    "15 MB single entry": (huge_entry, False),
    "52 MB single entry": (oversized_entry, True),
    "100,000 nested divs in an entry": (deep_nesting, None),
    "50,000 nested XML elements": (deep_xml, None),
    "invalid UTF-8": (invalid_utf8, False),
    "mixed encodings": (mixed_encodings, None),
    "UTF-16 without BOM": (utf16_without_bom, False),
    "NUL bytes": (nul_bytes, None),
    "JSON Feed with wrong types": (json_wrong_types, False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_feed_document(name: str, tmp_path: Path, server: FeedServer, bystander: FeedServer) -> None:
    make, fails = CASES[name]
    content_type = "application/feed+json" if "JSON" in name else "application/rss+xml"
    url = server.add("/hostile.xml", make(), content_type=content_type)
    library = hostile_library(tmp_path, server, url)
    outcome = library.refresh()
    assert outcome.seconds < 60
    check_survived(library, outcome, hostile_fails=fails)
    titles = " ".join(title for (title,) in _titles(library))
    assert "root:" not in titles  # /etc/passwd never leaks into a story
    assert "lollollol" not in titles
    assert len(titles) < 1_000_000


@pytest.mark.parametrize(
    "make", [external_http_entity, external_dtd, parameter_entity], ids=["entity", "DTD", "parameter entity"]
)
def test_references_to_other_servers_are_never_fetched(
    make, tmp_path: Path, server: FeedServer, bystander: FeedServer
) -> None:  # type: ignore[no-untyped-def]
    url = server.add("/hostile.xml", make(bystander))
    library = hostile_library(tmp_path, server, url)
    check_survived(library, library.refresh())
    # the bystander fixture asserts that nothing reached it


def test_many_entries_are_capped(tmp_path: Path, server: FeedServer) -> None:
    url = server.add("/hostile.xml", many_entries())
    library = hostile_library(tmp_path, server, url)
    check_survived(library, library.refresh(), hostile_fails=False)
    hostile_id = 3
    assert sum(1 for feed_id, _ in library.stories() if feed_id == hostile_id) == 1000


def _titles(library) -> list[tuple[str]]:  # type: ignore[no-untyped-def]
    import sqlite3

    db = sqlite3.connect(library.data / "library.sqlite3")
    try:
        return list(db.execute("SELECT title FROM stories"))
    finally:
        db.close()
