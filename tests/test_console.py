"""``foui-bot console`` and ``foui-bot frister``: driven with an input list and through stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot import texts
from bot.config import Settings, load_settings
from bot.console.chat import html_to_text, run_console
from bot.console.examples import EXAMPLES
from bot.console.frister import frister_text


def console_settings(url: str) -> Settings:
    return load_settings(database_url=url, _env_file=None)


async def talk(url: str, lines: list[str], tmp_path: Path, **kwargs: object) -> str:
    out: list[str] = []
    code = await run_console(
        console_settings(url),
        inputs=lines,
        out=out.append,
        files_dir=tmp_path / "filer",
        **kwargs,  # type: ignore[arg-type]
    )
    assert code == 0
    return "\n".join(out)


def test_html_to_text() -> None:
    text = '<b>Fet</b> &amp; <a href="https://x.no/?a=1&amp;b=2">lenke</a> &lt;tagg&gt;'
    assert html_to_text(text) == "Fet & lenke <tagg>"


async def test_console_chat_with_buttons_by_number(sqlite_url: str, tmp_path: Path) -> None:
    output = await talk(
        sqlite_url,
        ["/start", "1", "13", "/frister", "/kalender", "99", "/innstillinger", "2", ":q", "/hjelp"],
        tmp_path,
    )
    assert texts.CONSOLE_EXAMPLES.format(count=len(EXAMPLES)) in output
    assert "[1] ▫️ Helse, omsorg og velferdsteknologi" in output
    assert "[1] ✅ Helse, omsorg og velferdsteknologi" in output  # after pressing 1
    assert "boten (varsel)> Følger nå: Helse, omsorg og velferdsteknologi" in output
    line = texts.TOPICS_SUMMARY_LINE.format(name="Helse, omsorg og velferdsteknologi")
    assert "Lagret. " + texts.TOPICS_SUMMARY_SOME.format(names=line) in output
    # /frister in the member's topics: the health examples, rendered as plain text.
    assert "Søknadsfrister · dine emner · neste 60 dager" in output
    assert "Pilot Helse" in output and "<b>" not in output and "<a href" not in output
    assert "Forprosjekt til førkommersiell anskaffelse" not in output
    saved = tmp_path / "filer" / texts.CALENDAR_FILENAME
    assert texts.CONSOLE_DOCUMENT.format(name=texts.CALENDAR_FILENAME, path=saved) in output
    assert saved.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert texts.CONSOLE_NO_SUCH_BUTTON.format(number=99) in output
    assert "[2] ✅ Daglig" in output
    assert "Dette kan jeg" not in output  # ':q' ended the conversation before /hjelp
    assert output.endswith(texts.CONSOLE_BYE)


async def test_console_in_the_group_as_coordinator(sqlite_url: str, tmp_path: Path) -> None:
    output = await talk(
        sqlite_url, ["/frister", "/emner", "2", "/innstillinger", "1"], tmp_path, group=True, coordinator=True
    )
    assert "koordinator 1001 i nettverkets gruppe" in output
    assert "Søknadsfrister · alle emner · neste 60 dager" in output
    assert "Løpende – søk når som helst" in output and "DistriktForsk" in output
    assert "[2] ✅ Oppvekst og utdanning" in output  # a coordinator may change the group's topics
    assert "lenke: https://t.me/FoUIbot?start=innstillinger" in output


async def test_console_loads_examples_once_and_keeps_them_ahead(sqlite_url: str, tmp_path: Path) -> None:
    await talk(sqlite_url, [], tmp_path)
    output = await talk(sqlite_url, ["/sok pilot helse"], tmp_path)
    assert "1 treff" in output  # not duplicated by the second load


async def test_frister_in_the_terminal(sqlite_url: str, tmp_path: Path) -> None:
    await talk(sqlite_url, [], tmp_path)  # loads the examples
    settings = console_settings(sqlite_url)
    code, text = await frister_text(settings, [])
    assert code == 0
    assert text.startswith("Søknadsfrister · alle emner · neste 60 dager")
    assert "Forprosjekt for innovasjonsprosjekt i offentlig sektor" in text and "<" not in text
    code, text = await frister_text(settings, ["anskaffelser", "alle"])
    assert code == 0 and "førkommersiell" in text and "Pilot Helse" not in text
    code, text = await frister_text(settings, ["tull"])
    assert code == 2 and text.startswith("Jeg forstod ikke «tull»")


def test_console_through_stdin(sqlite_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "FOUI_DATABASE_URL": sqlite_url, "FOUI_LOG_LEVEL": "WARNING"}
    env.pop("FOUI_BOT_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--database", sqlite_url],
        input="/start\n11\n/frister 10\n/registrer\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Hei, Kari!" in result.stdout
    assert "[1] ✅ Helse, omsorg og velferdsteknologi" in result.stdout  # "Velg alle" pressed
    assert "Søknadsfrister · dine emner · neste 10 dager" in result.stdout
    assert result.stdout.rstrip().endswith(texts.CONSOLE_BYE)
    assert "Warning" not in result.stderr  # PTB's notes for developers stay out of the chat
    frister = subprocess.run(
        [sys.executable, "-m", "bot.cli", "frister", "helse"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert frister.returncode == 0, frister.stderr
    assert "Pilot Helse" in frister.stdout


def test_console_never_touches_the_configured_database(tmp_path: Path) -> None:
    """Issue 13: `foui-bot console` wrote ten example calls into FOUI_DATABASE_URL (a real network's /frister)."""
    configured = tmp_path / "produksjon.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOUI_")}
    env.update(FOUI_DATABASE_URL=f"sqlite+aiosqlite:///{configured}", FOUI_LOG_LEVEL="WARNING")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        input="/frister\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Søknadsfrister" in result.stdout  # the examples were there, in a database of its own
    assert not configured.exists()
    assert str(configured) not in result.stdout
    assert list(tmp_path.iterdir()) == []  # nothing left behind in the working directory either
