"""A generation counter per cached view, bumped by every transaction that changes what it shows.

``/frister`` keeps its rendered answers in memory (``handlers.frister_cache``); several processes
may share one PostgreSQL database, so an in-process counter cannot tell one process that another
changed a call. This row can: ``read`` is one primary-key lookup, and ``watch`` makes every session
of a sessionmaker bump the row, just before its commit, when the transaction wrote to a table the
view depends on (ORM flushes and ``insert``/``update``/``delete`` statements alike). The bump comes
last in the transaction, so the row is locked only for the commit itself, and a reader who read the
old number before the commit at worst stores a fresh answer under an old number (never the reverse).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, String, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from storage.models import Base

FRISTER = "frister"

# What /frister shows depends on: calls, their topics and readings, topics, who follows what,
# the member's "only what the municipality can use" (its setting, its registration), and the
# rounds expected from earlier years.
WATCHED = frozenset(
    {
        "calls",
        "call_topics",
        "call_conditions",
        "topics",
        "subscriptions",
        "apply_preferences",
        "registrations",
        "expected_rounds",
    }
)

# A deleted chat (/slettmeg) takes its subscriptions with it in the database (ON DELETE CASCADE,
# unseen by the session): its deletion counts as a change too.
WATCHED_DELETES = WATCHED | {"chats"}

_FLAG = "cache_generation_dirty"


class CacheGeneration(Base):
    """One row per cached view: its generation, bumped by writers."""

    __tablename__ = "cache_generation"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


async def read(session: AsyncSession, name: str = FRISTER) -> int:
    """The current generation (0 before the first bump)."""
    query = select(CacheGeneration.value).where(CacheGeneration.name == name)
    return int((await session.execute(query)).scalar_one_or_none() or 0)


async def bump(session: AsyncSession, name: str = FRISTER) -> None:
    """Bump the generation now (writers that go around the ORM)."""
    await session.run_sync(lambda sync: _bump(sync, name))


def _bump(session: Session, name: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(CacheGeneration).values(name=name, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[CacheGeneration.name], set_={"value": CacheGeneration.value + 1}
    )
    session.execute(statement)


def _touches(objects: Any, watched: frozenset[str] = WATCHED) -> bool:
    return any(getattr(getattr(o, "__table__", None), "name", None) in watched for o in objects)


def _pending(session: Session) -> bool:
    if _touches(session.new) or _touches(session.deleted, WATCHED_DELETES):
        return True
    # "dirty" includes an attribute set to the value it had: only a real change counts.
    return _touches(o for o in session.dirty if session.is_modified(o))


def _after_flush(session: Session, _context: Any) -> None:
    if _pending(session):  # still the pre-flush state here
        session.info[_FLAG] = True


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        name = getattr(getattr(state.statement, "table", None), "name", None)
        if name in WATCHED or (state.is_delete and name in WATCHED_DELETES):
            state.session.info[_FLAG] = True


def _before_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False) or _pending(session):
        _bump(session, FRISTER)
        session.info.pop(_FLAG, None)


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


class WatchedSession(Session):
    """The sync session behind every AsyncSession of ``storage.db.make_sessionmaker``."""


event.listen(WatchedSession, "after_flush", _after_flush)
event.listen(WatchedSession, "do_orm_execute", _on_execute)
event.listen(WatchedSession, "before_commit", _before_commit)
event.listen(WatchedSession, "after_rollback", _after_rollback)
