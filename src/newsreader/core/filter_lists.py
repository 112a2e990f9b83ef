"""The user's ad-blocking filter lists (EasyList syntax), kept as files in ``filters/`` beside the
library; :func:`newsreader.core.pages.filters.load_filters` reads them.

A list can be added once from a file, or subscribed to by URL as in a browser's ad blocker: its
address and validators are kept in ``filters/subscriptions.json`` and the list is fetched again when
it expires — after the period its own ``! Expires:`` header gives (EasyList: 4 days), else 4 days —
with a conditional request, like a feed. A failed update keeps the copy already there; with no copy
at all the shipped list still applies, so analysis works offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsreader.core.errors import FetchError, FilterListNotFoundError, SettingsError

if TYPE_CHECKING:
    from newsreader.core.fetch.http import Fetcher

SUBSCRIPTIONS = "subscriptions.json"
DEFAULT_EXPIRY = timedelta(days=4)
"""EasyList's own ``! Expires: 4 days``; used when a list says nothing."""
MIN_EXPIRY = timedelta(hours=1)
MAX_EXPIRY = timedelta(days=14)
_EXPIRES = re.compile(r"^!\s*Expires:\s*(\d+)\s*(day|days|hour|hours|h|d)\b", re.IGNORECASE | re.MULTILINE)
_ACCEPT = "text/plain,*/*;q=0.5"


@dataclass(frozen=True, slots=True)
class FilterListUpdate:
    """What refreshing one subscribed list did: ``updated`` (with its rule count), ``unchanged``
    (304, or not due), or ``failed`` (with the sentence; the previous copy stays in use)."""

    name: str
    url: str
    status: str
    rules: int = 0
    error: str | None = None


def list_file(directory: Path, name: str) -> Path:
    """Where a list called *name* is kept (a safe file name ending in ``.txt``)."""
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-.") or "list"
    return directory / (safe if safe.endswith(".txt") else f"{safe}.txt")


def add_filter_list(directory: Path, text: str, name: str) -> int:
    """Keep a filter list under *name*; returns its number of rules. Raises :class:`SettingsError`
    when the text is not a filter list or the file cannot be written."""
    from newsreader.core.pages.filters import check_list

    count = check_list(text, name)
    target = list_file(directory, name)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)  # readers never see half a list
    except OSError as exc:
        raise SettingsError(f"The filter list could not be saved to {target} ({exc.strerror}).") from exc
    return count


def remove_filter_list(directory: Path, name: str) -> None:
    """Delete one of the user's filter lists (by file name or stem) and its subscription; raises
    :class:`FilterListNotFoundError`."""
    from newsreader.core.pages.filters import user_lists

    for path in user_lists(directory):
        if name in (path.name, path.stem):
            path.unlink()
            subscriptions = _load(directory)
            if subscriptions.pop(path.name, None) is not None:
                _save(directory, subscriptions)
            return
    raise FilterListNotFoundError(name)


def subscriptions(directory: Path) -> dict[str, dict[str, Any]]:
    """The subscribed lists by file name: ``url``, ``checked``, ``expires`` (ISO times), ``etag``,
    ``last_modified`` and the last ``error`` (None after a success)."""
    return _load(directory)


def subscribe_filter_list(
    directory: Path, fetcher: Fetcher, url: str, name: str | None, now: datetime
) -> tuple[str, int]:
    """Fetch the list at *url*, keep it and remember where it came from so that
    :func:`refresh_filter_lists` keeps it current; returns (file name, rules). Raises
    :class:`FetchError` and :class:`SettingsError` (not a filter list, cannot be written)."""
    response = fetcher.fetch(url, accept=_ACCEPT)
    text = response.body.decode("utf-8", errors="replace")
    chosen = name or url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "list"
    rules = add_filter_list(directory, text, chosen)
    file_name = list_file(directory, chosen).name
    records = _load(directory)
    records[file_name] = _record(url, response.etag, response.last_modified, now, expiry(text))
    _save(directory, records)
    return file_name, rules


def refresh_filter_lists(
    directory: Path, fetcher: Fetcher, now: datetime, *, force: bool = False
) -> Iterator[FilterListUpdate]:
    """Fetch again every subscribed list that has expired (all with *force*), conditionally; yields
    what each did. Never raises for one list: a failure is recorded with it and the copy already
    kept stays in use."""
    records = _load(directory)
    for file_name, record in sorted(records.items()):
        url = str(record.get("url") or "")
        due = force or _time(record.get("expires")) is None or (_time(record.get("expires")) or now) <= now
        if not url or not due:
            yield FilterListUpdate(file_name, url, "unchanged")
            continue
        present = (directory / file_name).is_file()
        try:
            response = fetcher.fetch(
                url,
                etag=record.get("etag") if present else None,
                last_modified=record.get("last_modified") if present else None,
                accept=_ACCEPT,
            )
            if response.not_modified:
                text = (directory / file_name).read_text(encoding="utf-8", errors="replace")
                records[file_name] = _record(url, record.get("etag"), record.get("last_modified"), now, expiry(text))
                yield FilterListUpdate(file_name, url, "unchanged")
                continue
            text = response.body.decode("utf-8", errors="replace")
            rules = add_filter_list(directory, text, file_name)
            records[file_name] = _record(url, response.etag, response.last_modified, now, expiry(text))
            yield FilterListUpdate(file_name, url, "updated", rules)
        except (FetchError, SettingsError, OSError) as exc:
            message = str(exc) or f"{url} could not be fetched."
            retry = now + min(DEFAULT_EXPIRY, timedelta(hours=6))
            records[file_name] = {**record, "checked": now.isoformat(), "expires": retry.isoformat(), "error": message}
            yield FilterListUpdate(file_name, url, "failed", error=message)
        finally:
            _save(directory, records)


def expiry(text: str) -> timedelta:
    """How long a list stays current: its ``! Expires: N days|hours`` header, else 4 days, kept
    between an hour and two weeks."""
    found = _EXPIRES.search(text[:4000])
    if found is None:
        return DEFAULT_EXPIRY
    amount = int(found.group(1))
    period = timedelta(hours=amount) if found.group(2).lower().startswith("h") else timedelta(days=amount)
    return max(MIN_EXPIRY, min(MAX_EXPIRY, period))


def _record(url: str, etag: Any, last_modified: Any, now: datetime, lifetime: timedelta) -> dict[str, Any]:
    return {
        "url": url,
        "etag": etag,
        "last_modified": last_modified,
        "checked": now.isoformat(),
        "expires": (now + lifetime).isoformat(),
        "error": None,
    }


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _load(directory: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((directory / SUBSCRIPTIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)} if isinstance(data, dict) else {}
    )


def _save(directory: Path, records: dict[str, dict[str, Any]]) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (SUBSCRIPTIONS + ".part")
        tmp.write_text(json.dumps(records, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(directory / SUBSCRIPTIONS)
    except OSError as exc:
        raise SettingsError(
            f"The filter list subscriptions could not be saved in {directory} ({exc.strerror})."
        ) from exc
