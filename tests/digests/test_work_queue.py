"""The inbox as a work queue: answer status, officer, due date, counts and filters,
response rates, the restricted-digest read log, XLSX and the A4 print view."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from deliberation.digests import exports, selectors, services
from deliberation.digests.models import AnswerStatus, Digest, DigestRead
from deliberation.people.models import User

from .test_exports import FORMULAS, hostile, hostile_content  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(ministry_staff_factory: Any) -> User:
    return ministry_staff_factory(nickname="김주무관", clearance="restricted")  # type: ignore[no-any-return]


def test_answers_move_the_answer_status(make_digest: Any, officer: User) -> None:
    digest = make_digest()
    assert digest.answer_status == AnswerStatus.UNANSWERED
    services.response_post(actor=officer, digest=digest, status="reviewing", text="검토 중입니다.")
    digest.refresh_from_db()
    assert digest.answer_status == AnswerStatus.IN_PROGRESS
    services.response_post(
        actor=officer, digest=digest, status="partly", text="일부 반영합니다.", proposal_id=501
    )
    digest.refresh_from_db()
    assert digest.answer_status == AnswerStatus.IN_PROGRESS  # one proposal is not the digest
    services.response_post(actor=officer, digest=digest, status="adopted", text="반영합니다.")
    digest.refresh_from_db()
    assert digest.answer_status == AnswerStatus.ANSWERED


def test_assigning_is_for_staff_who_can_answer(
    make_digest: Any, officer: User, ministry_staff_factory: Any, resident_factory: Any
) -> None:
    digest = make_digest(disclosure="internal")
    due = timezone.localdate() + dt.timedelta(days=7)
    services.digest_assign(actor=officer, digest=digest, assignee=officer, due_date=due)
    digest.refresh_from_db()
    assert digest.assignee == officer and digest.due_date == due
    public_only = ministry_staff_factory(clearance="public")
    with pytest.raises(ValidationError):
        services.digest_assign(actor=officer, digest=digest, assignee=public_only, due_date=None)
    with pytest.raises(PermissionDenied):
        services.digest_assign(
            actor=resident_factory(), digest=digest, assignee=officer, due_date=None
        )
    with pytest.raises(PermissionDenied):
        services.digest_assign(
            actor=digest.test_facilitator, digest=digest, assignee=officer, due_date=None
        )


def test_inbox_filters_and_counts_by_status_owner_and_overdue(
    make_digest: Any, officer: User, client: Any
) -> None:
    late, mine, done, fresh = (make_digest() for _ in range(4))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.digest_assign(actor=officer, digest=late, assignee=None, due_date=yesterday)
    services.digest_assign(
        actor=officer,
        digest=mine,
        assignee=officer,
        due_date=yesterday,
        answer_status=AnswerStatus.IN_PROGRESS,
    )
    services.response_post(actor=officer, digest=done, status="adopted", text="반영")
    services.digest_assign(actor=officer, digest=done, assignee=officer, due_date=yesterday)

    def shown(**params: str) -> set[int]:
        f = selectors.InboxFilter.from_params(params)
        return {d.pk for d in selectors.published_digests_qs(officer, f)}

    assert shown(answer_status="unanswered") == {late.pk, fresh.pk}
    assert shown(answer_status="answered") == {done.pk}
    assert shown(owner="me") == {mine.pk, done.pk}
    assert shown(owner="none") == {late.pk, fresh.pk}
    assert shown(overdue="1") == {late.pk, mine.pk}  # the answered one is not overdue
    counts = selectors.inbox_counts(officer, selectors.InboxFilter())
    assert counts.total == 4 and counts.overdue == 2 and counts.mine == 2
    assert dict((v, n) for v, _, n in counts.by_status) == {
        "unanswered": 2,
        "in_progress": 1,
        "answered": 1,
    }

    client.force_login(officer)
    page = client.get(reverse("digests:inbox"), {"overdue": "1"}).content.decode()
    assert page.count('class="dg-card"') == 2
    assert "기한 지남" in page and "김주무관" in page and "처리 중" in page
    assert 'aria-current="page" data-queue="overdue"' in page


def test_municipality_overview_shows_response_rates(
    make_digest: Any, officer: User, organisation_factory: Any, client: Any
) -> None:
    busan = organisation_factory(name="부산광역시")
    digests = [make_digest(organisation=busan) for _ in range(4)]
    services.response_post(actor=officer, digest=digests[0], status="adopted", text="반영")
    rows = {r.organisation.name: r for r in selectors.municipality_overview(officer)}
    assert rows["부산광역시"].digests == 4 and rows["부산광역시"].answered == 1
    assert rows["부산광역시"].response_rate == 25
    client.force_login(officer)
    page = client.get(reverse("digests:municipalities")).content.decode()
    assert "25%" in page and "답변율" in page


def test_reading_a_restricted_digest_is_logged_and_shown_to_administrators(
    make_digest: Any, officer: User, admin_factory: Any, client: Any
) -> None:
    restricted = make_digest(disclosure="restricted")
    public = make_digest()
    client.force_login(officer)
    for digest in (restricted, public):
        assert client.get(reverse("digests:digest_detail", args=[digest.pk])).status_code == 200
        assert client.get(reverse("digests:digest_print", args=[digest.pk])).status_code == 200
        for fmt in ("xlsx", "csv"):
            url = reverse("digests:digest_export", args=[digest.pk, fmt])
            assert client.get(url).status_code == 200
        api = reverse("api:digest_detail", args=[digest.pk])
        assert client.get(api).status_code == 200
    reads = list(DigestRead.objects.order_by("pk"))
    assert {r.digest_id for r in reads} == {restricted.pk}
    assert [(r.reader, r.channel, r.detail) for r in reads] == [
        (officer, "page", ""),
        (officer, "print", ""),
        (officer, "export", "xlsx"),
        (officer, "export", "csv"),
        (officer, "api", ""),
    ]
    page = client.get(reverse("digests:digest_detail", args=[restricted.pk])).content.decode()
    assert "열람 기록" not in page  # staff read; only administrators see who read

    admin = admin_factory()
    client.force_login(admin)
    page = client.get(reverse("digests:digest_detail", args=[restricted.pk])).content.decode()
    assert "열람 기록" in page and officer.username in page and "내려받기 · xlsx" in page
    log = client.get(reverse("admin:digests_digestread_changelist"))
    assert log.status_code == 200 and "김주무관" in log.content.decode()


def test_print_view_is_a4_with_the_disclosure_level_on_every_page(
    make_digest: Any, officer: User, client: Any
) -> None:
    digest = make_digest(disclosure="restricted")
    client.force_login(officer)
    html = client.get(reverse("digests:digest_print", args=[digest.pk])).content.decode()
    assert html.count('class="dg-print-level') == 2  # header and footer, fixed in print
    assert "공개 수준: <strong>비공개</strong>" in html
    assert "2026. 11. 20.(금) 14:00–15:00" in html
    css = (
        __import__("pathlib").Path(__file__).resolve().parents[2]
        / "frontend/static/madang/css/digests.css"
    ).read_text(encoding="utf-8")
    assert "size: A4" in css and "position: fixed" in css


def test_xlsx_opens_and_holds_each_section_as_text(hostile: Digest) -> None:  # noqa: F811
    from openpyxl import load_workbook

    data = exports.to_xlsx(hostile, selectors.answer_threads(hostile))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "개요"
    for title in (
        "참여 현황",
        "주요 키워드",
        "입장별 핵심 발언",
        "운영(모더레이션) 요약",
        "외교부 답변",
    ):
        assert title in book.sheetnames
    keywords = book["주요 키워드"]
    rows = [[c.value for c in row] for row in keywords.iter_rows()]
    assert ["키워드", "언급 발언 수", "근거 발언"] in rows
    assert any(row[0] == "청년" and row[1] == "12" for row in rows)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    formula_cells = [c for c in cells if str(c.value).startswith(("=", "+", "@"))]
    assert formula_cells, "the hostile text is there"
    assert all(c.data_type == "s" for c in formula_cells)  # text, never a formula
    overview = {row[0].value: row[1].value for row in book["개요"].iter_rows() if row[0].value}
    assert overview["제목"] == hostile.title and overview["공개 수준"] == "공개"
