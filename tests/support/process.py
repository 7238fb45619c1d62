"""Running ``foui-bot`` as a real process from a fresh directory, as an operator would."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def fresh_env(**settings: str) -> dict[str, str]:
    """The environment without any FOUI_ setting of the test run, the code importable from anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOUI_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(settings)
    return env


def env_file_from_example(directory: Path, **values: str) -> Path:
    """``cp .env.example .env`` in ``directory``, then fill in ``values`` (e.g. FOUI_BOT_TOKEN=...)."""
    lines = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        name = line.split("=", 1)[0]
        if not line.startswith("#") and name in values:
            line = f"{name}={values[name]}"
        lines.append(line)
    path = directory / ".env"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def start_cli(*args: str, cwd: Path, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """``foui-bot ARGS`` in ``cwd`` (stdout and stderr to ``log``), with lookups kept on loopback."""
    out = log.open("wb")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.loopback_cli", *args, env=env, cwd=cwd, stdout=out, stderr=out
    )


def tail(log: Path | None, chars: int = 4000) -> str:
    """The end of a process's log, for a failing assertion."""
    return log.read_text(errors="replace")[-chars:] if log is not None and log.exists() else ""


async def until(
    condition: Callable[[], Any],
    seconds: float,
    what: str,
    log: Path | None = None,
    proc: asyncio.subprocess.Process | None = None,
) -> None:
    """Wait (bounded) until ``condition()`` (sync or async) is true; fail at once if ``proc`` ended."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return
        if time.monotonic() > deadline or (proc is not None and proc.returncode is not None):
            raise AssertionError(f"timed out after {seconds} s waiting for {what}\n{tail(log)}")
        await asyncio.sleep(0.05)


async def stop(proc: asyncio.subprocess.Process, seconds: float = 20) -> int:
    """SIGTERM, then SIGKILL if it does not stop in time; returns the exit code."""
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=seconds)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    return int(proc.returncode or 0)
