"""/minedata is complete and /slettmeg leaves nothing (issue 14, point 8).

Measured failure: /minedata left out the coordinators' notices about the person and the audit
entries that name them.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import String, cast, select

from storage import registry
from storage.models import AuditLog, Outbox
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.support.harness import BotHarness, FakeClock
from tests.test_network_e2e import join_request, known, register
from tests.test_privacy_e2e import document

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")


async def test_minedata_shows_notices_and_audit_entries_about_the_person(
    harness: BotHarness, clock: FakeClock
) -> None:
    await known(harness, COORDINATOR, MEMBER, OTHER)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await register(harness, OTHER, "Malvik", "kommunalsjef")
    await harness.process(join_request(MEMBER))
    _, data = document(await harness.send("/minedata", MEMBER))
    notices = data["notices_about_you"]
    assert {n["kind"] for n in notices} == {registry.KIND_REGISTRATION, registry.KIND_JOIN_REQUEST}
    assert any("Trondheim" in (n["text"] or "") for n in notices)
    about = data["audit_entries_about_you"]
    assert "registration.submitted" in [a["action"] for a in about]
    assert any(a["action"] == "join_request.asked_to_register" for a in about)
    dumped = json.dumps(data, ensure_ascii=False)
    for other in ("Ola", "Hansen", "Malvik", str(OTHER.id), "Kristin", str(COORDINATOR.id)):
        assert other not in dumped, other


async def test_slettmeg_takes_the_person_out_of_grouped_notices(harness: BotHarness) -> None:
    await known(harness, COORDINATOR, MEMBER, OTHER)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await register(harness, OTHER, "Malvik", "kommunalsjef")
    ask = [c for c in await harness.send("/slettmeg", MEMBER) if c.method == "sendMessage"][-1]
    await harness.press(ask, "Ja, slett alt", MEMBER)
    async with harness.services.session() as s:
        rows = (await s.execute(select(Outbox))).scalars().all()
        entries = (
            (await s.execute(select(AuditLog).where(cast(AuditLog.detail, String).contains(str(MEMBER.id)))))
            .scalars()
            .all()
        )
    dumped = json.dumps([r.payload for r in rows], ensure_ascii=False)
    assert "Kari" not in dumped and str(MEMBER.id) not in dumped
    assert "Ola Hansen" in dumped  # the other person's request is still there
    assert entries == []
