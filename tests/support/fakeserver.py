"""A fake Bot API over HTTP on loopback, built on ``tests.support.fakebot.FakeBotApi``.

For the benchmark and the tests that run the real process (``foui-bot run``) against it: point
``FOUI_TELEGRAM_API_URL`` at ``server.base_url`` and use any token of the right shape.

- ``rate_limit``: at most this many messages (send*) in any one-second window; above it the
  server answers 429 with ``retry_after`` as Telegram does, and counts it (``too_many``).
- ``accepted``: every message it accepted (chat id, text, time), so tests count losses and
  duplicates (``duplicates()``: the same text to the same chat more than once).
- Run it by hand: ``python -m tests.support.fakeserver --port 8081 --rate 30``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections import Counter, deque
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from tests.support.fakebot import BotApiError, FakeBotApi

SEND_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage", "sendMediaGroup"}
)


@dataclass(frozen=True)
class Accepted:
    method: str
    chat_id: int
    text: str
    at: float


class FakeBotServer:
    """An HTTP/1.1 server (keep-alive) answering Bot API calls from a ``FakeBotApi``."""

    def __init__(
        self,
        api: FakeBotApi | None = None,
        *,
        rate_limit: float | None = None,
        retry_after: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api = api or FakeBotApi()
        self.rate_limit = rate_limit
        self.retry_after = retry_after
        self.host = host
        self.port = port
        self.accepted: list[Accepted] = []
        self.too_many = 0
        self._window: deque[float] = deque()
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        """What FOUI_TELEGRAM_API_URL should be (the token and method are appended)."""
        return f"http://{self.host}:{self.port}/bot"

    # ---- counting --------------------------------------------------------------------------
    def delivered(self) -> Counter[int]:
        """How many messages each chat got."""
        return Counter(a.chat_id for a in self.accepted)

    def duplicates(self) -> int:
        """Messages accepted more than once: the same text to the same chat again."""
        same = Counter((a.method, a.chat_id, a.text) for a in self.accepted)
        return sum(n - 1 for n in same.values() if n > 1)

    # ---- life cycle ------------------------------------------------------------------------
    async def start(self) -> FakeBotServer:
        self._server = await asyncio.start_server(self._client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=2)
            self._server = None

    async def __aenter__(self) -> FakeBotServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- HTTP ------------------------------------------------------------------------------
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                path = request_line.decode("latin-1").split(" ")[1]
                status, payload = await self._answer(path, headers.get("content-type", ""), body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _answer(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        method = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        params, files = _parse_body(content_type, body)
        if method in SEND_METHODS and self.rate_limit is not None:
            now = time.monotonic()
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.rate_limit:
                self.too_many += 1
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {self.retry_after}",
                    "parameters": {"retry_after": self.retry_after},
                }
            self._window.append(now)
        try:
            result = await self.api.handle(method, params, files)
        except BotApiError as err:
            answer: dict[str, Any] = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters:
                answer["parameters"] = err.parameters
            return err.code, answer
        except Exception as exc:  # a scripted timeout: answer late, as a slow server would
            await asyncio.sleep(30)
            return 500, {"ok": False, "error_code": 500, "description": str(exc)}
        if method in SEND_METHODS:
            cid = params.get("chat_id")
            self.accepted.append(
                Accepted(
                    method,
                    int(cid) if cid is not None else 0,
                    str(params.get("text") or ""),
                    time.monotonic(),
                )
            )
        return 200, {"ok": True, "result": result}


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    files: dict[str, tuple[str, bytes]] = {}
    if not body:
        return {}, files
    if content_type.startswith("application/json"):
        return dict(json.loads(body)), files
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        params: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            raw = part.get_payload(decode=True)
            content = raw if isinstance(raw, bytes) else b""
            if filename:
                files[str(name)] = (filename, content)
            elif name:
                params[str(name)] = content.decode()
        return _decode_values(params), files
    return _decode_values(dict(parse_qsl(body.decode(), keep_blank_values=True))), files


def _decode_values(params: dict[str, Any]) -> dict[str, Any]:
    """PTB sends nested values (reply_markup, ...) JSON-encoded in a form."""
    for key, value in list(params.items()):
        if isinstance(value, str) and value[:1] in "{[":
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def main() -> None:  # pragma: no cover - by hand
    parser = argparse.ArgumentParser(description="En falsk Bot API-server på 127.0.0.1 for tester.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--rate", type=float, default=None, help="meldinger i sekundet før 429")
    args = parser.parse_args()

    async def serve() -> None:
        server = await FakeBotServer(rate_limit=args.rate, port=args.port).start()
        print(f"FOUI_TELEGRAM_API_URL={server.base_url}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":  # pragma: no cover
    main()
