"""The single-instance lock: one ``foui-bot run`` per SQLite file.

SQLite cannot hand rows to two senders safely the way PostgreSQL's ``FOR UPDATE SKIP LOCKED``
can, so a second bot on the same file refuses to start. The lock is an ``fcntl`` lock on
``<database>.lock``: the operating system drops it when the process dies, even with SIGKILL, so a
crashed bot never blocks the next start. PostgreSQL needs no lock (several processes may run).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from bot import texts
from storage.db import sqlite_path


class AlreadyRunningError(Exception):
    """Another process holds the lock; the message says so in Norwegian."""


class InstanceLock:
    """An exclusive, non-blocking lock on a file, held until ``release`` or the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunningError(
                texts.ALREADY_RUNNING.format(database=self.path.with_suffix(""), pid=holder)
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def lock_for(database_url: str) -> InstanceLock | None:
    """The lock for a SQLite file (``<file>.lock``), or None for PostgreSQL and in-memory databases."""
    path = sqlite_path(database_url)
    if path is None:
        return None
    return InstanceLock(path.with_name(path.name + ".lock"))
