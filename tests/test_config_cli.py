"""Settings and the command line, as an operator meets them."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot import texts
from bot.config import SettingsError, load_settings, parse_quiet_hours
from bot.logs import REDACTED, RedactingFilter, setup_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_x"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(__import__("os").environ):
        if key.startswith("FOUI_") and key != "FOUI_TEST_DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    s = load_settings()
    assert s.bot_token is None
    assert s.database_url == "sqlite+aiosqlite:///./foui.db"
    assert s.telegram_api_url == "https://api.telegram.org/bot"
    assert s.timezone == "Europe/Oslo"
    assert s.coordinator_ids == []
    assert s.quiet == (21, 7)
    assert s.reminder_days == [14, 3, 1]


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"FOUI_BOT_TOKEN={TOKEN}\nFOUI_GROUP_CHAT_ID=-1001\n")
    monkeypatch.setenv("FOUI_COORDINATOR_IDS", "11, 22,33")
    monkeypatch.setenv("FOUI_DATABASE_URL", "postgresql://foui@db/foui")
    monkeypatch.setenv("FOUI_QUIET_HOURS", "ingen")
    s = load_settings()
    assert s.token() == TOKEN
    assert s.group_chat_id == -1001
    assert s.coordinator_ids == [11, 22, 33]
    assert s.database_url == "postgresql+asyncpg://foui@db/foui"
    assert s.quiet is None
    assert TOKEN not in repr(s) and TOKEN not in str(s.model_dump())


ROOT = Path(__file__).resolve().parents[1]


def test_a_copied_env_example_with_only_the_token_is_valid(tmp_path: Path) -> None:
    """The README's path: `cp .env.example .env`, the token filled in; every empty value is "not set"."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    (tmp_path / ".env").write_text(text.replace("FOUI_BOT_TOKEN=\n", f"FOUI_BOT_TOKEN={TOKEN}\n"))
    s = load_settings()
    assert s.token() == TOKEN
    assert s.group_chat_id is None
    assert s.sources_file is None  # not Path("."): the default sources are seeded
    assert s.coordinator_ids == []
    assert s.telegram_file_url is None and s.webhook_url is None and s.webhook_secret is None
    assert s.municipalities_file is None and s.setup_code is None
    assert s.quiet == (21, 7)


def test_an_empty_value_means_the_default_for_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import Settings

    defaults = load_settings(_env_file=None)
    for name in Settings.model_fields:
        monkeypatch.setenv(f"FOUI_{name.upper()}", "")
    assert load_settings(_env_file=None) == defaults
    # Given directly (as the console and tests do), a blank path or id is "not set" too.
    blank = load_settings(_env_file=None, group_chat_id=" ", sources_file="", bot_token="")
    assert blank.group_chat_id is None and blank.sources_file is None and blank.bot_token is None


def test_invalid_settings_give_one_line_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOUI_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("FOUI_DATABASE_URL", "mysql://x")
    monkeypatch.setenv("FOUI_QUIET_HOURS", "kveld")
    with pytest.raises(SettingsError) as err:
        load_settings()
    lines = err.value.lines
    assert len(lines) == 3
    assert any(line.startswith("Ugyldig innstilling FOUI_TIMEZONE") for line in lines)
    assert any(line.startswith("Ugyldig innstilling FOUI_DATABASE_URL") for line in lines)
    assert any(line.startswith("Ugyldig innstilling FOUI_QUIET_HOURS") for line in lines)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("21-07", (21, 7)), ("22 - 6", (22, 6)), ("", None), ("ingen", None), ("Ingen", None)],
)
def test_quiet_hours(raw: str, expected: tuple[int, int] | None) -> None:
    assert parse_quiet_hours(raw) == expected


@pytest.mark.parametrize("raw", ["21", "25-07", "7-7", "a-b"])
def test_quiet_hours_invalid(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_quiet_hours(raw)


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FOUI_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_cli_help_lists_subcommands(tmp_path: Path) -> None:
    out = _cli("--help", cwd=tmp_path)
    assert out.returncode == 0
    for name in ("run", "migrate", "poll", "frister", "console"):
        assert name in out.stdout
    for name in ("run", "migrate", "poll", "frister", "console"):
        sub = _cli(name, "--help", cwd=tmp_path)
        assert sub.returncode == 0, sub.stderr
        assert "usage: foui-bot " + name in sub.stdout


def test_run_without_token_says_how_to_get_one(tmp_path: Path) -> None:
    out = _cli("run", cwd=tmp_path)
    assert out.returncode != 0
    assert "@BotFather" in out.stderr
    assert "FOUI_BOT_TOKEN" in out.stderr
    assert texts.NO_TOKEN in out.stderr
    assert "Traceback" not in out.stderr


def test_invalid_settings_stop_without_traceback(tmp_path: Path) -> None:
    out = _cli("migrate", env={"FOUI_TIMEZONE": "Nowhere/Land", "FOUI_HTTP_PORT": "99999"}, cwd=tmp_path)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "FOUI_TIMEZONE" in out.stderr and "FOUI_HTTP_PORT" in out.stderr


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    out = _cli("migrate", env={"FOUI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "x.db").exists()
    again = _cli("migrate", env={"FOUI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}, cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_token_is_redacted_from_logs(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", [TOKEN])
    logger = logging.getLogger("foui.test")
    logger.info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed at https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        logger.exception("boom")
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert REDACTED in err
    assert "boom" in err


def test_redaction_catches_token_shaped_strings() -> None:
    other = "987654321:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_y"
    assert other not in RedactingFilter([]).redact(f"x {other} y")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://bot.example.no/telegram/webhook", "/telegram/webhook"),
        ("https://bot.example.no/hook/", "/hook"),
        ("https://bot.example.no", "/"),
        ("https://bot.example.no/", "/"),
    ],
)
def test_webhook_listens_on_the_public_urls_path(url: str, path: str) -> None:
    from bot.web.webhook import webhook_path

    assert webhook_path(url) == path
