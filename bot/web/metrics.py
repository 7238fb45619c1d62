"""``GET /metrics`` in Prometheus' text format (version 0.0.4), from collectors the root registers.

A collector is an async function returning ``Family`` objects; one that fails is logged and left
out (the others are still served), so one broken query never hides every figure.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.web.server import Request, Response, RouteHandler

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Family:
    """One metric: its name, type (counter or gauge), help line and samples (labels, value)."""

    name: str
    kind: str
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> Family:
        self.samples.append((labels, float(value)))
        return self


Collector = Callable[[], Awaitable[list[Family]]]


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def render(families: list[Family]) -> str:
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {family.help.replace(chr(10), ' ')}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for labels, value in family.samples:
            name = family.name
            if labels:
                inner = ",".join(f'{k}="{_label_value(v)}"' for k, v in sorted(labels.items()))
                name = f"{name}{{{inner}}}"
            lines.append(f"{name} {_number(value)}")
    return "\n".join(lines) + "\n"


class Metrics:
    def __init__(self) -> None:
        self.collectors: list[Collector] = []

    def add(self, collector: Collector) -> None:
        self.collectors.append(collector)

    async def collect(self) -> list[Family]:
        families: list[Family] = []
        for collector in self.collectors:
            try:
                families.extend(await collector())
            except Exception:
                log.exception("a metrics collector failed; its figures are left out")
        return families


def metrics_route(metrics: Metrics) -> RouteHandler:
    async def handle(request: Request) -> Response:
        text = render(await metrics.collect())
        return 200, {"Content-Type": CONTENT_TYPE}, text.encode("utf-8")

    return handle
