"""Coordinator and admin checks ask Telegram (cached) and trust nothing from the client."""

from __future__ import annotations

from typing import Any

from handlers.auth import forget_admins, is_coordinator, is_group_admin, may_manage_chat
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.support.harness import GROUP_ID, BotHarness


class _Ctx:
    def __init__(self, harness: BotHarness) -> None:
        self.bot = harness.app.bot
        self.bot_data: dict[str, Any] = harness.app.bot_data


async def test_configured_coordinator_and_group_admins(harness: BotHarness) -> None:
    ctx: Any = _Ctx(harness)
    harness.api.set_admins(GROUP_ID, [4242])
    assert await is_coordinator(ctx, COORDINATOR.id)
    assert await is_coordinator(ctx, 4242)
    assert not await is_coordinator(ctx, MEMBER.id)
    assert not await is_coordinator(ctx, None)


async def test_admin_list_is_cached_then_refreshed(harness: BotHarness) -> None:
    ctx: Any = _Ctx(harness)
    harness.api.set_admins(GROUP_ID, [4242])
    assert await is_group_admin(ctx, GROUP_ID, 4242)
    assert await is_group_admin(ctx, GROUP_ID, 4242)
    assert len(harness.api.sent("getChatAdministrators")) == 1
    harness.api.set_admins(GROUP_ID, [])
    forget_admins(ctx.bot_data, GROUP_ID)
    assert not await is_group_admin(ctx, GROUP_ID, 4242)


async def test_failing_admin_lookup_grants_nothing(harness: BotHarness) -> None:
    ctx: Any = _Ctx(harness)
    harness.api.fail("getChatAdministrators", error_code=400, description="Bad Request: chat not found")
    assert not await is_group_admin(ctx, GROUP_ID, 4242)


async def test_may_manage_chat(harness: BotHarness) -> None:
    ctx: Any = _Ctx(harness)
    harness.api.set_admins(GROUP_ID, [OTHER.id])
    assert await may_manage_chat(ctx, MEMBER.id, "private", MEMBER.id)
    assert not await may_manage_chat(ctx, MEMBER.id, "private", OTHER.id)
    assert await may_manage_chat(ctx, GROUP_ID, "supergroup", OTHER.id)
    assert await may_manage_chat(ctx, GROUP_ID, "supergroup", COORDINATOR.id)
    assert not await may_manage_chat(ctx, GROUP_ID, "supergroup", MEMBER.id)
