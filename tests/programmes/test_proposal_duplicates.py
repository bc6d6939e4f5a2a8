"""The facilitator asks the live room for likely duplicate proposals (real ASGI stack)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from deliberation.agendas.models import Session
from deliberation.analysis.analyzer import analyse_texts
from deliberation.analysis.api import analysis_drain
from tests import factories
from tests.live.conftest import Room, new_resident
from tests.structured.conftest import run_phase


@pytest.fixture(scope="module", autouse=True)
def _tagger_started() -> None:
    """Start the tagger's JVM on the main thread, before any worker thread needs it."""
    analyse_texts(["국민외교 정책 제안"])


@pytest.fixture
def delib_session(transactional_db: None) -> Session:
    return factories.SessionFactory(
        agenda=factories.AgendaFactory(), kind=Session.Kind.DELIBERATION, state=Session.State.LIVE
    )


@pytest.fixture
async def room(delib_session: Session) -> Any:
    host = await database_sync_to_async(factories.FacilitatorFactory)(
        organisation=delib_session.agenda.organisation
    )
    room = Room(session=delib_session, facilitator=host, clients=[])
    yield room
    await room.close_all()


async def test_duplicate_proposals_are_suggested_to_the_facilitator_only(room: Room) -> None:
    host = await room.join(room.facilitator)
    a, b = await room.join(await new_resident()), await room.join(await new_resident())
    await database_sync_to_async(run_phase)(room.session, "proposals")

    jobs = await a.ok(
        "proposal.create",
        title="청년 해외 인턴십 늘려 주세요",
        body="<p>지역 청년이 해외 기업 인턴십으로 취업할 수 있게</p>",
    )
    jobs_again = await b.ok(
        "proposal.create",
        title="해외 기업 인턴쉽을 청년에게",
        body="<p>청년 해외 취업, 인턴십 기회를 더 늘려야 합니다</p>",
    )
    sister = await b.ok(
        "proposal.create", title="자매도시 청소년 문화 교류", body="<p>여름 방학 홈스테이</p>"
    )
    festival = await a.ok("proposal.create", title="외국인 주민과 함께하는 K-컬처 페스티벌")
    festival_again = await b.ok("proposal.create", title="K-컬처 페스티발 외국인 주민 참여")

    # Before the analysis worker has run, the engine still matches on character n-grams.
    early = await host.ok("proposal.duplicates")
    assert [festival["proposal_id"], festival_again["proposal_id"]] in [
        p["proposal_ids"] for p in early["pairs"]
    ]

    assert await database_sync_to_async(analysis_drain)() == 5
    reply = await host.ok("proposal.duplicates")
    pairs = {tuple(p["proposal_ids"]): p for p in reply["pairs"]}
    assert set(pairs) == {
        (jobs["proposal_id"], jobs_again["proposal_id"]),
        (festival["proposal_id"], festival_again["proposal_id"]),
    }
    best = reply["pairs"][0]
    assert best["score"] >= 0.25
    jobs_pair = pairs[(jobs["proposal_id"], jobs_again["proposal_id"])]
    assert {"청년", "인턴십", "취업"} <= set(jobs_pair["shared_terms"])
    assert sister["proposal_id"] not in {i for p in pairs for i in p}

    refused = await a.fail("proposal.duplicates", "forbidden")
    assert refused["message"]

    # Once merged, the pair is no longer suggested.
    await host.ok(
        "proposal.merge", target_id=jobs["proposal_id"], source_ids=[jobs_again["proposal_id"]]
    )
    after = await host.ok("proposal.duplicates")
    assert [p["proposal_ids"] for p in after["pairs"]] == [
        [festival["proposal_id"], festival_again["proposal_id"]]
    ]
