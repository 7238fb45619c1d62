"""``GET /healthz``: each check the composition root registers says whether its part is alive.

200 with ``{"ok": true, "checks": {...}}`` when every check passes, 503 with the same JSON when one
does not (or does not answer within ``CHECK_TIMEOUT_SECONDS``). A check returns ``(alive, detail)``;
the detail is something small and JSON-able (a time, a count), never personal data.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.web.server import Request, Response, RouteHandler

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[tuple[bool, Any]]]
CHECK_TIMEOUT_SECONDS = 3.0


class Health:
    def __init__(self, timeout: float = CHECK_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self.checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        self.checks[name] = check

    async def _one(self, name: str, check: Check) -> dict[str, Any]:
        try:
            alive, detail = await asyncio.wait_for(check(), self.timeout)
        except TimeoutError:
            log.warning("health check %s did not answer in %.0f s", name, self.timeout)
            return {"ok": False, "detail": "timeout"}
        except Exception as exc:
            log.warning("health check %s failed: %s", name, type(exc).__name__)
            return {"ok": False, "detail": type(exc).__name__}
        return {"ok": bool(alive), "detail": detail}

    async def report(self) -> dict[str, Any]:
        names = list(self.checks)
        results = await asyncio.gather(*(self._one(n, self.checks[n]) for n in names))
        checks = dict(zip(names, results, strict=True))
        return {"ok": all(r["ok"] for r in results), "checks": checks}


def healthz_route(health: Health) -> RouteHandler:
    async def handle(request: Request) -> Response:
        report = await health.report()
        body = json.dumps(report, default=str, ensure_ascii=False).encode("utf-8")
        return (200 if report["ok"] else 503), {"Content-Type": "application/json"}, body

    return handle
