"""An account's password where there is no keyring: refused with one sentence, or — the user's explicit
choice — kept in the unencrypted password file and used from there by every sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from newsreader.core.errors import CredentialsError
from newsreader.core.library import Library
from tests.support.freshrss import Entry, FreshRSS


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_the_password_file_is_an_explicit_choice(library: Library, no_keyring: None) -> None:
    model = FreshRSS()
    try:
        model.add_feed("Feed", "https://f.example/feed", "https://f.example/", "Tech")
        model.crawl({1: [Entry("Story", "https://f.example/1", "W", "<p>x</p>", 1_790_000_000)]}, 1_795_000_000_000_000)
        with pytest.raises(CredentialsError, match="No system keyring is available"):
            library.add_account("fresh", "greader", model.url(), "alice", model.password)
        assert library.accounts() == [] and not library.password_file.exists()

        library.add_account("fresh", "greader", model.url(), "alice", model.password, unencrypted=True)
        assert model.password in library.password_file.read_text()
        assert library.password_file.stat().st_mode & 0o777 == 0o600
        assert model.password.encode() not in Path(library.path).read_bytes()
        [(account, report)] = list(library.sync())
        assert (account.name, report.error, report.new_items) == ("fresh", None, 1)

        library.remove_account("fresh")
        assert model.password not in library.password_file.read_text()
    finally:
        model.close()
