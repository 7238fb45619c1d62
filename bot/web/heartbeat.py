"""A heartbeat file for the container HEALTHCHECK: touched every minute while the bot runs."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from telegram.ext import Application, ContextTypes

log = logging.getLogger(__name__)


def heartbeat_path() -> Path:
    return Path(os.environ.get("FOUI_HEARTBEAT_FILE", Path(tempfile.gettempdir()) / "foui-heartbeat"))


async def beat(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Touch the heartbeat file."""
    try:
        heartbeat_path().touch()
    except OSError:
        log.warning("could not write the heartbeat file %s", heartbeat_path(), exc_info=True)


async def schedule_heartbeat(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(beat, interval=60, first=0, name="heartbeat")
