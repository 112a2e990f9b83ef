"""Hosts that did not answer: asked again only after a pause that doubles with each failed round
(``hosts``), for the requests of the offline cache (pages, images, icons)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from newsreader.core.storage.base import StorageBase, chunks, from_db_time, marks, to_db_time

FIRST_PAUSE = timedelta(minutes=10)
LONGEST_PAUSE = timedelta(days=1)


class HostStorage(StorageBase):
    """The ``hosts`` table."""

    def backed_off_hosts(self, now: datetime) -> dict[str, datetime]:
        """Hosts not to ask before the given time (those whose pause has not ended at *now*)."""
        rows = self.execute("SELECT host, retry_at FROM hosts WHERE retry_at > ?", (to_db_time(now),))
        found = {}
        for host, retry_at in rows:
            when = from_db_time(retry_at)
            if when is not None:
                found[host] = when
        return found

    def record_hosts(self, failed: dict[str, str], answered: Iterable[str], now: datetime) -> None:
        """After a round: each host of *failed* (host → why) pauses twice as long as last time
        (:data:`FIRST_PAUSE` the first time, at most :data:`LONGEST_PAUSE`); hosts that *answered*
        are forgotten."""
        answered = [h for h in answered if h not in failed]
        if not failed and not answered:
            return
        with self.transaction() as db:
            for host, why in failed.items():
                row = db.execute("SELECT failures FROM hosts WHERE host = ?", (host,)).fetchone()
                failures = (int(row[0]) if row else 0) + 1
                pause = min(FIRST_PAUSE * 2 ** min(failures - 1, 16), LONGEST_PAUSE)
                db.execute(
                    """INSERT INTO hosts(host, failures, retry_at, error) VALUES (?, ?, ?, ?)
                       ON CONFLICT(host) DO UPDATE SET failures = excluded.failures,
                       retry_at = excluded.retry_at, error = excluded.error""",
                    (host, failures, to_db_time(now + pause), why),
                )
            for chunk in chunks(answered):
                db.execute(f"DELETE FROM hosts WHERE host IN ({marks(chunk)})", chunk)
