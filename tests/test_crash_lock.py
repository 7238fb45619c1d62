"""The single-instance lock on SQLite: a second bot on the same file refuses to start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import texts
from bot.config import load_settings
from bot.locks import AlreadyRunningError, lock_for
from bot.runner import run


def test_no_lock_for_postgresql_or_memory() -> None:
    assert lock_for("postgresql+asyncpg://u@h/db") is None
    assert lock_for("sqlite+aiosqlite:///:memory:") is None


def test_second_lock_on_the_same_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'foui.db'}"
    first = lock_for(url)
    second = lock_for(url)
    assert first is not None and second is not None
    assert first.path == tmp_path / "foui.db.lock"
    with first:
        with pytest.raises(AlreadyRunningError) as err:
            second.acquire()
        assert "kjører allerede" in str(err.value) and str(tmp_path / "foui.db") in str(err.value)
    second.acquire()  # free again once the first let go
    second.release()


def test_a_killed_holder_does_not_block_the_next_start(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'foui.db'}"
    code = (
        "import sys, time; from bot.locks import lock_for; "
        f"lock_for({url!r}).acquire(); print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        lock = lock_for(url)
        assert lock is not None
        with pytest.raises(AlreadyRunningError) as err:
            lock.acquire()
        assert f"prosess {holder.pid}" in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    lock.acquire()
    lock.release()


def test_run_refuses_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'foui.db'}"
    settings = load_settings(
        database_url=url, bot_token="123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", _env_file=None
    )
    lock = lock_for(url)
    assert lock is not None
    with lock:
        assert run(settings) == 1
    err = capsys.readouterr().err
    assert texts.ALREADY_RUNNING.split("{")[0] in err
    assert "PostgreSQL" in err
