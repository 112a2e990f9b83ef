"""Feed dates in the forms real feeds write: every one read to the right UTC instant, by both parsers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsreader.core.parse import parse_feed
from newsreader.core.parse.dates import ZONE_OFFSETS, parse_date
from tests.support.feeds import rss


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the two forms nearly every feed writes
        ("Tue, 22 May 2012 18:40:00 +0200", utc(2012, 5, 22, 16, 40)),
        ("2012-05-22T18:40:00Z", utc(2012, 5, 22, 18, 40)),
        # named zones
        ("Fri, 11 Feb 2022 19:58:02 CET", utc(2022, 2, 11, 18, 58, 2)),
        ("Mon, 21 Apr 2025 12:00:00 CEST", utc(2025, 4, 21, 10)),
        ("Tue, 22 May 2012 18:40:00 EST", utc(2012, 5, 22, 23, 40)),
        ("Tue, 22 May 2012 18:40:00 PDT", utc(2012, 5, 23, 1, 40)),
        ("Fri, 17 May 2019 06:00:00 BST", utc(2019, 5, 17, 5)),
        ("Tue, 22 May 2012 18:40:00 JST", utc(2012, 5, 22, 9, 40)),
        ("Tue, 22 May 2012 18:40:00 cest", utc(2012, 5, 22, 16, 40)),
        ("Tue May 22 18:40:00 CEST 2012", utc(2012, 5, 22, 16, 40)),
        ("Tue, 22 May 2012 18:40:00 Europe/Berlin", utc(2012, 5, 22, 16, 40)),
        ("Tue, 22 May 2012 18:40:00 +0530 (IST)", utc(2012, 5, 22, 13, 10)),
        # no zone: UTC
        ("WED,23 MAY 2012 02:23:01", utc(2012, 5, 23, 2, 23, 1)),
        ("Tue, 22 May 2012 18:40:00", utc(2012, 5, 22, 18, 40)),
        ("Tue,22 May 2012 18:40:00 GMT", utc(2012, 5, 22, 18, 40)),
        ("Tuesday, May 22, 2012 - 18:40", utc(2012, 5, 22, 18, 40)),
        ("2020/1/10 14:03:00", utc(2020, 1, 10, 14, 3)),
        # 12-hour clocks
        ("Tue, 22 May 2012 6:40 PM EST", utc(2012, 5, 22, 23, 40)),
        ("Sat, Dec 16 2023 02:02:33 PM", utc(2023, 12, 16, 14, 2, 33)),
        ("05/22/2012 06:40:00 pm", utc(2012, 5, 22, 18, 40)),
        ("Tue, 22 May 2012 12:10 AM", utc(2012, 5, 22, 0, 10)),
        # offsets glued to the time, or with one digit
        ("Tue, 22 May 2012 18:40:00+0200", utc(2012, 5, 22, 16, 40)),
        ("Tue, 22 May 2012 18:40:00 +2", utc(2012, 5, 22, 16, 40)),
        ("Tue, 22 May 2012 18:40:00 -5", utc(2012, 5, 22, 23, 40)),
        ("22 May 2012 18:40 -3:30", utc(2012, 5, 22, 22, 10)),
        ("2012-05-22T18:40:00+02", utc(2012, 5, 22, 16, 40)),
        # offsets written after GMT/UTC mean east of Greenwich (not POSIX's west)
        ("Tue, 22 May 2012 18:40:00 GMT+0200", utc(2012, 5, 22, 16, 40)),
        ("Tue, 22 May 2012 18:40:00 UTC+02:00", utc(2012, 5, 22, 16, 40)),
        ("Tue, 22 May 2012 18:40:00 GMT-5", utc(2012, 5, 22, 23, 40)),
        ("Tue, 22 May 2012 18:40:00 ET", utc(2012, 5, 22, 23, 40)),
        # day-first dotted dates, dotted times
        ("05.06.2012 18:40", utc(2012, 6, 5, 18, 40)),
        ("22.05.2012 18.40", utc(2012, 5, 22, 18, 40)),
        ("Tue, 22 May 2012 18.40.00 +0200", utc(2012, 5, 22, 16, 40)),
        # two-digit years, fractions of a second, compact ISO
        ("Tuesday, 22-May-12 18:40:00 GMT", utc(2012, 5, 22, 18, 40)),
        ("03 Apr 02 1500 GMT", utc(2002, 4, 3, 15)),
        ("2012-05-22T18:40:00.123456789Z", utc(2012, 5, 22, 18, 40)),
        ("20120522T184000Z", utc(2012, 5, 22, 18, 40)),
        # other languages
        ("Di, 22 Mai 2012 18:40:00 +0200", utc(2012, 5, 22, 16, 40)),
        ("Mi, 04 Jan 2017 17:36:24 +0000", utc(2017, 1, 4, 17, 36, 24)),
        ("mar., 22 mai 2012 18:40:00 +0200", utc(2012, 5, 22, 16, 40)),
        ("Seg, 24 Set 2018 19:18:49 -0300", utc(2018, 9, 24, 22, 18, 49)),
        ("Martes, 22 de Mayo de 2012 18:40:00 +0200", utc(2012, 5, 22, 16, 40)),
        ("wto, 22 maj 2012 18:40:00 +0200", utc(2012, 5, 22, 16, 40)),
    ],
)
def test_date_forms(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "soon", "May 2012", "not a date at all", "12:30", "2 days ago"])
def test_text_without_a_full_date_gives_none(text: str) -> None:
    assert parse_date(text) is None


def test_every_zone_name_is_read_with_its_offset() -> None:
    for name, seconds in ZONE_OFFSETS.items():
        found = parse_date(f"Tue, 22 May 2012 12:00:00 {name}")
        assert found is not None, name
        assert (utc(2012, 5, 22, 12) - found).total_seconds() == seconds, name


@pytest.mark.parametrize(
    "text", ["Fri, 11 Feb 2022 19:58:02 CET", "WED,23 MAY 2012 02:23:01", "Di, 22 Mai 2012 18:40:00 +0200"]
)
def test_both_parsers_agree_on_odd_dates(text: str) -> None:
    """The lxml fast path and feedparser read the same instant (and neither takes the fetch time)."""
    now = utc(2026, 1, 1)
    document = rss([{"title": "a", "guid": "a", "pubDate": text}])
    fast = parse_feed(document.encode(), "http://127.0.0.1:9/f", now=now)
    reference = parse_feed(document.encode(), "http://127.0.0.1:9/f", now=now, fast=False)
    assert fast.parser == "fast"
    assert fast.entries[0].published == reference.entries[0].published == parse_date(text)
    assert fast.entries[0].published != now


def test_texts_that_are_no_date_cannot_stall_a_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """dateparser's failed attempts draw on a time budget; once spent, odd texts are given up on."""
    import dateparser

    from newsreader.core.parse import dates

    clock = [1000.0]
    calls: list[str] = []

    def slow_miss(text: str, **_: object) -> None:
        calls.append(text)
        clock[0] += 0.5

    monkeypatch.setattr(dates.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(dateparser, "parse", slow_miss)
    monkeypatch.setattr(dates, "_budget", [dates._BUDGET_SECONDS, clock[0]])
    for n in range(10):
        assert dates._parse_with_dateparser(f"Blah, {n} Foo 2012") is None
    spent = len(calls)
    assert 4 <= spent <= 5  # 2 s of budget at 0.5 s a miss (plus what refilled meanwhile)
    clock[0] += 60  # a minute later the budget has refilled
    assert dates._parse_with_dateparser("Blah, 1 Bar 2012") is None
    assert len(calls) == spent + 1
