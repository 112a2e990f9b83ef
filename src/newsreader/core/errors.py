"""The error tree: every error newsreader raises on purpose derives from :class:`NewsreaderError`.

Messages are one sentence a user can read; the cause is chained with ``raise ... from``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsreader.core.models import DiscoveredFeed


class NewsreaderError(Exception):
    """Base of all errors newsreader raises on purpose."""


class FeedError(NewsreaderError):
    """Something went wrong with one feed; carries the feed's URL."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url


class FetchError(FeedError):
    """The feed (or page) could not be fetched: DNS, refused, timeout, HTTP error, too large."""

    def __init__(
        self, url: str, message: str, *, status: int | None = None, retry_after: datetime | None = None
    ) -> None:
        super().__init__(url, message)
        self.status = status
        self.retry_after = retry_after


class UnreachableError(FetchError):
    """The server was never reached: its name did not resolve, or no connection opened (refused,
    reset before an answer, no route, timed out). ``network`` is True when the failure points at
    this computer's network rather than at the server: no route to any network, the network is
    down, or the name server did not answer (or answered "try again", ``EAI_AGAIN``)."""

    def __init__(self, url: str, message: str, *, network: bool = False) -> None:
        super().__init__(url, message)
        self.network = network


class NotRequestedError(FetchError):
    """The request was not made: its host did not answer moments ago, or is paused after failing.
    ``host`` names that host (None when the refresh stopped, :class:`RequestCancelledError`)."""

    def __init__(self, url: str, message: str, *, host: str | None = None) -> None:
        super().__init__(url, message)
        self.host = host


class RequestCancelledError(NotRequestedError):
    """The refresh stopped (cancelled, or out of time) before the request was made or finished."""


class ParseError(FeedError):
    """The document was fetched but is not a feed, or is broken beyond recovery."""


class NotAFeedError(ParseError):
    """The document is a web page (or something else), not a feed."""


class StorageError(NewsreaderError):
    """The local database could not be read or written."""


class LibraryFullError(StorageError):
    """The library could not be written because the disk is full or failing: stop, lose nothing."""


class UnusableLibraryError(StorageError):
    """The library file is damaged, or is some other program's database: it can be set aside."""


class UnknownIdError(NewsreaderError):
    """A feed, story, folder or filter list that the library does not hold; ``subject`` is its id
    (or name)."""

    kind = "item"

    def __init__(self, subject: int | str, message: str | None = None) -> None:
        super().__init__(message or f"There is no {self.kind} {_named(subject)}.")
        self.subject = subject


def _named(subject: int | str) -> str:
    return f"with id {subject}" if isinstance(subject, int) else f"named {subject!r}"


class FeedNotFoundError(UnknownIdError):
    """No feed has this id (``subject``)."""

    kind = "feed"


class StoryNotFoundError(UnknownIdError):
    """No story has this id (``subject``)."""

    kind = "story"


class FolderNotFoundError(UnknownIdError):
    """No folder has this name (``subject``)."""

    kind = "folder"


class AccountNotFoundError(UnknownIdError):
    """No sync account has this name (``subject``)."""

    kind = "account"


class FilterListNotFoundError(UnknownIdError):
    """No filter list of the user's has this name (``subject``)."""

    kind = "filter list"


class OpmlError(NewsreaderError):
    """An OPML file that cannot be read as a subscription list."""


class SettingsError(NewsreaderError):
    """An invalid setting or argument value."""


class CredentialsError(NewsreaderError):
    """Credentials could not be stored or read (for example, no keyring backend)."""


class MultipleFeedsError(NewsreaderError):
    """A web page offers several feeds; the caller picks one (``candidates``)."""

    def __init__(self, url: str, candidates: Sequence[DiscoveredFeed]) -> None:
        super().__init__(f"{url} offers {len(candidates)} feeds; choose one of them.")
        self.url = url
        self.candidates = tuple(candidates)


class MissingDataError(NewsreaderError):
    """A data file that ships inside the package (rules, filter list, stylesheet) is missing: a broken install."""


class SyncError(NewsreaderError):
    """A sync server (Google Reader API, Fever, Tiny Tiny RSS) could not be used; carries its address.

    ``transient`` says whether trying again later may work (network down, time-outs, server errors,
    an answer that is not what the protocol promises — a captive portal, a half-upgraded server); a
    queued change that fails transiently stays queued."""

    transient = True

    def __init__(self, server: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.server = server
        self.status = status


class SyncOfflineError(SyncError):
    """The server could not be reached or did not answer in time (or answered 5xx/429)."""


class SyncProtocolError(SyncError):
    """The server answered something the protocol does not allow (garbage, the wrong shape)."""


class SyncCancelledError(SyncError):
    """The user stopped the sync; what was stored and the queue are kept for the next one."""


class SyncAuthError(SyncError):
    """The server refused the user name, password, session or token."""

    transient = False


class SyncRefusedError(SyncError):
    """The server understood a request and refused it (an unknown item, an invalid feed address…)."""

    transient = False
