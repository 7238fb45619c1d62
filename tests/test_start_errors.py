"""Errors at start (issue 13, point 4): one or two Norwegian lines each, never a traceback, never the token.

Before: a rejected token printed the token in full on stderr (PTB's ``InvalidToken`` message, in a
109-line traceback); a database that was down, missing or read-only gave a traceback of up to 188 lines.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from telegram import Bot

from bot import texts
from bot.config import load_settings
from bot.logs import REDACTED, RedactingStream, redact, remember_secrets, setup_logging
from bot.startup import StartError, check_database, check_sources, check_telegram, describe_database_error
from tests.support.fakebot import FakeBotApi, FakeRequest
from tests.support.fakeserver import FakeBotServer
from tests.support.process import fresh_env, start_cli, stop, tail, until

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_x"


def _run_cli(*args: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.support.loopback_cli", *args],
        capture_output=True,
        text=True,
        env=fresh_env(**settings),
        cwd=cwd,
        timeout=90,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- the real process ---------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_a_rejected_token_is_one_norwegian_line_and_never_printed(tmp_path: Path, level: str) -> None:
    api = FakeBotApi()
    api.fail(None, error_code=401, description="Unauthorized", times=10_000)
    async with FakeBotServer(api) as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.loopback_cli", "run",
            env=fresh_env(FOUI_BOT_TOKEN=TOKEN, FOUI_TELEGRAM_API_URL=server.base_url, FOUI_LOG_LEVEL=level),
            cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    stdout, stderr = out.decode(), err.decode()
    assert proc.returncode == 2, stderr
    assert any(c.method == "getMe" for c in api.calls)  # Telegram was asked, and said no
    assert TOKEN not in stdout and TOKEN not in stderr
    assert TOKEN.split(":")[1] not in stdout + stderr  # not even the secret half
    assert texts.TOKEN_REJECTED in stderr
    assert "Traceback" not in stderr
    if level == "INFO":
        assert stderr.strip().splitlines() == [texts.TOKEN_REJECTED]


@pytest.mark.e2e
async def test_telegram_unreachable_is_said_and_retried_with_backoff_until_it_answers(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "bot.log"
    env = fresh_env(
        FOUI_BOT_TOKEN=TOKEN,
        FOUI_TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot",
        FOUI_SOURCES_FILE=str(_local_sources(tmp_path)),
    )
    async with asyncio.timeout(90):
        bot = await start_cli("run", cwd=tmp_path, env=env, log=log)
        try:
            first = texts.TELEGRAM_UNREACHABLE.split("(")[0]
            await until(lambda: first in tail(log), 30, "the first 'cannot reach Telegram'", log, bot)
            assert "Prøver igjen om 2 s." in tail(log)
            async with FakeBotServer(port=port) as server:  # Telegram is back
                await until(
                    lambda: any(c.method == "getUpdates" for c in server.api.calls), 30, "polling", log, bot
                )
                code = await stop(bot)
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
    output = tail(log, 20_000)
    assert code == 0, output
    assert "Traceback" not in output and TOKEN not in output


def _local_sources(tmp: Path) -> Path:
    path = tmp / "kilder.toml"
    path.write_text(
        '[[source]]\nname = "Lokal"\nkind = "rss"\nurl = "http://127.0.0.1:9/feed.xml"\ninterval_minutes = 600\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ("postgresql+asyncpg://foui:hemmelig@127.0.0.1:{port}/foui", texts.DATABASE_DOWN),
        ("sqlite+aiosqlite:///file:{tmp}/foui.db?mode=ro&uri=true", texts.DATABASE_READ_ONLY),
    ],
    ids=["down", "read-only"],
)
def test_database_problems_at_start_are_two_lines_without_traceback(
    tmp_path: Path, database: str, expected: str
) -> None:
    sqlite3.connect(tmp_path / "foui.db").close()  # an empty file, opened read-only below
    url = database.format(port=_free_port(), tmp=tmp_path)
    for command in ("run", "migrate", "poll", "frister"):
        out = _run_cli(command, cwd=tmp_path, FOUI_BOT_TOKEN=TOKEN, FOUI_DATABASE_URL=url,
                       FOUI_TELEGRAM_API_URL="http://127.0.0.1:9/bot")  # fmt: skip
        assert out.returncode == 1, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 2, out.stderr
        assert lines[0].startswith(expected.split("(")[0])
        assert "Traceback" not in out.stderr and "hemmelig" not in out.stderr + out.stdout


def test_an_unreadable_sources_file_stops_the_start_in_two_lines(tmp_path: Path) -> None:
    (tmp_path / "kilder.toml").write_bytes(b"\xff\xfe[[source]]")
    out = _run_cli("run", cwd=tmp_path, FOUI_BOT_TOKEN=TOKEN, FOUI_SOURCES_FILE="kilder.toml",
                   FOUI_TELEGRAM_API_URL="http://127.0.0.1:9/bot")  # fmt: skip
    assert out.returncode == 2
    assert (
        out.stderr.strip().splitlines()
        == texts.SOURCES_FILE_UNUSABLE.format(
            reason=texts.SOURCES_FILE_NOT_UTF8.format(path="kilder.toml")
        ).splitlines()
    )


# ---- the checks, in the process -----------------------------------------------------------------


async def test_check_database_names_a_missing_sqlite_directory(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/nowhere/foui.db")
    with pytest.raises(StartError) as err:
        await check_database(settings)
    await asyncio.sleep(0.2)  # aiosqlite's worker thread reports its failed connect to this loop
    assert err.value.lines[0].startswith(texts.DATABASE_MISSING.split("(")[0])
    assert len(err.value.lines) == 2


async def test_check_database_names_a_missing_postgresql_database(pg_url: str | None) -> None:
    if pg_url is None:
        pytest.skip("PostgreSQL not configured: set FOUI_TEST_DATABASE_URL")
    url = pg_url.rsplit("/", 1)[0] + "/foui_finnes_ikke"
    with pytest.raises(StartError) as err:
        await check_database(load_settings(_env_file=None, database_url=url))
    assert err.value.lines[0].startswith(texts.DATABASE_MISSING.split("(")[0])


def test_a_missing_sources_file_is_a_start_error(tmp_path: Path) -> None:
    with pytest.raises(StartError) as err:
        check_sources(load_settings(_env_file=None, sources_file=str(tmp_path / "borte.toml")))
    assert err.value.code == 2 and len(err.value.lines) == 2


async def test_check_telegram_backs_off_while_telegram_is_down_and_stops_on_a_rejected_token() -> None:
    api = FakeBotApi()
    api.fail("getMe", error_code=502, description="Bad Gateway", times=5)
    said: list[str] = []
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    settings = load_settings(_env_file=None, bot_token=TOKEN)
    bot = Bot(TOKEN, request=FakeRequest(api), get_updates_request=FakeRequest(api))
    assert await check_telegram(settings, say=said.append, sleep=sleep, bot=bot) == api.bot_user["username"]
    assert waits == [2, 4, 8, 16, 32]
    assert len(said) == 5 and all(line.startswith("Får ikke kontakt med Telegram") for line in said)

    api.fail("getMe", error_code=401, description="Unauthorized")
    bot = Bot(TOKEN, request=FakeRequest(api), get_updates_request=FakeRequest(api))
    with pytest.raises(StartError) as err:
        await check_telegram(settings, say=said.append, sleep=sleep, bot=bot)
    assert err.value.lines == [texts.TOKEN_REJECTED] and TOKEN not in str(err.value)


def test_database_errors_never_show_the_password() -> None:
    error = OSError("could not connect to postgresql://foui:hemmelig@db/foui")
    line = describe_database_error(error, "postgresql+asyncpg://foui:hemmelig@db:5432/foui")
    assert "hemmelig" not in line and "foui@db:5432" in line


# ---- redaction on every path out ----------------------------------------------------------------


def test_settings_repr_and_dump_do_not_show_the_token_or_secrets() -> None:
    settings = load_settings(
        _env_file=None, bot_token=TOKEN, webhook_secret="webhook-hemmelig", setup_code="oppsett-hemmelig"
    )
    for text in (repr(settings), str(settings), str(settings.model_dump())):
        assert TOKEN not in text and "webhook-hemmelig" not in text and "oppsett-hemmelig" not in text


def test_every_log_handler_and_stream_gets_redacted_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """A handler that is not ours (added by a library, or before ours) gets no token either."""
    other = logging.StreamHandler(sys.stdout)
    logging.getLogger().addHandler(other)
    try:
        setup_logging("INFO", ["not-token-shaped-secret"])
        logging.getLogger("telegram.ext").error("The token `%s` was rejected by the server.", TOKEN)
        logging.getLogger("x").warning("secret: not-token-shaped-secret")
    finally:
        logging.getLogger().removeHandler(other)
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert TOKEN not in text and "not-token-shaped-secret" not in text and REDACTED in text


def test_redacting_stream_hides_remembered_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    remember_secrets(["hemmelig-webhook-nokkel"])
    stream = RedactingStream(sys.stdout)
    stream.write(f"Traceback ... {TOKEN} ... hemmelig-webhook-nokkel\n")
    out = capsys.readouterr().out
    assert TOKEN not in out and "hemmelig-webhook-nokkel" not in out
    assert redact(f"x {TOKEN} y") == f"x {REDACTED} y"


def test_the_database_password_is_kept_out_of_every_output(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://foui:hemmelig-passord@127.0.0.1:{_free_port()}/foui"
    out = _run_cli("frister", cwd=tmp_path, FOUI_DATABASE_URL=url, FOUI_LOG_LEVEL="DEBUG")
    assert out.returncode == 1
    assert "hemmelig-passord" not in out.stdout + out.stderr
    assert "foui@127.0.0.1" in out.stderr
