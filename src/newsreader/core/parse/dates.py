"""Date parsing for feeds. Every result is an aware UTC datetime, or None when the text holds no date.

Four steps, cheapest first:

1. strict regular expressions for the two forms nearly every feed writes (RFC 822 with a numeric
   offset or GMT, and ISO 8601 / RFC 3339);
2. python-dateutil for the English forms real feeds write besides: zone names (``CET``, ``CEST``,
   ``PDT``… from :data:`ZONE_OFFSETS`), no zone at all (read as UTC, as RFC 822 reads ``-0000``),
   upper case, missing spaces (``WED,23 MAY 2012``), 12-hour clocks with AM/PM, offsets glued to the
   time or written with one digit (``+2``), IANA zone names (``Europe/Berlin``); a date whose year
   or day is missing is refused rather than completed from today;
3. feedparser's own handlers (W3DTF partial dates, asctime, the Korean, Greek and Hungarian forms…);
4. dateparser for month and day names in other languages (``Di, 22 Mai 2012``, ``22 de mayo de 2012``),
   cached per text, only for short texts that contain words dateutil did not know, and within a
   time budget for texts that turn out to be no date (2 s, refilled over a minute).
"""

from __future__ import annotations

import calendar
import re
import threading
import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

_ISO_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?\s*(Z|z|[+-]\d\d:?\d\d)$")
_RFC822_RE = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d\d):(\d\d)(?::(\d\d))?\s+"
    r"(GMT|UT|UTC|Z|[+-]\d{4})$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}

_HOUR = 3600
ZONE_OFFSETS: dict[str, int] = {
    # RFC 822 §5.1 (North America)
    "EST": -5 * _HOUR,
    "EDT": -4 * _HOUR,
    "CST": -6 * _HOUR,
    "CDT": -5 * _HOUR,
    "MST": -7 * _HOUR,
    "MDT": -6 * _HOUR,
    "PST": -8 * _HOUR,
    "PDT": -7 * _HOUR,
    # the rest of North America and the Pacific
    "AKST": -9 * _HOUR,
    "AKDT": -8 * _HOUR,
    "HST": -10 * _HOUR,
    # without the daylight-saving letter (feedparser reads them as standard time too)
    "ET": -5 * _HOUR,
    "CT": -6 * _HOUR,
    "MT": -7 * _HOUR,
    "PT": -8 * _HOUR,
    "AST": -4 * _HOUR,
    "ADT": -3 * _HOUR,
    "NST": -(3 * _HOUR + 1800),
    "NDT": -(2 * _HOUR + 1800),
    # Europe and Africa
    "WET": 0,
    "WEST": _HOUR,
    "BST": _HOUR,
    "IST": 5 * _HOUR + 1800,  # India; the Irish and Israeli uses are rarer in feeds
    "CET": _HOUR,
    "CEST": 2 * _HOUR,
    "MET": _HOUR,
    "MEST": 2 * _HOUR,
    "MEZ": _HOUR,
    "MESZ": 2 * _HOUR,
    "EET": 2 * _HOUR,
    "EEST": 3 * _HOUR,
    "MSK": 3 * _HOUR,
    "WAT": _HOUR,
    "CAT": 2 * _HOUR,
    "SAST": 2 * _HOUR,
    "EAT": 3 * _HOUR,
    # Asia and Oceania
    "PKT": 5 * _HOUR,
    "ICT": 7 * _HOUR,
    "WIB": 7 * _HOUR,
    "HKT": 8 * _HOUR,
    "SGT": 8 * _HOUR,
    "AWST": 8 * _HOUR,
    "PHT": 8 * _HOUR,
    "JST": 9 * _HOUR,
    "KST": 9 * _HOUR,
    "ACST": 9 * _HOUR + 1800,
    "ACDT": 10 * _HOUR + 1800,
    "AEST": 10 * _HOUR,
    "AEDT": 11 * _HOUR,
    "NZST": 12 * _HOUR,
    "NZDT": 13 * _HOUR,
    # South America
    "BRT": -3 * _HOUR,
    "ART": -3 * _HOUR,
}
"""UTC offsets (seconds) of the zone abbreviations feeds write. Abbreviations are ambiguous; each one
means what it most often means in feeds (RFC 822's North American zones; ``IST`` is India)."""

_MAX_TEXT = 80
_IANA_RE = re.compile(r"\s+\(?([A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+){1,2})\)?$")
_PAREN_ZONE_RE = re.compile(r"\s*\(([A-Za-z]{2,5})\)$")  # "+0530 (IST)": the offset already says it
_ONE_DIGIT_OFFSET_RE = re.compile(r"(?<=\d)\s*([+-])(\d)(?::?(\d\d))?$")
# "GMT+0200" means two hours east of Greenwich; dateutil follows POSIX, where "GMT+2" is west
_NAMED_OFFSET_RE = re.compile(r"\b(?:GMT|UTC|UT)\s*(?=[+-]\d)", re.IGNORECASE)
_DOTTED_TIME_RE = re.compile(r"(?<=\d{4}\s)(\d{1,2})\.(\d\d)(?:\.(\d\d))?\b")
_DOTTED_DATE_RE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_CLOCK_RE = re.compile(r"\d{1,2}:\d\d(?::\d\d)?")
_WORD_RE = re.compile(r"[^\W\d_]+")
_ENGLISH_WORDS = frozenset(
    {m.lower() for m in calendar.month_name[1:] + calendar.month_abbr[1:] + calendar.day_name[:] + calendar.day_abbr[:]}
    | {"sept", "tues", "thur", "thurs", "am", "pm", "a", "p", "m", "t", "z", "at", "on", "of", "st", "nd", "rd", "th"}
    | {"gmt", "ut", "utc"}
    | {name.lower() for name in ZONE_OFFSETS}
)


def _offset(text: str) -> timedelta:
    if text in ("Z", "z", "GMT", "UT", "UTC"):
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def _build(year: int, month: int, day: int, hour: int, minute: int, second: int, off: timedelta) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC) - off


def parse_date(text: str | None) -> datetime | None:
    """Parse a feed date (RFC 822, ISO 8601 and the many variants real feeds use) to UTC, or None.

    A date without a zone is read as UTC. Raises nothing: text that holds no complete date (year,
    month and day) gives None.
    """
    if not text:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        match = _ISO_RE.match(text)
        if match:
            y, mo, d, h, mi, s, off = match.groups()
            return _build(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), _offset(off))
        match = _RFC822_RE.match(text)
        if match and match.group(2).lower() in _MONTHS:
            d, mon, y, h, mi, s, off = match.groups()
            return _build(int(y), _MONTHS[mon.lower()], int(d), int(h), int(mi), int(s or 0), _offset(off))
    except (ValueError, OverflowError):
        pass
    if len(text) > _MAX_TEXT:
        return _parse_with_feedparser(text)
    return _parse_loose(text)


@lru_cache(maxsize=4096)
def _parse_loose(text: str) -> datetime | None:
    if not any(c.isdigit() for c in _CLOCK_RE.sub("", text)):
        return None  # a time of day alone: feedparser would complete it with today's date
    found = _parse_with_dateutil(text)
    if found is not None:
        return found
    found = _parse_with_feedparser(text)
    if found is not None:
        return found
    if any(word.lower() not in _ENGLISH_WORDS for word in _WORD_RE.findall(text)):
        return _parse_with_dateparser(text)
    return None


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's ``tzinfos`` hook: the zone a name or numeric offset stands for (None: read as UTC)."""
    if name and name.upper() in ZONE_OFFSETS:
        return timezone(timedelta(seconds=ZONE_OFFSETS[name.upper()]))
    if offset is not None and abs(offset) < 86_400:
        return timezone(timedelta(seconds=offset))
    return None


def _parse_with_dateutil(text: str) -> datetime | None:
    from dateutil.parser import ParserError, parse

    zone: tzinfo | None = None
    match = _IANA_RE.search(text)
    if match:
        zone = _iana_zone(match.group(1))
        if zone is None:
            return None
        text = text[: match.start()]
    text = _PAREN_ZONE_RE.sub("", text)
    # "+2" and "-5:30" as the zone: dateutil reads a lone digit as hours only in some positions
    text = _NAMED_OFFSET_RE.sub("", text)
    text = _DOTTED_TIME_RE.sub(lambda m: f"{m.group(1)}:{m.group(2)}:{m.group(3) or '00'}", text)
    text = _ONE_DIGIT_OFFSET_RE.sub(lambda m: f" {m.group(1)}0{m.group(2)}{m.group(3) or '00'}", text)
    text = text.upper()  # dateutil knows zone names only in capitals
    options: dict[str, Any] = {"tzinfos": _zone, "dayfirst": bool(_DOTTED_DATE_RE.search(text))}
    try:
        # two defaults that differ in every field: a field taken from a default is a field missing
        first = parse(text, default=datetime(2001, 1, 1), **options)
        second = parse(text, default=datetime(2002, 2, 2), **options)
    except (ParserError, ValueError, OverflowError, TypeError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    if zone is not None and first.tzinfo is None:
        first = first.replace(tzinfo=zone)
    return _to_utc(first)


def _iana_zone(name: str) -> tzinfo | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _to_utc(value: datetime) -> datetime | None:
    try:
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


# The languages whose month and day names feeds write most (dateparser detects among these only:
# trying all 200 costs ~100 ms for every text that is no date at all).
_LANGUAGES = [
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "pl",
    "sv",
    "da",
    "nb",
    "fi",
    "cs",
    "sk",
    "ru",
    "uk",
    "tr",
    "ro",
    "hu",
    "ca",
    "el",
    "id",
    "hr",
    "sl",
    "et",
    "lv",
    "lt",
    "bg",
    "sr",
]
# Texts that turn out to be no date cost dateparser milliseconds each; a feed full of them must not
# stall a refresh. Failed attempts draw on a budget of seconds that refills slowly.
_BUDGET_SECONDS = 2.0
_REFILL_PER_SECOND = 1 / 30
_budget = [_BUDGET_SECONDS, 0.0]  # seconds left, when last refilled (monotonic)
_budget_lock = threading.Lock()

_DATEPARSER_SETTINGS = {
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["absolute-time"],
}


def _parse_with_dateparser(text: str) -> datetime | None:
    now = time.monotonic()
    with _budget_lock:
        _budget[0] = min(_BUDGET_SECONDS, _budget[0] + (now - _budget[1]) * _REFILL_PER_SECOND)
        _budget[1] = now
        if _budget[0] <= 0:
            return None
    import dateparser

    try:
        found = dateparser.parse(text, languages=_LANGUAGES, settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, TypeError, AttributeError, LookupError):
        found = None
    if not isinstance(found, datetime):
        with _budget_lock:
            _budget[0] -= time.monotonic() - now
        return None
    return _to_utc(found)


def _parse_with_feedparser(text: str) -> datetime | None:
    from feedparser.datetimes import _parse_date

    try:
        parsed = _parse_date(text)
    except (ValueError, OverflowError, TypeError, IndexError):
        return None
    return struct_to_datetime(parsed)


def struct_to_datetime(value: time.struct_time | None) -> datetime | None:
    """Convert feedparser's UTC ``struct_time`` to an aware datetime (None when invalid)."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
