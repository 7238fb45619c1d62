"""Logging set-up. The bot token never leaves the process: not in a log line, nor on stdout or stderr.

- Every log record is redacted as it is made (a record factory), so every handler, also one a
  library adds later, gets it without the token; our own handler has the filter as well.
- ``protect_streams`` wraps stdout and stderr, so a warning or an uncaught exception printed by
  Python itself cannot show the token either.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any

REDACTED = "<token>"
# A Telegram bot token: digits, a colon, 30+ url-safe characters.
_TOKEN_RE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}\b")

_secrets: list[str] = []


def redact(text: str, secrets: list[str] | None = None) -> str:
    """``text`` without the given secrets, the configured ones, or anything shaped like a token."""
    for secret in (*(secrets or ()), *_secrets):
        if secret:
            text = text.replace(secret, REDACTED)
    return _TOKEN_RE.sub(REDACTED, text)


def _redact_record(record: logging.LogRecord, secrets: list[str]) -> None:
    """Rewrite the record only where a secret was found (so tools reading ``exc_info`` keep it otherwise)."""
    message = record.getMessage()
    redacted = redact(message, secrets)
    if redacted != message:
        record.msg = redacted
        record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        clean = redact(text, secrets)
        if clean != text:
            record.exc_text = clean
            record.exc_info = None


class RedactingFilter(logging.Filter):
    """Replaces the configured token (and anything shaped like a token) in every record."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s]

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record, self.secrets)
        return True


_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    _redact_record(record, [])
    return record


class RedactingStream:
    """A text stream (stdout, stderr) that writes everything through ``redact``."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def remember_secrets(secrets: list[str]) -> None:
    """The secrets (token, webhook secret) that every redaction in this process removes."""
    for secret in secrets:
        if secret and secret not in _secrets:
            _secrets.append(secret)


def protect_streams() -> None:
    """Wrap stdout and stderr (once) so nothing printed carries a secret."""
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)


def setup_logging(level: str = "INFO", secrets: list[str] | None = None) -> None:
    """Configure the root logger once: one stream handler with the redacting filter, every record redacted."""
    remember_secrets(list(secrets or []))
    logging.setLogRecordFactory(_redacting_factory)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_foui", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._foui = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root.addHandler(handler)
    for other in root.handlers:  # a filter on every handler, also ones set up before ours
        if not any(isinstance(f, RedactingFilter) for f in other.filters):
            other.addFilter(RedactingFilter(secrets))
    root.setLevel(level)
    # httpx logs every request URL, and the Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
