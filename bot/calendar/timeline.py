"""A timeline picture of the next weeks' deadlines (matplotlib, Agg), offered under /frister as a
button, never instead of the text.

``render_timeline`` is CPU work: callers run it off the event loop (``asyncio.to_thread``). It uses
a ``Figure`` of its own with the Agg canvas, never pyplot's global state, so threads never share a
figure.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot import texts

WEEKS = 8
MAX_ROWS = 30
LABEL_MAX = 48
ROW_INCHES = 0.34
COLOURS = ("#1f5f8b", "#c0392b")  # a deadline; one within a week


@dataclass(frozen=True)
class Mark:
    """One deadline on the timeline: its (local) day and a short label."""

    day: date
    label: str


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1].rstrip() + "…"


def render_timeline(marks: Sequence[Mark], *, today: date, weeks: int = WEEKS) -> bytes:
    """A PNG: one row per deadline (soonest at the top), weeks marked, today as a line."""
    # Imported here: matplotlib and numpy take a while to load, and only this picture needs them.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    end = today + timedelta(weeks=weeks)
    shown = sorted((m for m in marks if today <= m.day <= end), key=lambda m: (m.day, m.label))
    more = max(0, len(shown) - MAX_ROWS)
    shown = shown[:MAX_ROWS]
    rows = max(len(shown), 1)
    figure = Figure(figsize=(9.0, 1.4 + ROW_INCHES * rows), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_xlim(date2num(today - timedelta(days=1)), date2num(end + timedelta(days=1)))
    axes.set_ylim(rows - 0.4, -0.6)
    monday = today - timedelta(days=today.weekday())
    ticks = [monday + timedelta(weeks=i) for i in range(weeks + 2) if monday + timedelta(weeks=i) <= end]
    axes.set_xticks([date2num(d) for d in ticks])
    axes.set_xticklabels(
        [texts.TIMELINE_WEEK.format(week=d.isocalendar().week, day=d.day, month=d.month) for d in ticks],
        fontsize=8,
    )
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    axes.axvline(date2num(today), color="#888888", linestyle="--", linewidth=1)
    axes.set_yticks([])
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    for row, mark in enumerate(shown):
        x = date2num(mark.day)
        colour = COLOURS[1] if (mark.day - today).days < 7 else COLOURS[0]
        axes.plot([x], [row], marker="o", markersize=7, color=colour)
        label = f"{mark.day.day}.{mark.day.month} {_short(mark.label)}"
        right = (mark.day - today).days < weeks * 7 / 2
        axes.annotate(
            label,
            (x, row),
            xytext=(8 if right else -8, 0),
            textcoords="offset points",
            ha="left" if right else "right",
            va="center",
            fontsize=8,
        )
    if not shown:
        axes.text(0.5, 0.5, texts.TIMELINE_EMPTY, transform=axes.transAxes, ha="center", va="center")
    title = texts.TIMELINE_TITLE.format(weeks=weeks)
    if more:
        title += " " + texts.TIMELINE_MORE.format(count=more)
    axes.set_title(title, fontsize=11, loc="left")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
