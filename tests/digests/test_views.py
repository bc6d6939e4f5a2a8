"""Facilitator pages over HTTP: generate, edit, approve, publish; progress stream; live panel."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.urls import reverse

from deliberation.digests import services
from deliberation.digests.models import Digest
from deliberation.live.models import Participant

pytestmark = pytest.mark.django_db


def test_facilitator_walks_the_workflow_through_the_pages(
    content_builder: Any,
    session: Any,
    facilitator_factory: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    facilitator = facilitator_factory(organisation=session.agenda.organisation)
    client.force_login(facilitator)
    start = client.get(reverse("digests:session_digest", args=[session.pk]))
    assert "초안 만들기" in start.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(reverse("digests:session_digest_generate", args=[session.pk]))
    digest = Digest.objects.get(session=session)
    assert made["Location"] == reverse("digests:digest_detail", args=[digest.pk])
    page = client.get(made["Location"]).content.decode()
    assert 'name="summary_text"' in page and "승인" in page and "청년" in page
    assert "근거" in page and 'href="#stmt-2"' in page and 'id="stmt-2"' in page
    client.post(
        reverse("digests:digest_edit", args=[digest.pk]),
        {"summary_text": "진행자가 다듬은 요약", "note_keywords": "청년 일자리가 중심"},
    )
    page = client.get(made["Location"]).content.decode()
    assert "진행자가 다듬은 요약" in page and "청년 일자리가 중심" in page
    publish = reverse("digests:digest_transition", args=[digest.pk, "publish"])
    client.post(publish)  # refused: not approved yet
    digest.refresh_from_db()
    assert digest.status == "draft"
    assert "승인된 요약 보고만" in client.get(made["Location"]).content.decode()
    client.post(reverse("digests:digest_transition", args=[digest.pk, "approve"]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(publish)
    digest.refresh_from_db()
    assert digest.status == "published"
    page = client.get(made["Location"]).content.decode()
    assert "변경 이력" in page and "전달" in page
    assert (
        client.post(reverse("digests:digest_transition", args=[digest.pk, "bogus"])).status_code
        == 404
    )


async def _read_stream(response: Any) -> list[bytes]:
    chunks = []
    async for chunk in response.streaming_content:
        chunks.append(chunk)
    return chunks


@pytest.mark.django_db(transaction=True)
def test_progress_stream_reports_the_stored_state(make_digest: Any, client: Any) -> None:
    digest = make_digest(Digest.Status.DRAFT)
    client.force_login(digest.test_facilitator)
    response = client.get(reverse("digests:digest_progress", args=[digest.pk]))
    assert response["Content-Type"].startswith("text/event-stream")
    chunks = asyncio.run(asyncio.wait_for(_read_stream(response), timeout=10))
    text = b"".join(chunks).decode()
    assert text.startswith("event: progress\ndata: ")
    assert '"state":"done"' in text and '"percent":100' in text


def test_progress_stream_is_for_managers_only(
    make_digest: Any, client: Any, ministry_staff_factory: Any
) -> None:
    digest = make_digest(Digest.Status.PUBLISHED)
    client.force_login(ministry_staff_factory())
    assert client.get(reverse("digests:digest_progress", args=[digest.pk])).status_code == 404


def test_session_page_shows_answers_and_header_counts_them(
    make_digest: Any, resident_factory: Any, ministry_staff_factory: Any, client: Any
) -> None:
    digest = make_digest(disclosure="public")
    resident = resident_factory()
    Participant.objects.create(session=digest.session, person=resident)
    services.response_post(
        actor=ministry_staff_factory(),
        digest=digest,
        status="adopted",
        text="지역 박람회 예산을 반영했습니다.",
        proposal_id=501,
    )
    client.force_login(resident)
    page = client.get(reverse("agendas:session_detail", args=[digest.session_id])).content.decode()
    assert "지역 박람회 예산을 반영했습니다." in page and "반영" in page
    assert 'data-testid="notifications-link"' in page and "개 새 알림" in page


def test_live_panel_fragment_and_console_include(
    session_factory: Any, facilitator_factory: Any, resident_factory: Any, client: Any
) -> None:
    from deliberation.analysis import api as analysis
    from deliberation.live.models import Statement

    session = session_factory(state="live")
    facilitator = facilitator_factory(organisation=session.agenda.organisation)
    resident = resident_factory()
    Participant.objects.create(session=session, person=resident)
    for i, text in enumerate(
        ["청년 일자리 박람회를 열어 주세요.", "해외 인턴십 청년 지원이 필요합니다."]
    ):
        statement = Statement.objects.create(
            session=session,
            author=resident,
            client_msg_id=f"c{i}",
            text=text,
            stance="for",
            seq=i + 1,
        )
        analysis._record_pending("statement", statement.pk)
    analysis.analysis_drain()
    client.force_login(facilitator)
    console = client.get(reverse("live:console", args=[session.pk])).content.decode()
    assert "data-digest-live" in console and "digests.js" in console
    fragment = client.get(reverse("digests:session_live_digest", args=[session.pk]))
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "발언 2" in text and "청년" in text
    client.force_login(resident)
    assert client.get(reverse("digests:session_live_digest", args=[session.pk])).status_code == 404


def test_agenda_digest_across_sessions(
    content_builder: Any,
    agenda: Any,
    facilitator_factory: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(facilitator_factory(organisation=agenda.organisation))
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(reverse("digests:agenda_digest_generate", args=[agenda.pk]))
    digest = Digest.objects.get(agenda=agenda, scope="agenda")
    assert made["Location"] == reverse("digests:digest_detail", args=[digest.pk])
    assert digest.generation == "done" and digest.session_id is None
