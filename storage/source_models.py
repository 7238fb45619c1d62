"""The models of issue 12's source work: what was last announced of a call (for the opening notice
and the one grouped change notice) and each source's drift baseline and alarm.

Imported by ``storage/__init__.py``, so every ``storage`` import registers these tables in
``Base.metadata`` (the migrations and the schema test compare against it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import utcnow


class CallWatch(Base):
    """A call as members last heard of it: its status and what matters in its text (amount, who may
    apply, deadline), so a planned call that opens, or a change that matters, is told once."""

    __tablename__ = "call_watch"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    material: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SourceDrift(Base):
    """A source's usual yield (calls, calls with a deadline, which fields its items carry) and its open
    drift alarm, shown in /kilder until it is fixed or a coordinator acknowledges it."""

    __tablename__ = "source_drift"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    baseline_found: Mapped[int] = mapped_column(Integer, default=0)
    baseline_fresh: Mapped[int] = mapped_column(Integer, default=0)
    baseline_dated: Mapped[int] = mapped_column(Integer, default=0)
    baseline_shape: Mapped[list[Any]] = mapped_column(JSON, default=list)
    alarm: Mapped[str | None] = mapped_column(String(32))  # empty | no_deadlines | shape
    alarm_text: Mapped[str] = mapped_column(Text, default="")
    alarm_at: Mapped[datetime | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
