"""Feed passwords live in the operating system's keyring (``keyring``), never in the database.

Where there is no keyring (a server, a bare window manager), a user may choose explicitly to keep
passwords in a file of their own beside the library (``passwords.json``, readable only by them, not
encrypted); nothing goes there without that choice. Addresses never carry credentials:
:func:`split_credentials` takes a URL's ``user:password@`` part off before it is stored or logged.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from newsreader.core.errors import CredentialsError

SERVICE = "newsreader"
NO_KEYRING = (
    "No system keyring is available to store the password (on Linux, install and unlock a Secret "
    "Service such as GNOME Keyring or KWallet)."
)


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """*url* without its ``user:password@`` part, and that (user, password) pair (percent-decoded), or
    None when the URL carries no user. ``https://ann:s3cret@example.org/feed`` →
    (``https://example.org/feed``, (``ann``, ``s3cret``))."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, ((unquote(user), unquote(password)) if user else None)


def _account(feed_url: str, user: str) -> str:
    return f"{user}@{feed_url}"


def keyring_available() -> bool:
    """Whether a system keyring can store passwords here."""
    try:
        _keyring()
    except CredentialsError:
        return False
    return True


def _keyring() -> Any:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        raise CredentialsError("The keyring package is missing, so passwords cannot be stored.") from exc
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise CredentialsError(NO_KEYRING)
    return keyring


def _read_file(file: Path) -> dict[str, str]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CredentialsError(f"The password file {file} could not be read ({exc}).") from exc
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_file(file: Path, passwords: dict[str, str]) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(passwords, out, indent=1, sort_keys=True)
    except OSError as exc:
        raise CredentialsError(f"The password file {file} could not be written ({exc.strerror or exc}).") from exc


def store_password(feed_url: str, user: str, password: str, *, file: Path | None = None) -> None:
    """Save the password for *user* at *feed_url*: in the keyring, or — when the user chose it, by
    passing *file* — in that unencrypted file. Raises :class:`CredentialsError` (no keyring, or it
    refused)."""
    if file is not None:
        passwords = _read_file(file)
        passwords[_account(feed_url, user)] = password
        _write_file(file, passwords)
        return
    keyring = _keyring()
    try:
        keyring.set_password(SERVICE, _account(feed_url, user), password)
    except Exception as exc:
        raise CredentialsError(f"The keyring refused to store the password ({exc}).") from exc


def load_password(feed_url: str, user: str, *, file: Path | None = None) -> str | None:
    """The stored password for *user* at *feed_url* (the keyring's, else the one in *file* if the
    user keeps passwords there), or None."""
    account = _account(feed_url, user)
    if file is not None and file.exists():
        found = _read_file(file).get(account)
        if found is not None:
            return found
    keyring = _keyring()
    try:
        password = keyring.get_password(SERVICE, account)
    except Exception as exc:
        raise CredentialsError(f"The keyring could not be read ({exc}).") from exc
    return password if isinstance(password, str) else None


def delete_password(feed_url: str, user: str, *, file: Path | None = None) -> None:
    """Forget the stored password, in the keyring and in *file* (no error when there is none)."""
    account = _account(feed_url, user)
    try:
        if file is not None and file.exists():
            passwords = _read_file(file)
            if passwords.pop(account, None) is not None:
                _write_file(file, passwords)
        keyring = _keyring()
        keyring.delete_password(SERVICE, account)
    except Exception:  # noqa: S110 - nothing to delete, or no keyring: both leave no password behind
        pass
