"""The bot's one HTTP server (tornado, which python-telegram-bot's webhooks extra brings).

It serves what the composition root gives it, and knows nothing of the other wings:
- ``route(path, handler, methods)``: one exact path (``/healthz``, ``/metrics``, the webhook);
  the handler gets a ``Request`` and returns ``(status, headers, body)``.
- ``mount(prefix, handler)``: every GET/HEAD under a prefix (``/kalender/``); the handler gets the
  rest of the path and the request's headers: ``(path_tail, headers) -> (status, headers, body)``.

Anything else is 404; a known path with another method is 405. A handler that raises answers 500
(and is logged), never stops the server. Bodies over ``max_body_bytes`` are refused by tornado.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot import texts

log = logging.getLogger(__name__)

Response = tuple[int, dict[str, str], bytes]
MountHandler = Callable[[str, Mapping[str, str]], Awaitable[Response]]


class HttpServerError(Exception):
    """The server could not listen (the port is taken, the address is not this machine's)."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes


RouteHandler = Callable[[Request], Awaitable[Response]]

MAX_BODY_BYTES = 1024 * 1024  # a Telegram update is far smaller


def text_response(status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Response:
    return status, {"Content-Type": content_type}, text.encode("utf-8")


class WebServer:
    """The routes, and the tornado server serving them on ``listen``:``port`` (0: a free port)."""

    def __init__(self, listen: str = "127.0.0.1", port: int = 8080, *, max_body_bytes: int = MAX_BODY_BYTES):
        self.listen = listen
        self.port = port
        self.max_body_bytes = max_body_bytes
        self._routes: dict[str, tuple[RouteHandler, frozenset[str]]] = {}
        self._mounts: list[tuple[str, MountHandler]] = []
        self._server: HTTPServer | None = None

    # ---- what is served ------------------------------------------------------------------------
    def route(self, path: str, handler: RouteHandler, methods: Iterable[str] = ("GET",)) -> None:
        """Serve ``handler`` at exactly ``path`` (a leading slash is added when missing)."""
        path = "/" + path.lstrip("/")
        if path in self._routes:
            raise ValueError(f"the path {path} is already served")
        allowed = {m.upper() for m in methods}
        if "GET" in allowed:
            allowed.add("HEAD")
        self._routes[path] = (handler, frozenset(allowed))

    def mount(self, prefix: str, handler: MountHandler) -> None:
        """Serve GET and HEAD for every path under ``prefix`` (``/kalender/`` -> ``/kalender/<tail>``)."""
        prefix = "/" + prefix.strip("/") + "/"
        if any(p == prefix for p, _ in self._mounts):
            raise ValueError(f"the prefix {prefix} is already mounted")
        self._mounts.append((prefix, handler))

    async def dispatch(self, request: Request) -> Response:
        """The answer to one request (the tornado handler calls this; tests may too)."""
        found = self._routes.get(request.path)
        if found is not None:
            handler, methods = found
            if request.method not in methods:
                return text_response(405, "method not allowed\n")
            return await handler(request)
        for prefix, mounted in self._mounts:
            if request.path.startswith(prefix):
                if request.method not in ("GET", "HEAD"):
                    return text_response(405, "method not allowed\n")
                return await mounted(request.path[len(prefix) :], request.headers)
        return text_response(404, "not found\n")

    def loggable(self, path: str) -> str:
        """The path as it may be logged: a mounted route's tail can be a secret (a calendar token)."""
        for prefix, _ in self._mounts:
            if path.startswith(prefix):
                return prefix + "…"
        return path

    # ---- life cycle ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        """Bind and serve on the running event loop; ``port`` becomes the bound port."""
        app = Application([(r"/.*", _Dispatch, {"server": self})], log_function=_quiet)
        try:
            sockets = bind_sockets(self.port, self.listen, family=socket.AF_UNSPEC)
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise HttpServerError(
                texts.HTTP_CANNOT_LISTEN.format(listen=self.listen, port=self.port, reason=reason)
            ) from None
        self.port = int(sockets[0].getsockname()[1])
        self._server = HTTPServer(app, max_body_size=self.max_body_bytes, xheaders=True)
        self._server.add_sockets(sockets)
        log.info("HTTP server listening on %s:%s", self.listen, self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        await self._server.close_all_connections()
        self._server = None


def _quiet(handler: RequestHandler) -> None:
    """Access log at DEBUG only (the webhook is called for every update)."""
    server = getattr(handler, "server", None)
    path = handler.request.path
    shown = server.loggable(path) if isinstance(server, WebServer) else path.split("/", 2)[1]
    log.debug("%s %s %s", handler.get_status(), handler.request.method, shown)


class _Dispatch(RequestHandler):
    """Every request goes through ``WebServer.dispatch``."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def initialize(self, server: WebServer) -> None:
        self.server = server

    async def _any(self, *args: Any) -> None:
        request = Request(
            method=self.request.method or "GET",
            path=self.request.path,
            headers=self.request.headers,  # case-insensitive
            body=self.request.body or b"",
        )
        try:
            status, headers, body = await self.server.dispatch(request)
        except Exception:
            log.exception("the HTTP handler for %s failed", self.server.loggable(request.path))
            status, headers, body = text_response(500, "internal error\n")
        self.set_status(status)
        for name, value in headers.items():
            self.set_header(name, value)
        if request.method != "HEAD":
            self.write(body)

    get = head = post = put = delete = patch = options = _any
