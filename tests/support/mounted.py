"""A tiny HTTP/1.1 server on 127.0.0.1 that mounts an async callable under a path prefix, the way
the bot's web wing mounts the calendar feed: ``await app(path_tail, request_headers)`` returns
``(status, headers, body)``. For end-to-end tests that fetch a mounted route over real HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

MountedApp = Callable[[str, Mapping[str, str]], Awaitable[tuple[int, dict[str, str], bytes]]]


class MountedServer:
    """Serves ``app`` under ``prefix``; anything else is 404. One request per connection."""

    def __init__(self, prefix: str, app: MountedApp) -> None:
        self.prefix, self.app = prefix, app
        self.base_url = ""
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1").split()
            headers: dict[str, str] = {}
            while (line := (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1").strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip()] = value.strip()
            method, target = request_line[0], request_line[1]
            path = unquote(urlsplit(target).path)
            if method not in ("GET", "HEAD") or not path.startswith(self.prefix):
                status, out_headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            else:
                status, out_headers, body = await self.app(path[len(self.prefix) :], headers)
            head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
            head += [f"{k}: {v}" for k, v in out_headers.items()]
            head += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
            writer.write("\r\n".join(head).encode("latin-1") + (b"" if method == "HEAD" else body))
            await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


@contextlib.asynccontextmanager
async def mounted(prefix: str, app: MountedApp) -> AsyncIterator[MountedServer]:
    server = MountedServer(prefix, app)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
