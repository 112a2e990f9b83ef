"""What every sync client shares: requests through :class:`Fetcher` turned into :class:`SyncError`\\s,
and careful reading of the JSON a (possibly hostile) server sent.

A server's answer is never trusted: a value of the wrong type is skipped or replaced by a default, a
document of the wrong shape is one :class:`SyncProtocolError` sentence, and sizes are bounded by the
fetcher's body cap (:data:`API_MAX_BYTES`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from newsreader.core.errors import (
    FetchError,
    SyncAuthError,
    SyncError,
    SyncOfflineError,
    SyncProtocolError,
    SyncRefusedError,
)
from newsreader.core.fetch import Fetcher, FetchResponse

API_MAX_BYTES = 32 * 1024 * 1024
"""The largest answer a sync server may send (a page of full-content items can be large)."""

JSON_ACCEPT = "application/json, text/plain;q=0.5, */*;q=0.1"

FormData = list[tuple[str, str]]
"""A form body: pairs in order, names may repeat (``i=…&i=…``)."""


class Transport:
    """Sends one protocol's requests to one server; turns every failure into a :class:`SyncError`.

    *server* names the server in messages (its base address); *protocol* names the API
    ("Google Reader API", "Fever API", "Tiny Tiny RSS API")."""

    def __init__(self, fetcher: Fetcher, server: str, protocol: str) -> None:
        self.fetcher = fetcher
        self.server = server
        self.protocol = protocol

    def get(self, url: str, query: FormData | None = None, headers: dict[str, str] | None = None) -> FetchResponse:
        """GET *url* with *query*; raises :class:`SyncError`."""
        target = f"{url}?{urlencode(query)}" if query else url
        try:
            return self.fetcher.fetch(target, accept=JSON_ACCEPT, max_bytes=API_MAX_BYTES, headers=headers)
        except FetchError as exc:
            raise self.failure(exc) from exc

    def post(
        self,
        url: str,
        body: bytes,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
    ) -> FetchResponse:
        """POST *body* to *url*; raises :class:`SyncError`."""
        try:
            return self.fetcher.post(
                url, body, content_type=content_type, accept=JSON_ACCEPT, max_bytes=API_MAX_BYTES, headers=headers
            )
        except FetchError as exc:
            raise self.failure(exc) from exc

    def failure(self, exc: FetchError) -> SyncError:
        """The :class:`SyncError` for a failed request (kept on ``status`` for callers that retry)."""
        status = exc.status
        if status in (401, 403):
            return SyncAuthError(
                self.server,
                f"{self.server} refused the user name, password or session (HTTP {status}).",
                status=status,
            )
        if status is not None and 400 <= status < 500 and status not in (408, 429):
            return SyncRefusedError(self.server, f"{self.server} refused the request: {exc}", status=status)
        return SyncOfflineError(self.server, str(exc), status=status)

    def garbage(self, what: str) -> SyncProtocolError:
        """The error for an answer that is not what the protocol promises."""
        return SyncProtocolError(self.server, f"{self.server} answered something that is not a {self.protocol} {what}.")

    def json(self, response: FetchResponse, what: str) -> Any:
        """The JSON document of *response*; raises :class:`SyncProtocolError` when it is not JSON."""
        try:
            text = response.body.decode("utf-8-sig")
            return json.loads(text)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise self.garbage(what) from exc

    def json_object(self, response: FetchResponse, what: str) -> Mapping[str, Any]:
        """The JSON object of *response*; raises :class:`SyncProtocolError` for anything else."""
        document = self.json(response, what)
        if not isinstance(document, dict):
            raise self.garbage(what)
        return document


def text(value: Any, default: str = "") -> str:
    """*value* when it is a string, else *default* (numbers are not names)."""
    return value if isinstance(value, str) else default


def optional_text(value: Any) -> str | None:
    """*value* when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def integer(value: Any) -> int | None:
    """*value* as an int when it is one, or a string of decimal digits (JSON ids often are), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 40:
        return int(value.strip())
    return None


def ident(value: Any) -> str | None:
    """An id sent as a JSON number or string, as a decimal string; None when it is neither."""
    number = integer(value)
    return str(number) if number is not None else None


def flag(value: Any) -> bool:
    """A JSON boolean, or a 0/1 number or string, as a bool (anything else is False)."""
    if isinstance(value, bool):
        return value
    number = integer(value)
    return bool(number)


def unix_time(value: Any, scale: int = 1) -> datetime | None:
    """A unix time (seconds, or seconds × *scale*) as a UTC datetime; None when absent or absurd."""
    number = integer(value)
    if number is None or number <= 0:
        return None
    try:
        return datetime.fromtimestamp(number / scale, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def objects(value: Any) -> list[Mapping[str, Any]]:
    """The JSON objects in a JSON list (other members skipped); [] when *value* is not a list."""
    if not isinstance(value, list):
        return []
    return [member for member in value if isinstance(member, dict)]


def id_list(value: Any) -> tuple[str, ...]:
    """Ids from a comma-separated string (Fever's ``unread_item_ids``) or a JSON list, in order."""
    if isinstance(value, str):
        parts: list[Any] = value.split(",")
    elif isinstance(value, list):
        parts = value
    else:
        return ()
    found = (ident(part) for part in parts)
    return tuple(part for part in found if part is not None)
