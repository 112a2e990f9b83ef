"""Reading a failed request: whether it reached its server at all (:func:`never_reached`,
:func:`unreachable`), and one sentence saying what went wrong (:func:`describe`), from what
``requests``, ``urllib3`` and the operating system raised."""

from __future__ import annotations

import errno
import re
import socket
from typing import TYPE_CHECKING

import requests
import urllib3
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from newsreader.core.fetch.resolver import ResolutionTimeout

if TYPE_CHECKING:
    from newsreader.core.fetch.http import FetchLimits


def unreachable(exc: BaseException) -> bool:
    """The host did not resolve, accept the connection or answer in time (as opposed to answering
    badly): asking it again in the same refresh would only wait again."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.ReadTimeout):
        return True
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc).lower()
        return any(
            marker in text
            for marker in (
                "resolve",
                "name or service",
                "nodename",
                "getaddrinfo",
                "refused",
                "timed out",
                "unreachable",
            )
        )
    return isinstance(exc, ResolutionTimeout | TimeoutError)


_NETWORK_ERRNOS = frozenset({errno.ENETUNREACH, errno.ENETDOWN})
_SERVER_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.ETIMEDOUT}
)
_NETWORK_GAI = frozenset({socket.EAI_AGAIN, socket.EAI_FAIL})


def never_reached(exc: BaseException) -> str | None:
    """Whether a failed request never reached its server, read from the operating system's error
    under *exc* (``requests`` and ``urllib3`` wrap it): ``"network"`` when the error points at this
    computer's network (``ENETUNREACH``, ``ENETDOWN``, a name server that did not answer or said
    ``EAI_AGAIN``/``EAI_FAIL``), ``"server"`` when it points at the server (the name does not exist,
    the connection was refused, reset or aborted before an answer, no route to that host, the
    connection did not open in time), None when the server answered (an HTTP error, a TLS failure,
    a read timeout or a cut mid-answer all mean the network carried the request)."""
    answered = (
        requests.exceptions.ReadTimeout,
        requests.exceptions.SSLError,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    )
    if isinstance(exc, answered):
        return None
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    found: str | None = None
    while pending:
        current = pending.pop()
        if id(current) in seen or len(seen) > 32:
            continue
        seen.add(id(current))
        if isinstance(current, ResolutionTimeout):
            return "network"
        if isinstance(current, socket.gaierror):
            if current.errno in _NETWORK_GAI:
                return "network"
            found = "server"
        elif isinstance(current, OSError) and current.errno is not None:
            if current.errno in _NETWORK_ERRNOS:
                return "network"
            if current.errno in _SERVER_ERRNOS:
                found = "server"
        elif isinstance(current, NameResolutionError | NewConnectionError | ConnectTimeoutError):
            found = found or "server"
        elif isinstance(current, urllib3.exceptions.ProtocolError) and isinstance(
            current.args[-1] if current.args else None, ConnectionResetError | ConnectionAbortedError
        ):
            found = found or "server"  # reset before the status line: nothing was answered
        for nested in (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args):
            if isinstance(nested, BaseException):
                pending.append(nested)
    return found


def describe(url: str, exc: BaseException, limits: FetchLimits) -> str:
    """One sentence saying what went wrong with a request to *url* (the timeouts named are *limits*'s)."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"Connecting to {url} timed out after {limits.connect_timeout:g} s."
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"{url} stopped answering for {limits.read_timeout:g} s."
    if isinstance(exc, requests.exceptions.SSLError):
        lowered = text.lower()
        if "wrong_version_number" in lowered or "wrong version number" in lowered or "record layer" in lowered:
            why = "the server does not speak TLS at that address"
        elif "certificate" in lowered:
            why = "its certificate could not be verified"
        else:
            why = "the TLS handshake failed"
        return f"The secure connection to {url} failed: {why}."
    if isinstance(exc, requests.exceptions.ConnectionError):
        lowered = text.lower()
        if "name server did not answer" in lowered:
            return f"The name server did not say where the host of {url} is in time (DNS)."
        if (
            "name or service not known" in lowered
            or "nodename nor servname" in lowered
            or ("failed to resolve" in lowered or "getaddrinfo" in lowered)
        ):
            return f"The host of {url} could not be found (DNS)."
        if "refused" in lowered:
            return f"{url} refused the connection."
        if "reset" in lowered or "aborted" in lowered or "broken pipe" in lowered:
            return f"The connection to {url} was cut off."
        if "read timed out" in lowered:
            return f"{url} stopped answering for {limits.read_timeout:g} s."
        return f"The connection to {url} failed or took longer than {limits.deadline:g} s ({_short(text)})."
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError)):
        return f"The connection to {url} was cut off mid-answer or exceeded {limits.deadline:g} s."
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return f"{url} sent a body that could not be decompressed."
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return f"{url} is not a valid address."
    return f"Fetching {url} failed ({_short(text)})."


_POOL_NOISE = re.compile(
    r"\w*HTTPS?(?:Connection)?Pool\(host='[^']*', port=\d+\): |Max retries exceeded with url: \S+ "
)


def _short(text: str) -> str:
    text = _POOL_NOISE.sub("", " ".join(text.split()))
    return text if len(text) <= 160 else text[:157] + "..."
