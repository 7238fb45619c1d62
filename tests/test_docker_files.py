"""The Docker files (issue 13, point 8), checked without a Docker daemon; hadolint lints them in CI.

The image's HEALTHCHECK is run here for real (its exec-form command, against /healthz on loopback).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
IGNORED = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


def _instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _final_stage() -> list[str]:
    lines = _instructions()
    last_from = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    return lines[last_from:]


def test_the_image_runs_as_a_numeric_non_root_user_with_sqlite_in_data() -> None:
    users = [line.split()[1] for line in _final_stage() if line.startswith("USER ")]
    assert users and re.fullmatch(r"[1-9]\d*(:[1-9]\d*)?", users[-1])
    final = " ".join(_final_stage())
    assert "FOUI_DATABASE_URL=sqlite+aiosqlite:////data/foui.db" in final
    assert 'VOLUME ["/data"]' in final


def test_dependencies_are_installed_in_their_own_layer_before_the_code(tmp_path: Path) -> None:
    lines = _instructions()
    deps = next(i for i, line in enumerate(lines) if "-r requirements.txt" in line)
    first_code = next(i for i, line in enumerate(lines) if line.startswith("COPY bot"))
    assert deps < first_code
    assert all(not line.startswith("COPY . ") for line in lines)
    # The one-liner that lists the dependencies reads pyproject.toml as pip would.
    script = re.search(r'python -c "(.*?)" > requirements.txt', lines[deps])
    assert script is not None
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    out = subprocess.run(
        [sys.executable, "-c", script.group(1)], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert out.stdout.split("\n")[:-1] == expected


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _healthcheck(port: int) -> int:
    line = next(line for line in _final_stage() if line.startswith("HEALTHCHECK "))
    exec_form = line.split(" CMD ", 1)[1]
    argv = json.loads(exec_form)  # exec form: a JSON array, no shell needed (nor curl)
    assert argv[0] == "python"
    env = {"FOUI_HTTP_PORT": str(port), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, *argv[1:]], env=env, capture_output=True, timeout=30, check=False
    ).returncode


def test_the_healthcheck_asks_healthz_and_fails_on_503_or_silence(health_server: ThreadingHTTPServer) -> None:
    port = int(health_server.server_address[1])
    _Health.status = 200
    assert _healthcheck(port) == 0
    _Health.status = 503
    assert _healthcheck(port) != 0
    health_server.shutdown()
    health_server.server_close()
    assert _healthcheck(port) != 0


def test_dockerignore_keeps_secrets_databases_and_caches_out_of_the_build_context() -> None:
    for pattern in (
        ".env",
        ".venv",
        "*.db",
        "*.db-*",
        "**/__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".git",
    ):
        assert pattern in IGNORED, pattern
    assert "!.env.example" in IGNORED


def test_compose_takes_the_password_from_env_waits_for_a_healthy_database_restarts_and_rotates_logs() -> None:
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in COMPOSE
    assert "foui:${POSTGRES_PASSWORD:?" in COMPOSE  # the bot's URL uses the same variable
    assert "POSTGRES_PASSWORD: foui" not in COMPOSE and ":foui@db" not in COMPOSE
    assert "condition: service_healthy" in COMPOSE and "pg_isready" in COMPOSE
    assert COMPOSE.count("restart: unless-stopped") == 2
    assert COMPOSE.count("logging: *logging") == 2 and 'max-size: "10m"' in COMPOSE
    assert "env_file: .env" in COMPOSE
    assert "FOUI_HTTP_LISTEN: 0.0.0.0" in COMPOSE  # .env cannot move the server off the container's network
    assert re.search(r"^POSTGRES_PASSWORD=$", (ROOT / ".env.example").read_text(), re.M)
