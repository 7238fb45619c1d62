"""The command line: ``foui-bot run | migrate | poll | frister | console``."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

from bot import texts
from bot.config import Settings, SettingsError, load_settings
from bot.logs import protect_streams, redact, remember_secrets, setup_logging

log = logging.getLogger("foui")


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as err:
        print(texts.SETTINGS_INVALID_HEADER, file=sys.stderr)
        for line in err.lines:
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run

    return run(settings)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.startup import describe_database_error
    from storage.db import migrate_sync

    try:
        migrate_sync(settings.database_url)
    except Exception as exc:
        log.debug("migration failed", exc_info=True)
        print(describe_database_error(exc, settings.database_url), file=sys.stderr)
        return 1
    print(texts.MIGRATED.format(url=_safe_url(settings.database_url)))
    return 0


def cmd_poll(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import make_services, prepare_database
    from bot.poll.cli import cli_poll
    from bot.push.fanout_job import run_pending

    return cli_poll(
        settings,
        url=args.url,
        kind=args.kind,
        dry_run=args.dry_run,
        make_services=make_services,
        prepare_database=prepare_database,
        after=run_pending,
    )


def cmd_frister(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console.frister import cli_frister

    return cli_frister(settings, args.args)


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    """The console never touches the configured database: a temporary SQLite file unless --database."""
    from bot.console.chat import cli_console

    def chat(settings: Settings) -> int:
        return cli_console(
            settings,
            user_id=args.user_id,
            group=args.group,
            coordinator=args.coordinator,
            language=args.language,
        )

    if args.database:
        try:
            return chat(load_settings(database_url=args.database))
        except SettingsError as err:
            for line in err.lines:
                print(line.replace("FOUI_DATABASE_URL", "--database"), file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="foui-console-") as tmp:
        return chat(settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp}/console.db"}))


def _safe_url(url: str) -> str:
    """The database URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="foui-bot",
        description="FoUI-boten: utlysninger, frister og arrangementer for FoUI-nettverket i Trøndelag.",
    )
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", required=True)

    p = sub.add_parser(
        "run",
        help="start boten (long polling, eller webhook når FOUI_WEBHOOK_URL er satt)",
        description="Start boten. Databasen migreres først.",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "migrate",
        help="oppdater databasen til siste skjema",
        description="Kjør databasemigreringene (Alembic) mot FOUI_DATABASE_URL.",
    )
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "poll",
        help="hent alle kilder én gang og vis hva som er nytt",
        description="Hent alle kilder én gang, slik den planlagte jobben gjør, og skriv ut "
        "nye og endrede utlysninger med frist og emner.",
    )
    p.add_argument("--url", help="prøv bare denne kilden (sammen med --kind)")
    p.add_argument(
        "--kind",
        help="kildetype for --url: rss, rss_tilskudd, forskningsradet, statsforvalteren, "
        "statsforvalteren_tilskudd, eu_ft eller web",
    )
    p.add_argument("--dry-run", action="store_true", help="lagre ingenting, bare vis hva som ble funnet")
    p.set_defaults(func=cmd_poll)

    p = sub.add_parser(
        "frister",
        help="vis kommende søknadsfrister i terminalen",
        description="Vis kommende søknadsfrister, som /frister i Telegram.",
    )
    p.add_argument("args", nargs="*", help="emne, kilde, antall dager eller 'alle' (som i /frister)")
    p.set_defaults(func=cmd_frister)

    p = sub.add_parser(
        "console",
        help="chat med boten i terminalen, uten token",
        description="Prøv boten i terminalen som i Telegram, med noen eksempelutlysninger. "
        "Knapper vises som nummererte valg. Konsollen bruker en midlertidig database, "
        "aldri den i FOUI_DATABASE_URL, med mindre --database sier noe annet.",
    )
    p.add_argument("--user-id", type=int, default=1001, help="din Telegram-id i konsollen (standard 1001)")
    p.add_argument("--group", action="store_true", help="skriv som om du er i nettverkets gruppe")
    p.add_argument("--coordinator", action="store_true", help="vær koordinator i konsollen")
    p.add_argument(
        "--database",
        metavar="URL",
        help="bruk denne databasen (standard: en midlertidig SQLite-fil som slettes etterpå; "
        "FOUI_DATABASE_URL brukes aldri av konsollen)",
    )
    p.add_argument(
        "--language",
        choices=["nb", "nn", "en"],
        default="nb",
        help="språket i Telegram-appen din i konsollen: nb (bokmål), nn (nynorsk) eller en (English)",
    )
    p.set_defaults(func=cmd_console)
    return parser


def _secrets(settings: Settings) -> list[str]:
    """What must never be printed: the token, the webhook's secret and the database's password."""
    from bot.startup import database_password

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    # A very short password ("foui") would blank out ordinary words in the log; it is no secret anyway.
    password = [p for p in database_password(settings.database_url) if len(p) >= 6]
    return [s for s in (settings.token(), secret, *password) if s]


def main(argv: Sequence[str] | None = None) -> int:
    protect_streams()  # before anything can print: nothing on stdout or stderr carries a token
    args = build_parser().parse_args(argv)
    settings = _settings_or_exit()
    remember_secrets(_secrets(settings))
    setup_logging(settings.log_level, _secrets(settings))
    func: Callable[[argparse.Namespace, Settings], Any] = args.func
    try:
        return int(func(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last guard: one line, the traceback only at DEBUG
        log.debug("stopped by an unexpected error", exc_info=True)
        from bot.startup import describe_database_error, is_database_error

        if is_database_error(exc):
            print(describe_database_error(exc, settings.database_url), file=sys.stderr)
            return 1
        reason = redact(f"{type(exc).__name__}: {exc}".splitlines()[0])
        print(texts.UNEXPECTED_STOP.format(reason=reason), file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
