"""Feed passwords: asked for when a server answers 401, kept in the keyring (or, by the user's explicit
choice, an unencrypted file of theirs), and never in the database or a log — even when typed into the
address."""

from __future__ import annotations

import base64
import logging
import stat
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newsreader.core.credentials import split_credentials
from newsreader.core.errors import CredentialsError, FetchError
from newsreader.core.library import Library
from tests.support.feeds import simple_rss
from tests.support.httpserver import FeedServer

PASSWORD = "s3cr:t/pw"


def guarded_feed(server: FeedServer, user: str = "ann", password: str = PASSWORD) -> str:
    """A feed behind HTTP basic authentication; returns its address (without credentials)."""
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def guarded(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("Authorization") != expected:
            FeedServer._send(request, 401, {"WWW-Authenticate": 'Basic realm="private"'}, b"")
        else:
            FeedServer._send(request, 200, {"Content-Type": "application/rss+xml"}, simple_rss(2, "private").encode())

    return server.add("/private.xml", handler=guarded)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_split_credentials_takes_the_user_and_password_off_the_address() -> None:
    assert split_credentials("https://ann:s3cr%3At@example.org:8443/feed?x=1") == (
        "https://example.org:8443/feed?x=1",
        ("ann", "s3cr:t"),
    )
    assert split_credentials("https://example.org/a@b") == ("https://example.org/a@b", None)


def test_a_401_asks_for_a_password_which_goes_to_the_keyring(
    library: Library, server: FeedServer, keyring_file: Path
) -> None:
    url = guarded_feed(server)
    with pytest.raises(FetchError) as refused:
        library.add_feed(url)
    assert refused.value.status == 401
    feed = library.add_feed(url, auth=("ann", PASSWORD))
    assert feed.auth_user == "ann" and feed.unread == 2
    assert PASSWORD in keyring_file.read_text()


def test_a_password_in_the_address_never_reaches_the_database_or_a_log(
    library: Library, server: FeedServer, keyring_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = guarded_feed(server).replace("http://", "http://ann:s3cr%3At%2Fpw@")
    feed = library.add_feed(url)
    assert feed.url == url.replace("ann:s3cr%3At%2Fpw@", "") and feed.auth_user == "ann"
    other = library.subscribe(url.replace("private", "other"))
    assert library.feed(other).url.startswith("http://127.0.0.1") and library.feed(other).auth_user == "ann"
    library.close_thread()
    stored = b"".join(p.read_bytes() for p in Path(library.path).parent.glob(Path(library.path).name + "*"))
    assert len(stored) > 4096  # the library file (and its journal) were read
    assert b"s3cr" not in stored and b"ann:" not in stored
    assert "s3cr" not in caplog.text
    assert PASSWORD in keyring_file.read_text()


def test_without_a_keyring_it_says_so_and_an_explicit_choice_keeps_the_password(
    library: Library, server: FeedServer, no_keyring: None
) -> None:
    url = guarded_feed(server)
    with pytest.raises(CredentialsError, match="No system keyring"):
        library.add_feed(url, auth=("ann", PASSWORD))
    assert library.feeds() == []
    feed = library.add_feed(url, auth=("ann", PASSWORD), unencrypted_password=True)
    assert feed.unread == 2 and not feed.last_error  # the refresh read the password from the file
    assert stat.S_IMODE(library.password_file.stat().st_mode) == 0o600
    library.remove_feed(feed.id)
    assert PASSWORD not in library.password_file.read_text()


def test_an_address_that_is_refused_never_shows_its_password() -> None:
    from newsreader.core.errors import SettingsError
    from newsreader.core.subscriptions import with_credentials

    for address in ("ann:hunter2@example.org/feed", "ftp://ann:hunter2@example.org/feed", "mailto:hunter2@example.org"):
        with pytest.raises(SettingsError) as refused:
            with_credentials(address)
        assert "hunter2" not in str(refused.value)
    assert with_credentials("example.org:8080/f") == ("https://example.org:8080/f", None)
