"""Decisions are recorded, exported as labelled data, and counted (never quoted) in digests."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from deliberation.agendas.models import Session
from deliberation.analysis.api import analysis_drain
from deliberation.analysis.digest import build_session_digest
from deliberation.digests.document import content_sections
from deliberation.live import moderation
from deliberation.live.services import statement_post
from deliberation.screening import services
from deliberation.screening.models import Flag
from tests import factories

INSULTS = [
    "담당 과장 저 병1신 같은 답변 좀 그만해라 ㅅㅂ",
    "ㅂㅅ들이 모여서 회의하니까 결론이 이 모양이지",
    "씨@발 청년 일자리 해외로 떠넘기는 게 정책이냐",
]
CALM = "교환학생 학점 인정이 안 돼서 졸업이 한 학기 늦어졌어요."


@pytest.fixture
def flagged(db: None, settings: Any) -> dict[str, Any]:
    session = factories.SessionFactory(state=Session.State.LIVE)
    staff = factories.FacilitatorFactory(organisation=session.agenda.organisation)
    resident = factories.ResidentFactory()
    for i, text in enumerate([*INSULTS, CALM]):
        statement_post(actor=resident, session_id=session.pk, client_msg_id=f"m{i}", text=text)
    analysis_drain()
    flags = list(Flag.objects.filter(session=session).order_by("pk"))
    return {"session": session, "staff": staff, "flags": flags}


def test_decisions_are_recorded_and_exported_as_labelled_data(flagged: dict[str, Any]) -> None:
    session, staff, flags = flagged["session"], flagged["staff"], flagged["flags"]
    assert [f.text for f in flags] == INSULTS  # the calm statement is not flagged
    services.flag_hide(actor=staff, session_id=session.pk, flag_id=flags[0].pk)
    services.flag_dismiss(actor=staff, session_id=session.pk, flag_id=flags[1].pk)

    client = Client()
    client.force_login(staff)
    response = client.get(reverse("screening:flags_export", args=[session.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode()), delimiter="\t"))
    assert [(r["comments"], r["hate"], r["decision"]) for r in rows] == [
        (INSULTS[0], flags[0].label, "hidden"),
        (INSULTS[1], "none", "dismissed"),  # the facilitator's correction is the label
    ]
    assert all(r["decided_at"] for r in rows)

    open_now = client.get(reverse("screening:flags_open", args=[session.pk])).json()
    assert [f["text"] for f in open_now["flags"]] == [INSULTS[2]]

    resident_client = Client()
    resident_client.force_login(factories.ResidentFactory())
    for name in ("screening:flags_export", "screening:flags_open"):
        assert resident_client.get(reverse(name, args=[session.pk])).status_code == 404


def test_digest_counts_flagged_hidden_restored_and_never_quotes_them(
    flagged: dict[str, Any],
) -> None:
    session, staff, flags = flagged["session"], flagged["staff"], flagged["flags"]
    services.flag_hide(actor=staff, session_id=session.pk, flag_id=flags[0].pk)
    services.flag_hide(actor=staff, session_id=session.pk, flag_id=flags[1].pk)
    moderation.statement_restore(
        actor=staff, session_id=session.pk, statement_id=flags[1].object_id
    )

    content = build_session_digest(session.pk)
    summary = content.moderation
    assert (summary.flagged, summary.flagged_hidden, summary.flagged_restored) == (3, 1, 1)
    text = str([s.__dict__ for s in content_sections(content.to_dict())])
    assert "자동 감지 3건, 그중 가림 1건, 가린 뒤 되돌림 1건" in text
    assert INSULTS[0] not in text  # the hidden text never reaches the ministry


def test_proposals_and_replies_are_screened_by_the_worker(db: None) -> None:
    from deliberation.analysis.api import enqueue_analysis
    from deliberation.structured.models import Proposal

    session = factories.SessionFactory(state=Session.State.LIVE)
    resident = factories.ResidentFactory()
    root = statement_post(actor=resident, session_id=session.pk, client_msg_id="a", text=CALM)
    reply = statement_post(
        actor=resident,
        session_id=session.pk,
        client_msg_id="b",
        text="병1신 같은 소리 하고 있네",
        parent_id=root.statement_id,
    )
    proposal = Proposal.objects.create(
        session=session,
        author=resident,
        title="짱깨들이랑 교류 당장 끊어라",
        body_html="<p>ㅅㅂ</p>",
    )
    enqueue_analysis("proposal", proposal.pk)
    analysis_drain()
    flagged = {(f.kind, f.object_id) for f in Flag.objects.filter(session=session)}
    assert flagged == {("statement", reply.statement_id), ("proposal", proposal.pk)}
