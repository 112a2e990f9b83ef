"""Date parsing for feeds: strict fast paths for the two common forms, feedparser's many handlers
for everything else. Every result is an aware UTC datetime."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, timedelta

_ISO_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?\s*(Z|z|[+-]\d\d:?\d\d)$")
_RFC822_RE = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d\d):(\d\d)(?::(\d\d))?\s+"
    r"(GMT|UT|UTC|Z|[+-]\d{4})$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}


def _offset(text: str) -> timedelta:
    if text in ("Z", "z", "GMT", "UT", "UTC"):
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def _build(year: int, month: int, day: int, hour: int, minute: int, second: int, off: timedelta) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC) - off


def parse_date(text: str | None) -> datetime | None:
    """Parse a feed date (RFC 822, ISO 8601 and the many variants real feeds use) to UTC, or None."""
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
    return _parse_with_feedparser(text)


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
