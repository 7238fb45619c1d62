"""Logging set-up. The bot token never reaches a log line: every record is redacted."""

from __future__ import annotations

import logging
import re
import sys

REDACTED = "<token>"
# A Telegram bot token: digits, a colon, 30+ url-safe characters.
_TOKEN_RE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}\b")


class RedactingFilter(logging.Filter):
    """Replaces the configured token (and anything shaped like a token) in every record."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_RE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, so the handler prints no token either.
            formatter = logging.Formatter()
            record.exc_text = self.redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if redacted != message or record.args:
            record.msg = redacted
            record.args = None
        return True


def redact(text: str, secrets: list[str] | None = None) -> str:
    return RedactingFilter(secrets).redact(text)


def setup_logging(level: str = "INFO", secrets: list[str] | None = None) -> None:
    """Configure the root logger once: one stream handler with the redacting filter."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_foui", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._foui = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL, and the Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
