"""Library-wide settings (``settings``: text keys and values; :mod:`newsreader.core.settings` types them)."""

from __future__ import annotations

from newsreader.core.storage.base import StorageBase


class SettingStorage(StorageBase):
    """The ``settings`` table."""

    def setting(self, key: str) -> str | None:
        """The stored value of *key*, or None."""
        row = self.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def all_settings(self) -> dict[str, str]:
        """Every stored setting."""
        return {str(k): str(v) for k, v in self.execute("SELECT key, value FROM settings")}

    def set_setting(self, key: str, value: str | None) -> None:
        """Store (or with None, remove) *key*."""
        with self.transaction() as db:
            if value is None:
                db.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                db.execute(
                    "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                    "value = excluded.value",
                    (key, value),
                )
