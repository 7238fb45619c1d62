"""The one sender: drains the outbox within Telegram's limits, and never loses or doubles a message.

How it keeps the promises:
- Rows are *claimed* (``storage.outbox.claim``: a conditional UPDATE, ``FOR UPDATE SKIP LOCKED``
  on PostgreSQL) and the claim is committed before anything is sent, so two senders never get
  the same row. Each row is marked sent right after Telegram answers, so a crash repeats at most
  the messages that were in flight; a claimer that died gives its rows back (at start on SQLite,
  where the single-instance lock guarantees it is the only sender, and after
  ``FOUI_OUTBOX_CLAIM_TIMEOUT_SECONDS`` on PostgreSQL).
- Limits: one global pacer (``FOUI_SEND_RATE_GLOBAL`` a second, evenly spaced), and per chat at
  most ``FOUI_SEND_RATE_PRIVATE_PER_SECOND`` (private) or ``FOUI_SEND_RATE_GROUP_PER_MINUTE``
  (groups). A claim takes at most one row per chat and skips chats that are throttled or busy.
- 429: the row waits ``retry_after`` (not counted as a try); the chat waits too, and for a private
  chat (where a 429 means the global limit) the whole sender pauses. 5xx, timeouts and network
  errors: exponential backoff, counted. 403 and 400 "chat not found": the chat is marked inactive
  (its data is kept) and its queued messages fail with the reason. A group that became a
  supergroup is followed (``migrate_to_chat_id``) and the message resent. Other 400s fail at once
  with Telegram's description; after ``FOUI_SEND_MAX_ATTEMPTS`` tries a message fails with why.
- Quiet hours: a row that comes due inside the chat's quiet hours is held until they end (unless
  its payload says ``"urgent": true``); the enqueuers already set ``not_before`` for theirs. Held
  rows follow the chat's quiet hours as they are now: released early when the member shortens or
  switches them off (``follow_quiet_hours``), held longer when they now end later.
- Just before sending, each claimed batch is screened (``screen``, by default
  ``bot.push.refresh.screen_claimed``, a handful of queries per batch): a push about a call whose
  recipient no longer wants it (unsubscribed, muted it, chose a digest, deleted their data) or
  whose call closed is cancelled with the reason. Then each push is checked (``refresh``, by
  default ``bot.push.refresh.refresh_payload``): cancelled when its deadline is over; a push, digest or
  weekly overview written on an earlier day is written again, so its "i morgen" is true today.
- A claim is never left to look abandoned while this sender still has it: rows in flight have
  their claim renewed at each housekeeping, and rows that would wait longer than a quarter of
  ``FOUI_OUTBOX_CLAIM_TIMEOUT_SECONDS`` for their turn (a long 429 pause) are given back first.

Tests drive it step by step (``await sender.drain_once()``, an injected ``sleep``): nothing waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.push.checks import PreSendChecks, Refresh, Screen
from bot.push.delivery import part_subject, retry_after_seconds, send_payload, split_payload
from bot.push.refresh import refresh_payload, screen_claimed
from bot.push.render import policy_for
from bot.services import Services
from bot.texts.book import language_book
from bot.texts.i18n import use_language
from storage import outbox
from storage.claims import (
    Claimed,
    claim,
    mark_failed,
    mark_retry,
    mark_sent,
    release_stale,
    touch_claims,
    worker_name,
)
from storage.pushes import follow_quiet_hours
from storage.rules.quiet import QuietHours

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 10.0

Sleep = Callable[[float], Awaitable[Any]]


class Sender(PreSendChecks):
    """Drains the outbox; one per process (``services.extras["sender"]``)."""

    def __init__(
        self,
        services: Services,
        bot: Bot,
        *,
        worker: str | None = None,
        sleep: Sleep | None = None,
        batch_size: int | None = None,
        max_in_flight: int | None = None,
        refresh: Refresh | None = None,
        screen: Screen | None = None,
    ) -> None:
        settings = services.settings
        self._refresh: Refresh = refresh or refresh_payload
        self._screen: Screen = screen or screen_claimed
        self._policy = policy_for(settings)
        self.services = services
        self.bot = bot
        self.worker = worker or worker_name()
        self._sleep: Sleep = sleep or asyncio.sleep
        self._global_interval = 1.0 / settings.send_rate_global
        self._private_interval = 1.0 / settings.send_rate_private_per_second
        self._group_interval = 60.0 / settings.send_rate_group_per_minute
        self.batch_size = batch_size or max(1, round(settings.send_rate_global))
        self.max_in_flight = max_in_flight or self.batch_size * 4
        self._next_slot: datetime | None = None
        self._chat_ready: dict[int, datetime] = {}
        self._busy: set[int] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._sending: set[int] = set()  # ids of the rows claimed and not yet recorded
        self._running = False
        # A claimed row never waits longer than this for its turn (a global pause after a 429):
        # well inside the claim timeout, after which another sender would take it as abandoned.
        self._max_wait = settings.outbox_claim_timeout_seconds / 4
        self._wake: asyncio.Event | None = None
        self._last_housekeeping: datetime | None = None
        self._default_quiet: QuietHours = settings.quiet
        self.counters: Counter[str] = Counter()

    # ---- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.services.now()

    async def _pause_until(self, moment: datetime) -> None:
        delay = (moment - self.now()).total_seconds()
        if delay > 0:
            await self._sleep(delay)

    async def _global_slot(self) -> bool:
        """Wait for the next evenly spaced slot of the global rate; False, without waiting, when it is
        further away than a claimed row may wait (a 429 paused everything meanwhile)."""
        while self._next_slot is not None and self._next_slot > self.now():
            if self._slot_wait() > self._max_wait:
                return False
            await self._pause_until(self._next_slot)  # a 429 during the wait moves the slot: look again
        self._next_slot = self.now() + timedelta(seconds=self._global_interval)
        return True

    def _pause_all(self, seconds: float) -> None:
        until = self.now() + timedelta(seconds=seconds)
        if self._next_slot is None or self._next_slot < until:
            self._next_slot = until

    def wake(self) -> None:
        """Something was queued in this process: look at the outbox now rather than at the next poll."""
        if self._wake is not None:
            self._wake.set()

    # ---- one step ----------------------------------------------------------------------------
    async def drain_once(self) -> int:
        """Claim one batch of due rows, send them, and wait until every one is marked. Returns the count."""
        await self._housekeeping()
        tasks = await self._dispatch(self.batch_size)
        if tasks:
            await asyncio.gather(*tasks)
        return len(tasks)

    async def drain(self, max_rounds: int = 10_000) -> int:
        """Send until nothing is due for a chat that may be written to now (for tests and tools)."""
        total = 0
        for _ in range(max_rounds):
            count = await self.drain_once()
            total += count
            if count == 0:
                break
        return total

    async def run(self, keep_running: Callable[[], bool]) -> None:
        """Send continuously while ``keep_running()``; new rows are seen within ``outbox_poll_seconds``.

        One loop per sender: a second ``run`` while the first runs (the job started twice) returns
        at once rather than pacing a second stream of messages beside the first.
        """
        if self._running:
            log.warning("sender %s is already running; not starting it twice", self.worker)
            return
        self._running = True
        try:
            await self._run(keep_running)
        finally:
            self._running = False

    async def _run(self, keep_running: Callable[[], bool]) -> None:
        self._wake = asyncio.Event()
        poll = self.services.settings.outbox_poll_seconds
        log.info("sender %s started", self.worker)
        while keep_running():
            try:
                await self._housekeeping()
                room = self.max_in_flight - len(self._in_flight)
                started = await self._dispatch(min(self.batch_size, room), wait=False) if room > 0 else []
                if started:
                    continue
                await self._idle(poll)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the sender failed; trying again in a few seconds")
                await asyncio.sleep(min(poll * 2, 10.0))
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        log.info("sender %s stopped", self.worker)

    async def _idle(self, poll: float) -> None:
        """Wait for a wake-up, a throttled chat to become free, or the next poll, whichever is first."""
        assert self._wake is not None
        timeout = poll
        now = self.now()
        waiting = [t for t in self._chat_ready.values() if t > now]
        if self._next_slot is not None and self._next_slot > now:
            waiting.append(self._next_slot)
        if waiting:
            timeout = min(timeout, max((min(waiting) - now).total_seconds(), 0.02))
        waiters: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._wake.wait())}
        if self._in_flight:
            waiters |= set(self._in_flight)
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            if waiter not in self._in_flight and not waiter.done():
                waiter.cancel()
        self._wake.clear()

    async def _housekeeping(self) -> None:
        """Renew this sender's claims, give back rows of claimers that died, fail rows for chats
        that are gone, and let rows held for quiet hours follow the chats' quiet hours."""
        now = self.now()
        if self._last_housekeeping is not None and (now - self._last_housekeeping).total_seconds() < (
            HOUSEKEEPING_SECONDS
        ):
            return
        self._last_housekeeping = now
        timeout = timedelta(seconds=self.services.settings.outbox_claim_timeout_seconds)
        async with self.services.session() as session:
            # First our own rows still in flight (a slow answer from Telegram): they are not abandoned.
            await touch_claims(session, self._sending, worker=self.worker, now=now)
            released = await release_stale(session, now=now, older_than=timeout)
            failed = await outbox.fail_inactive(session)
            early = await follow_quiet_hours(session, now=now, policy=self._policy)
        if early:
            log.info("%d held messages released earlier: their chats changed their quiet hours", early)
        if released:
            log.warning("gave back %d messages claimed more than %s ago", released, timeout)
        if failed:
            log.info("%d queued messages were for chats that no longer take messages", failed)
        self._chat_ready = {cid: t for cid, t in self._chat_ready.items() if t > now}

    async def _dispatch(self, limit: int, *, wait: bool = True) -> list[asyncio.Task[None]]:
        """Claim up to ``limit`` rows and start sending each in its global slot.

        During a long global pause (a 429) nothing is claimed: ``wait`` sleeps it out first (tests
        and tools), otherwise it returns at once and the loop comes back when the pause is over.
        """
        if limit <= 0:
            return []
        if self._slot_wait() > self._max_wait:
            if not wait:
                return []
            assert self._next_slot is not None
            await self._pause_until(self._next_slot)
        now = self.now()
        throttled = {cid for cid, ready in self._chat_ready.items() if ready > now} | self._busy
        async with self.services.session() as session:
            claimed = await claim(session, worker=self.worker, now=now, limit=limit, exclude_chats=throttled)
        tasks: list[asyncio.Task[None]] = []
        ready: list[Claimed] = []
        for row in claimed:
            held = self._quiet_until(row)
            if held is not None:
                await self._hold(row.id, held)
                self.counters["held_quiet"] += 1
                continue
            ready.append(row)
        ready = await self._still_wanted(ready)
        languages = await language_book(self.services).for_chats([row.chat_id for row in ready])
        self._sending.update(row.id for row in ready)
        for index, row in enumerate(ready):
            if not await self._global_slot():
                # A 429 paused everything while this batch waited: give the rest back rather than
                # hold them claimed towards the claim timeout (another sender would send them too).
                await self._give_back(ready[index:])
                break
            interval = self._group_interval if row.is_group else self._private_interval
            self._chat_ready[row.chat_id] = self.now() + timedelta(seconds=interval)
            self._busy.add(row.chat_id)
            task = asyncio.create_task(self._deliver_in_language(row, languages.get(row.chat_id)))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            tasks.append(task)
        return tasks

    def _slot_wait(self) -> float:
        """Seconds until the global pacer allows the next message."""
        if self._next_slot is None:
            return 0.0
        return max(0.0, (self._next_slot - self.now()).total_seconds())

    # ---- one message -------------------------------------------------------------------------
    async def _deliver_in_language(self, row: Claimed, language: str | None) -> None:
        """``_deliver`` in the recipient's language: a push is written again in it if need be."""
        with use_language(language):
            await self._deliver(row)

    async def _deliver(self, row: Claimed) -> None:
        """Send one claimed row and record the outcome; never raises."""
        rewritten: dict[str, Any] | None = None
        next_part: dict[str, Any] | None = None
        try:
            fresh = await self._fresh(row)
            if isinstance(fresh, str):
                await self._cancel(row, fresh)
                return
            rewritten = fresh.payload if fresh is not row else None
            row = fresh
            now_part, next_part = split_payload(row.payload)
            if next_part is not None:
                rewritten, row = now_part, replace(row, payload=now_part)
            message_id = await self.send(row)
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            self.counters["rate_limited"] += 1
            until = self.now() + timedelta(seconds=seconds)
            self._chat_ready[row.chat_id] = max(self._chat_ready.get(row.chat_id, until), until)
            if not row.is_group:
                self._pause_all(seconds)
            log.warning("429 for chat %s: waiting %.0f s", row.chat_id, seconds)
            await self._record(
                lambda s: mark_retry(
                    s, row.id, at=until, error=f"429: vent {seconds:.0f} s", count_attempt=False
                )
            )
        except ChatMigrated as exc:
            new_id = int(exc.new_chat_id)
            self.counters["migrated"] += 1
            log.info("chat %s moved to %s; resending there", row.telegram_id, new_id)

            async def _follow(session: AsyncSession) -> None:
                await outbox.migrate_chat(session, row.chat_id, new_id, row_id=row.id)
                await mark_retry(
                    session, row.id, at=self.now(), error=f"gruppen flyttet til {new_id}", count_attempt=False
                )

            await self._record(_follow)
            self._chat_ready.pop(row.chat_id, None)
        except Forbidden as exc:
            await self._gone(row, f"403: {exc.message}")
        except BadRequest as exc:
            if "chat not found" in exc.message.lower() or "chat_id is empty" in exc.message.lower():
                await self._gone(row, f"400: {exc.message}")
            else:
                self.counters["failed"] += 1
                refused = f"400: {exc.message}"
                log.error("Telegram refused message %s (%s %s): %s", row.id, row.kind, row.subject, refused)
                await self._record(lambda s: mark_failed(s, row.id, error=refused))
        except (NetworkError, TelegramError) as exc:
            await self._retry_later(row, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug or a bad payload must not stop the sender
            log.exception("could not send outbox row %s", row.id)
            await self._retry_later(row, f"{type(exc).__name__}: {exc}")
        else:
            self.counters["sent"] += 1

            async def _sent(session: AsyncSession) -> None:
                await mark_sent(session, row.id, now=self.now(), message_id=message_id, payload=rewritten)
                if next_part is not None:  # the next part: a row of its own, queued with this one's outcome
                    subject = part_subject(row.subject, int(next_part["part"]))
                    await outbox.enqueue(
                        session,
                        chat_id=row.chat_id,
                        kind=row.kind,
                        subject=subject,
                        payload=next_part,
                        not_before=self.now(),
                    )

            await self._record(_sent)
        finally:
            self._busy.discard(row.chat_id)
            self._sending.discard(row.id)

    async def send(self, row: Claimed) -> int | None:
        """Send one row's payload to its chat; returns Telegram's message id (the first, if split)."""
        return await send_payload(self.bot, row)
