"""The digest's "opinion groups": sizes, cited statements, consensus, divisive; every export;
an agenda digest with each session's groups."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from deliberation.digests import exports, jobs, services
from deliberation.digests.document import digest_document
from deliberation.digests.models import Digest
from deliberation.live.models import Participant, Statement
from deliberation.opinions.models import StatementVote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest's build task runs at once, on the test's thread."""

    def enqueue(task: Any, *, run_after: Any = None, **kwargs: Any) -> None:
        task.call(**kwargs)

    monkeypatch.setattr(jobs, "enqueue", enqueue)


TEXTS = [
    "공원과 산책로를 늘려 주세요.",  # everyone agrees
    "야간 버스를 늘려야 합니다.",  # the first camp agrees, the second disagrees
    "주차장을 먼저 지어야 합니다.",  # the first camp disagrees, the second agrees
    "축제 예산을 줄여야 합니다.",  # everyone disagrees
    "도서관 운영 시간을 늘려 주세요. 연락처 010-9876-5432",  # the first camp agrees
]


def voted_session(session_factory: Any, resident_factory: Any, **fields: Any) -> Any:
    session = session_factory(state="closed", **fields)
    authors = [resident_factory(region=session.agenda.organisation) for _ in range(2)]
    statements = [
        Statement.objects.create(
            session=session, author=authors[i % 2], client_msg_id=f"o{i}", text=t, seq=i + 1
        )
        for i, t in enumerate(TEXTS)
    ]
    for n in range(16):
        person = resident_factory(region=session.agenda.organisation)
        Participant.objects.create(session=session, person=person)
        first = n < 8
        values = [1, 1 if first else -1, -1 if first else 1, -1, 1 if first else 0]
        for statement, value in zip(statements, values, strict=True):
            StatementVote.objects.create(
                session=session, statement=statement, person=person, value=value
            )
    return session, statements


def generate(facilitator: Any, django_capture_on_commit_callbacks: Any, **target: Any) -> Digest:
    with django_capture_on_commit_callbacks(execute=True):
        digest = services.digest_generate(actor=facilitator, **target)
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.DONE, digest.generation_error
    return digest


def test_the_session_digest_shows_the_groups_in_the_page_and_every_export(
    session_factory: Any,
    resident_factory: Any,
    facilitator_factory: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session, statements = voted_session(session_factory, resident_factory)
    facilitator = facilitator_factory(organisation=session.agenda.organisation)
    digest = generate(facilitator, django_capture_on_commit_callbacks, session=session)

    part = digest.content["opinion_groups"]["sessions"][0]
    assert sorted(g["size"] for g in part["groups"]) == [8, 8]
    assert part["voters"] == 16 and part["grouped"] == 16
    consensus = {(c["statement_id"], c["direction"]) for c in part["consensus"]}
    assert consensus == {(statements[0].pk, "agree"), (statements[3].pk, "disagree")}
    assert {d["statement_id"] for d in part["divisive"]} == {statements[1].pk, statements[2].pk}
    cited = {r["statement_id"] for g in part["groups"] for r in g["representative"]}
    assert statements[1].pk in cited and statements[4].pk in cited
    assert str(statements[4].pk) in digest.sources  # cited statements are listed as sources

    client.force_login(facilitator)
    page = client.get(reverse("digests:digest_detail", args=[digest.pk])).content.decode()
    assert 'id="section-opinion_groups"' in page
    assert "의견 그룹" in page and "그룹 A" in page and "그룹 B" in page
    assert f'href="#stmt-{statements[1].pk}"' in page and f'id="stmt-{statements[1].pk}"' in page
    assert "공통 동의: 공원과 산책로를 늘려 주세요." in page
    assert "010-9876-5432" not in page

    files = {fmt: fn(digest, []) for fmt, (_, _, fn) in exports.FORMATS.items()}
    rows = list(csv.reader(io.StringIO(files["csv"][3:].decode("utf-8"))))
    mine = [r for r in rows if r[0] == "의견 그룹"]
    night_bus = f"#{statements[1].pk}"
    assert any("야간 버스를 늘려야 합니다." in r[2] and r[3] == night_bus for r in mine)
    assert "## 의견 그룹" in files["md"].decode()
    data = json.loads(files["json"])
    section = next(s for s in data["sections"] if s["key"] == "opinion_groups")
    assert any(statements[0].pk in line["sources"] for line in section["lines"])
    hwpx = zipfile.ZipFile(io.BytesIO(files["hwpx"])).read("Contents/section0.xml").decode()
    assert "의견 그룹" in hwpx and "그룹 A" in hwpx
    services.digest_approve(actor=facilitator, digest=digest)
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_publish(actor=facilitator, digest=digest)
    api = client.get(reverse("api:digest_detail", kwargs={"digest_id": digest.pk})).json()
    assert api["content"]["opinion_groups"]["sessions"][0]["groups"]
    for text in [page, *(f.decode("utf-8", "replace") for f in files.values())]:
        assert "010-9876-5432" not in text


def test_the_agenda_digest_lists_each_session_that_voted(
    session_factory: Any,
    agenda_factory: Any,
    resident_factory: Any,
    facilitator_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    agenda = agenda_factory()
    voted_session(session_factory, resident_factory, agenda=agenda, title="1회차")
    voted_session(session_factory, resident_factory, agenda=agenda, title="2회차")
    session_factory(agenda=agenda, state="closed", title="투표 없는 회차")
    facilitator = facilitator_factory(organisation=agenda.organisation)
    digest = generate(facilitator, django_capture_on_commit_callbacks, agenda=agenda)
    parts = digest.content["opinion_groups"]["sessions"]
    assert [p["session_title"] for p in parts] == ["1회차", "2회차"]
    doc = digest_document(digest)
    section = next(s for s in doc.sections if s.key == "opinion_groups")
    assert section.paragraphs[0].startswith("[1회차]")
    assert section.paragraphs[1].startswith("[2회차]")


def test_a_digest_without_votes_has_no_opinion_groups(
    session_factory: Any,
    resident_factory: Any,
    facilitator_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = session_factory(state="closed")
    author = resident_factory(region=session.agenda.organisation)
    Statement.objects.create(session=session, author=author, client_msg_id="x", text="안녕", seq=1)
    facilitator = facilitator_factory(organisation=session.agenda.organisation)
    digest = generate(facilitator, django_capture_on_commit_callbacks, session=session)
    assert "opinion_groups" not in digest.content
