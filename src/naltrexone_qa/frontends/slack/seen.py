"""Seen Slack event ids in SQLite, kept for a time-to-live.

Slack re-delivers an event it thinks was missed (same ``event_id``), for
minutes after the first try. An in-memory set forgets everything on restart,
so a retry arriving after a deploy was answered a second time; a SQLite file
survives the restart and is shared by every worker process on the machine
(WAL mode, one atomic ``INSERT OR IGNORE`` per event). Ids older than the TTL
are deleted as new ones arrive, so the file stays small.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Hashable

SCHEMA = "CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, seen_at REAL NOT NULL)"
INDEX = "CREATE INDEX IF NOT EXISTS seen_events_at ON seen_events (seen_at)"


class SeenEvents:
    """``first(event_id)`` is True once per id per TTL, across restarts and processes."""

    def __init__(self, path: Path, ttl: float = 24 * 3600.0, clock: Callable[[], float] = time.time) -> None:
        if ttl <= 0:
            raise ValueError("the time-to-live must be positive")
        self.path = Path(path)
        self.ttl = ttl
        self._clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection guarded by a lock: calls are a few microseconds, and SQLite
        # serialises writers anyway; other processes wait up to `timeout` for the lock.
        self._db = sqlite3.connect(str(self.path), timeout=10.0, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(SCHEMA)
            self._db.execute(INDEX)

    def first(self, key: Hashable) -> bool:
        """True the first time ``key`` is offered within the TTL, False on every repeat."""
        now = self._clock()
        with self._lock:
            self._db.execute("DELETE FROM seen_events WHERE seen_at < ?", (now - self.ttl,))
            cursor = self._db.execute("INSERT OR IGNORE INTO seen_events VALUES (?, ?)", (str(key), now))
            return cursor.rowcount == 1

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM seen_events").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
