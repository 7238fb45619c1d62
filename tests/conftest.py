"""Shared fixtures: databases (SQLite always, PostgreSQL when FOUI_TEST_DATABASE_URL is set).

Every pytest session gets its own PostgreSQL database (created on the server named by
FOUI_TEST_DATABASE_URL and dropped at the end), so parallel runs never collide.
Each test starts from an empty, fully migrated schema.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import make_engine, make_sessionmaker, migrate
from storage.models import Base

PG_ENV = "FOUI_TEST_DATABASE_URL"

_real_getaddrinfo = socket.getaddrinfo
_LOOPBACK_NAMES = {None, "", "localhost", "::1", b"localhost"}


def _loopback_only_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    """Tests reach nothing outside this machine: any other host name fails at once, loudly."""
    name = host.decode() if isinstance(host, bytes) else host
    if name not in _LOOPBACK_NAMES and not str(name).startswith("127."):
        raise socket.gaierror(socket.EAI_NONAME, f"tests stay on loopback; refused to look up {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    socket.getaddrinfo = _loopback_only_getaddrinfo
    # The fixture sites are served on 127.0.0.1, so the tests' settings let sources reach it; the
    # address guard's own tests turn this off (tests/test_netguard.py).
    os.environ["FOUI_SOURCES_ALLOW_PRIVATE_URLS"] = "true"


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        return None
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    return url


async def _pg_create(admin_url: str, name: str) -> str:
    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    base = admin_url.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    return url


async def _pg_drop(admin_url: str, name: str) -> None:
    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    """A migrated PostgreSQL database of this session's own, or None when none is configured."""
    admin = _pg_admin_url()
    if admin is None:
        yield None
        return
    name = f"foui_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        url = asyncio.run(_pg_create(admin, name))
    except Exception as exc:
        pytest.exit(f"{PG_ENV} is set but PostgreSQL could not be used: {exc}", returncode=3)
    yield url
    asyncio.run(_pg_drop(admin, name))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def _make() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await migrate(engine)
        async with engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        await engine.dispose()

    asyncio.run(_make())
    return path


async def _truncate_all(engine: AsyncEngine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: SQLite, and PostgreSQL when configured."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "foui.db"
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}"
    url = request.getfixturevalue("pg_url")
    if url is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run this test on PostgreSQL too")
    engine = make_engine(url)
    asyncio.run(_truncate_all(engine))
    asyncio.run(engine.dispose())
    return str(url)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """An empty, migrated SQLite database only (for tests that are not about storage)."""
    target = tmp_path / "foui.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as s:
        yield s


from tests.fixtures_bot import clock, harness, settings  # noqa: E402, F401
