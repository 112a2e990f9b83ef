"""Bounded HTTP fetching: with :mod:`~newsreader.core.fetch.failures`, the only module that uses
``requests``.

Every request has connect and read timeouts, a total deadline, a cap on the body (counted after
decompression, enforced while streaming), a cap on redirects (followed here, one hop at a time, so
each hop's scheme is checked and permanent moves are noticed) and a per-host connection cap.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family

from newsreader import __version__
from newsreader.core.errors import FetchError, NotRequestedError, RequestCancelledError, UnreachableError
from newsreader.core.fetch.failures import describe, never_reached, unreachable
from newsreader.core.fetch.resolver import Resolver
from newsreader.core.fetch.watchdog import ConnectionTracker, Watchdog, shut_down_sockets
from newsreader.core.pool import Cancel

USER_AGENT = f"newsreader/{__version__} (desktop feed reader)"
PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})

ROUND_MEMORY = 600.0
"""Seconds a host that did not resolve, connect or answer in time is not asked again (a refresh's
length at most; :meth:`Fetcher.begin_round` forgets sooner)."""

_TRACKER = ConnectionTracker()
_WATCHDOG = Watchdog()
_RESOLVER = Resolver()


def _open_socket(connection: HTTPConnection) -> socket.socket:
    """Connect a pooled connection: the name resolved within the time the request has left, the
    socket known to the deadline before it connects. Raises urllib3's connection errors."""
    host = connection._dns_host.strip("[]")
    timeout = connection.timeout if isinstance(connection.timeout, int | float) else None
    left = _TRACKER.time_left()
    budget = min(t for t in (timeout, left, 60.0) if t is not None)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            addresses = _RESOLVER.resolve(host, connection.port, allowed_gai_family(), budget)
        except socket.gaierror as exc:
            raise NameResolutionError(connection.host, connection, exc) from exc
    else:
        addresses = socket.getaddrinfo(host, connection.port, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    failure: OSError | None = None
    for family, kind, proto, _name, address in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            for level, option, value in connection.socket_options or ():
                sock.setsockopt(level, option, value)
            _TRACKER.register(sock)
            sock.settimeout(max(0.001, min(budget, _TRACKER.time_left() or budget)))
            sock.connect(address)
            sock.settimeout(timeout)
            return sock
        except TimeoutError as exc:
            sock.close()
            raise ConnectTimeoutError(connection, f"Connection to {connection.host} timed out.") from exc
        except OSError as exc:
            sock.close()
            failure = exc
    raise NewConnectionError(connection, f"Failed to establish a new connection: {failure}") from failure


class _BoundedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _open_socket(self)


class _BoundedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _open_socket(self)


def _register_kept_alive(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:  # a kept-alive connection (new ones register as they open)
        _TRACKER.register(sock)


class _TrackedPool:
    """A connection pool whose kept-alive connections register with the tracker as they are reused."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        try:
            _register_kept_alive(connection)
        except ConnectionAbortedError:
            self._put_conn(connection)  # type: ignore[attr-defined]  # the request was stopped: it stays pooled
            raise
        return connection


class _TrackedHTTPPool(_TrackedPool, HTTPConnectionPool):
    ConnectionCls = _BoundedHTTPConnection


class _TrackedHTTPSPool(_TrackedPool, HTTPSConnectionPool):
    ConnectionCls = _BoundedHTTPSConnection


class _TrackedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """The bounds every request runs within."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0
    """Seconds for the whole request, redirects included."""
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    per_host: int = 4
    """Concurrent connections to one host: polite to small sites."""


@dataclass(frozen=True, slots=True)
class FetchResponse:
    """A completed response (200 with its body, or 304)."""

    url: str
    """The URL the content finally came from."""
    status: int
    body: bytes
    headers: dict[str, str]
    permanent_url: str | None = None
    """Where a chain of permanent redirects (301/308) from the requested URL led, if any."""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: datetime | None = None
    max_age: int | None = None
    redirects: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request."""
        return self.status == 304


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """``Retry-After`` as seconds or an HTTP date, capped at one week; None when absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 7 * 86400))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when, now), now + timedelta(days=7))


def parse_max_age(value: str | None) -> int | None:
    """The ``max-age`` of a ``Cache-Control`` header in seconds, or None."""
    if not value:
        return None
    for directive in value.split(","):
        name, _, arg = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            arg = arg.strip().strip('"')
            if arg.isdigit():
                return int(arg)
    return None


class Fetcher:
    """Fetches URLs within :class:`FetchLimits`; safe to share between threads."""

    def __init__(
        self, limits: FetchLimits | None = None, user_agent: str = USER_AGENT, proxy: str | None = None
    ) -> None:
        self.limits = limits or FetchLimits()
        self.user_agent = user_agent
        self.proxy = proxy
        """Every request goes through this proxy (``http://host:port`` or ``socks5://…``) when set."""
        self._local = threading.local()
        self._host_lock = threading.Lock()
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._sessions: list[requests.Session] = []
        self._unreachable: dict[str, float] = {}
        """Hosts that did not answer in this round → when (monotonic)."""
        self._unreported: dict[str, str] = {}
        self._answered: set[str] = set()
        self._backed_off: dict[str, datetime] = {}

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies or .netrc picked up behind the user's back
            adapter = _TrackedAdapter(pool_connections=32, pool_maxsize=2, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            if self.proxy:
                session.proxies = {"http": self.proxy, "https": self.proxy}
            session.headers["User-Agent"] = self.user_agent
            session.headers["Accept"] = (
                "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, "
                "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
            )
            self._local.session = session
            with self._host_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every pooled connection."""
        with self._host_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def begin_round(self, backed_off: dict[str, datetime] | None = None) -> None:
        """Start a refresh: forget which hosts failed in the last one, and skip the hosts of
        *backed_off* (host → until when) for background requests (see :meth:`fetch`)."""
        with self._host_lock:
            self._unreachable = {}
            self._backed_off = dict(backed_off or {})
        _RESOLVER.forget()

    def take_host_report(self) -> tuple[dict[str, str], set[str]]:
        """Hosts that did not answer (host → why) and hosts that did since the last report."""
        with self._host_lock:
            failed, self._unreported = self._unreported, {}
            answered, self._answered = self._answered, set()
        return failed, answered

    def _refuse_if_down(self, url: str, host: str, background: bool) -> None:
        with self._host_lock:
            failed_at = self._unreachable.get(host)
            until = self._backed_off.get(host) if background else None
        if failed_at is not None and time.monotonic() - failed_at < ROUND_MEMORY:
            raise NotRequestedError(url, f"{url} was not requested: {host} did not answer moments ago.", host=host)
        if until is not None and until > datetime.now(UTC):
            raise NotRequestedError(
                url,
                f"{url} was not requested: {host} did not answer recently; it is asked again after "
                f"{until:%Y-%m-%d %H:%M} UTC.",
                host=host,
            )

    def _note_host(self, host: str, failure: str | None) -> None:
        with self._host_lock:
            if failure is None:
                self._answered.add(host)
                self._unreachable.pop(host, None)
            else:
                self._unreachable[host] = time.monotonic()
                self._unreported[host] = failure

    @contextmanager
    def _host_slot(self, host: str) -> Iterator[None]:
        with self._host_lock:
            slot = self._host_slots.get(host)
            if slot is None:
                slot = self._host_slots[host] = threading.BoundedSemaphore(self.limits.per_host)
        with slot:
            yield

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        auth: tuple[str, str] | None = None,
        accept: str | None = None,
        max_bytes: int | None = None,
        background: bool = False,
        cancel: Cancel | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResponse:
        """GET *url* (conditionally when validators are given); raises :class:`FetchError`.

        The whole request, whatever the answer's shape (no length, chunked, dripping headers or
        body, a stalled TLS handshake, a slow name server), ends within ``limits.deadline``. A host
        that did not resolve, connect or answer in time is not asked again in the same round (see
        :meth:`begin_round`); *background* requests (pages, images, icons) also skip hosts backed off
        across rounds. *max_bytes* lowers the body cap for this request (images, icons). When *cancel*
        is set, the request is not made, or is cut off at once: :class:`RequestCancelledError`.
        *headers* (for example a sync server's ``Authorization``) go to *url*'s own origin only, never
        to another host a redirect leads to."""
        return self._guarded(
            url, "GET", None, etag, last_modified, auth, accept, max_bytes, background, cancel, headers or {}
        )

    def post(
        self,
        url: str,
        body: bytes,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        accept: str | None = None,
        max_bytes: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResponse:
        """POST *body* (already encoded, of *content_type*) to *url*; raises :class:`FetchError`.

        The same bounds as :meth:`fetch` apply. A 307/308 redirect to the same origin is followed with
        the same method and body; any other redirect of a POST is an error naming where it led, since
        repeating a change at another address, or turning it into a GET, is not safe to do silently."""
        extra = {**(headers or {}), "Content-Type": content_type}
        return self._guarded(url, "POST", body, None, None, None, accept, max_bytes, False, None, extra)

    def _guarded(
        self,
        url: str,
        method: str,
        data: bytes | None,
        etag: str | None,
        last_modified: str | None,
        auth: tuple[str, str] | None,
        accept: str | None,
        max_bytes: int | None,
        background: bool,
        cancel: Cancel | None,
        origin_headers: dict[str, str],
    ) -> FetchResponse:
        host = server_of(url)
        if cancel is not None and cancel.is_set():
            raise RequestCancelledError(url, f"{url} was not requested: the refresh stopped.")
        self._refuse_if_down(url, host, background)
        expired = threading.Event()
        sockets = _TRACKER.begin(time.monotonic() + self.limits.deadline)

        def cut() -> None:
            expired.set()
            shut_down_sockets(sockets)

        token = _WATCHDOG.arm(self.limits.deadline, cut)
        hook = cancel.on_set(lambda: shut_down_sockets(sockets)) if cancel is not None else None
        limit = min(max_bytes, self.limits.max_bytes) if max_bytes else self.limits.max_bytes
        try:
            response = self._fetch(
                url, method, data, etag, last_modified, auth, accept, limit, background, origin_headers
            )
        except (FetchError, requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if cancel is not None and cancel.is_set():
                raise RequestCancelledError(url, f"{url} was cut off: the refresh stopped.") from exc
            raise self._failure(url, host, exc, expired) from exc
        finally:
            _WATCHDOG.disarm(token)
            if hook is not None and cancel is not None:
                cancel.forget(hook)
            _TRACKER.end()
        if cancel is not None and cancel.is_set():
            raise RequestCancelledError(url, f"{url} was cut off: the refresh stopped.")
        if expired.is_set():  # a body read until the server closed: cut short, so not the whole body
            raise self._timed_out(url, host)
        self._note_host(host, None)
        return response

    def _failure(self, url: str, host: str, exc: BaseException, expired: threading.Event) -> FetchError:
        """The :class:`FetchError` for a failed request (remembering a host that did not answer)."""
        if isinstance(exc, FetchError):
            if expired.is_set() and exc.status is None:
                return self._timed_out(url, host)
            return exc
        message = describe(url, exc, self.limits)
        if expired.is_set() and not message.startswith("The name server"):
            return self._timed_out(url, host)
        if unreachable(exc):
            self._note_host(host, message)
        kind = never_reached(exc)
        if kind is not None:
            return UnreachableError(url, message, network=kind == "network")
        return FetchError(url, message)

    def _timed_out(self, url: str, host: str) -> FetchError:
        message = f"{url} did not finish answering within {self.limits.deadline:g} s."
        self._note_host(host, message)
        return FetchError(url, message)

    def _fetch(
        self,
        url: str,
        method: str,
        data: bytes | None,
        etag: str | None,
        last_modified: str | None,
        auth: tuple[str, str] | None,
        accept: str | None,
        limit: int,
        background: bool,
        origin_headers: dict[str, str],
    ) -> FetchResponse:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        session = self._session()
        current = url
        permanent: str | None = None
        still_permanent = True
        hops: list[str] = []
        started = datetime.now(UTC)
        for _ in range(self.limits.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(url, f"{url} led to {current}, which is not an http or https address.")
            same_origin = urlsplit(url).netloc == parts.netloc
            if current != url:
                self._refuse_if_down(url, server_of(current), background)
            left = _TRACKER.time_left() or self.limits.deadline
            if left <= 0:
                raise FetchError(url, f"{url} did not finish answering within {self.limits.deadline:g} s.")
            timeout = (min(self.limits.connect_timeout, left), min(self.limits.read_timeout, left))
            with self._host_slot(parts.netloc.lower()):
                # a request that waited for this slot: its server may have failed meanwhile
                self._refuse_if_down(url, server_of(current), background)
                try:
                    response = session.request(
                        method,
                        current,
                        data=data,
                        headers={**headers, **origin_headers} if same_origin else headers,
                        timeout=timeout,
                        stream=True,
                        allow_redirects=False,
                        auth=auth if same_origin else None,
                    )
                except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                    if unreachable(exc):  # noted before the slot goes to a request waiting for it
                        self._note_host(server_of(current), describe(url, exc, self.limits))
                    raise
                try:
                    if response.status_code in REDIRECTS and "location" in response.headers:
                        target = urljoin(current, response.headers["location"].strip())
                        if method != "GET" and not (
                            response.status_code in (307, 308) and urlsplit(target).netloc == parts.netloc
                        ):
                            raise FetchError(
                                url,
                                f"{url} redirected a {method} request to {target}; use that address instead.",
                                status=response.status_code,
                            )
                        if still_permanent and response.status_code in PERMANENT_REDIRECTS:
                            permanent = target
                        else:
                            still_permanent = False
                        hops.append(target)
                        current = target
                        continue
                    if response.status_code == 304 and not (etag or last_modified):
                        raise FetchError(url, f"{url} answered 304 Not Modified to a request that was not conditional.")
                    body = b"" if response.status_code == 304 else self._read_body(url, response, limit)
                finally:
                    response.close()
            return self._result(url, current, response, body, permanent, hops, started)
        raise FetchError(url, f"{url} redirected more than {self.limits.max_redirects} times.")

    def _read_body(self, url: str, response: requests.Response, limit: int) -> bytes:
        status = response.status_code
        if status == 401 or status == 403:
            raise FetchError(
                url,
                f"{url} refused access (HTTP {status}); check the feed's user name and password.",
                status=status,
            )
        if not 200 <= status < 300:
            reason = f"HTTP {status} {response.reason or ''}".rstrip()
            retry_after = parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
            if status in (429, 503) and retry_after is not None:
                reason += f"; it asks to wait until {retry_after:%Y-%m-%d %H:%M} UTC"
            raise FetchError(url, f"{url} answered {reason}.", status=status, retry_after=retry_after)
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit and "content-encoding" not in response.headers:
            raise FetchError(url, f"{url} is larger than the {size_text(limit)} limit.")
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_content(64 * 1024):
            total += len(chunk)
            if total > limit:
                raise FetchError(url, f"{url} is larger than the {size_text(limit)} limit.")
            chunks.append(chunk)
        return b"".join(chunks)

    def _result(
        self,
        url: str,
        final: str,
        response: requests.Response,
        body: bytes,
        permanent: str | None,
        hops: list[str],
        started: datetime,
    ) -> FetchResponse:
        headers = {k.lower(): v for k, v in response.headers.items()}
        return FetchResponse(
            url=final,
            status=response.status_code,
            body=body,
            headers=headers,
            permanent_url=permanent,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            retry_after=parse_retry_after(headers.get("retry-after"), started),
            max_age=parse_max_age(headers.get("cache-control")),
            redirects=tuple(hops),
        )


_UNREACHABLE_MARKERS = ("resolve", "name or service", "nodename", "getaddrinfo", "refused", "timed out", "unreachable")


def server_of(url: str) -> str:
    """The server a URL is asked of, as ``host:port`` (the port spelled out even when it is the
    scheme's default): what "a host that did not answer" means."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    default = 443 if parts.scheme == "https" else 80
    return f"{(parts.hostname or '').lower()}:{port or default}"


def size_text(size: int) -> str:
    """A byte count for people: ``20 MB``, ``256 KB``."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, size // 1024)} KB"
