"""The real content builder feeding the digest workflow, with a hostile session.

Statements carrying markup, spreadsheet formulas and personal data are written straight
into the room's record (as if every earlier guard had failed), analysed as the worker
would, built into a digest, published and exported: nothing is active or unmasked.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from deliberation.digests import exports, selectors, services
from deliberation.digests.models import Digest
from deliberation.live.models import Participant, Statement
from deliberation.structured.models import Proposal

from .test_exports import formula_like

pytestmark = pytest.mark.django_db

HOSTILE = [
    ("for", '<script>alert("x")</script> 청년 해외 일자리 박람회를 열어 주세요.'),
    ("for", '<img src=x onerror="alert(1)"> 해외 인턴십 지원금이 필요합니다.'),
    ("against", '=HYPERLINK("http://evil.example","청년 일자리 예산") 부족합니다.'),
    ("question", "제 주민번호 900101-1234568 과 전화 010-9876-5432 로 연락 주세요."),
    ("for", "메일 someone@example.com 으로 청년 일자리 자료를 보내 주세요."),
    ("against", "+SUM(1,2) 해외 일자리보다 지역 일자리가 먼저입니다."),
    ("for", "@cmd 청년 해외 일자리 박람회에 지방대학도 참여해야 합니다."),
]
SECRETS = ("900101-1234568", "1234568", "010-9876-5432", "someone@example.com")


@pytest.fixture
def hostile_session(session_factory: Any, resident_factory: Any) -> Any:
    session = session_factory(state="closed")
    people = [resident_factory(region=session.agenda.organisation) for _ in range(3)]
    for person in people:
        Participant.objects.create(session=session, person=person)
    for i, (stance, text) in enumerate(HOSTILE):
        Statement.objects.create(
            session=session,
            author=people[i % 3],
            client_msg_id=f"h{i}",
            text=text,
            stance=stance,
            seq=i + 1,
        )
    Proposal.objects.create(
        session=session,
        author=people[0],
        title="=cmd|' /C calc'!A0",
        body_html="<p onclick=alert(1)>지원 010-1111-2222</p>",
    )
    from deliberation.analysis import api as analysis

    for statement in Statement.objects.filter(session=session):
        analysis._record_pending("statement", statement.pk)
    analysis.analysis_drain()
    return session


def test_real_builder_output_is_inert_everywhere(
    hostile_session: Any,
    facilitator_factory: Any,
    ministry_staff_factory: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    facilitator = facilitator_factory(organisation=hostile_session.agenda.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        digest = services.digest_generate(actor=facilitator, session=hostile_session)
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.DONE, digest.generation_error
    assert digest.statement_count == len(HOSTILE) and digest.participant_count >= 3
    lines = [line for group in digest.content["key_statements"] for line in group["lines"]]
    assert lines, "the builder chose key statements"
    ids = set(Statement.objects.filter(session=hostile_session).values_list("pk", flat=True))
    for line in lines:
        assert {c["statement_id"] for c in line["citations"]} <= ids  # no claim without source
    services.digest_approve(actor=facilitator, digest=digest)
    services.digest_publish(actor=facilitator, digest=digest)
    proposal = Proposal.objects.get(session=hostile_session)
    services.response_post(
        actor=ministry_staff_factory(),
        digest=digest,
        status="partly",
        text="검토했습니다.",
        proposal_id=proposal.pk,
    )
    digest.refresh_from_db()

    client.force_login(facilitator)
    page = client.get(reverse("digests:digest_detail", args=[digest.pk])).content.decode()
    printable = client.get(reverse("digests:digest_print", args=[digest.pk])).content.decode()
    api = client.get(reverse("api:digest_detail", args=[digest.pk])).content.decode()
    answers = selectors.answer_threads(digest)
    files = {fmt: fn(digest, answers) for fmt, (_, _, fn) in exports.FORMATS.items()}
    hwpx = zipfile.ZipFile(io.BytesIO(files["hwpx"]))
    hwpx_text = hwpx.read("Contents/section0.xml").decode()
    stored = json.dumps([digest.content, digest.sources, digest.search_text], ensure_ascii=False)

    decoded = [f.decode("utf-8", "replace") for f in files.values()]
    for text in (page, printable, api, hwpx_text, stored, *decoded):
        for secret in SECRETS:
            assert secret not in text
        assert "<script>alert" not in text and "<img src" not in text
        assert "<p onclick" not in text
    assert "박람회" in page and "청년" in page
    cells = [c for row in csv.reader(io.StringIO(files["csv"][3:].decode("utf-8"))) for c in row]
    assert any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if formula_like(c)]
    assert "<script" not in files["md"].decode()
