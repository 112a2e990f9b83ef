"""Feed passwords live in the operating system's keyring (``keyring``), never in the database."""

from __future__ import annotations

from typing import Any

from newsreader.core.errors import CredentialsError

SERVICE = "newsreader"


def _account(feed_url: str, user: str) -> str:
    return f"{user}@{feed_url}"


def _keyring() -> Any:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        raise CredentialsError("The keyring package is missing, so passwords cannot be stored.") from exc
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise CredentialsError(
            "No system keyring is available to store the password (on Linux, install and unlock a Secret "
            "Service such as GNOME Keyring or KWallet)."
        )
    return keyring


def store_password(feed_url: str, user: str, password: str) -> None:
    """Save the password for *user* at *feed_url* in the keyring."""
    keyring = _keyring()
    try:
        keyring.set_password(SERVICE, _account(feed_url, user), password)
    except Exception as exc:
        raise CredentialsError(f"The keyring refused to store the password ({exc}).") from exc


def load_password(feed_url: str, user: str) -> str | None:
    """The stored password for *user* at *feed_url*, or None."""
    keyring = _keyring()
    try:
        password = keyring.get_password(SERVICE, _account(feed_url, user))
    except Exception as exc:
        raise CredentialsError(f"The keyring could not be read ({exc}).") from exc
    return password if isinstance(password, str) else None


def delete_password(feed_url: str, user: str) -> None:
    """Forget the stored password (no error when there is none)."""
    try:
        keyring = _keyring()
        keyring.delete_password(SERVICE, _account(feed_url, user))
    except Exception:  # noqa: S110 - nothing to delete, or no keyring: both leave no password behind
        pass
