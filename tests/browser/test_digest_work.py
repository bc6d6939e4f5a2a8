"""Ministry staff read a digest (Korean and English) and work the inbox, in chromium at
laptop width (1366 px) and on a phone; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deliberation.agendas.models import Session, SessionTransition
from deliberation.digests import services
from deliberation.digests.models import AnswerStatus, Digest
from deliberation.live.models import Participant, Statement
from deliberation.people.models import User
from tests.browser.conftest import ARTIFACTS
from tests.factories import (
    FacilitatorFactory,
    MinistryStaffFactory,
    OrganisationFactory,
    ResidentFactory,
    SessionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parents[1] / "analysis" / "fixtures" / "sister_city_session.txt"
STANCES = {"찬성": "for", "반대": "against", "중립": "neutral", "질문": "question"}
NICKNAMES = ["바다", "하늘", "전주청년", "들꽃", "새벽", "솔바람", "한빛", "은하"]


def seed() -> dict[str, Any]:
    province = OrganisationFactory(
        name="전북특별자치도", name_en="Jeonbuk State", slug="jeonbuk-work"
    )
    busan = OrganisationFactory(name="부산광역시", name_en="Busan", slug="busan-work")
    ran = timezone.now().replace(hour=5, minute=0, second=0, microsecond=0) - dt.timedelta(days=2)
    session = SessionFactory(
        agenda__organisation=province,
        agenda__title="자매도시 청소년 교류",
        agenda__topic="sister_cities",
        agenda__disclosure="internal",
        title="자매도시 교류 자유발언대",
        state=Session.State.CLOSED,
        starts_at=ran + dt.timedelta(days=3),  # scheduled later, held early
    )
    facilitator = FacilitatorFactory(organisation=province, username="jb_work_facilitator")
    people = [ResidentFactory(region=province, nickname=n, age_band="20s") for n in NICKNAMES]
    for person in people:
        Participant.objects.create(session=session, person=person)
    for i, line in enumerate(FIXTURE.read_text(encoding="utf-8").splitlines()):
        label, text = line[1:].split("] ", 1)
        statement = Statement.objects.create(
            session=session,
            author=people[i % len(people)],
            client_msg_id=f"w{i}",
            text=text,
            stance=STANCES[label],
            seq=i + 1,
        )
        Statement.objects.filter(pk=statement.pk).update(
            created_at=ran + dt.timedelta(minutes=2 * i + 1)
        )
    for to_state, at in (("live", ran), ("closed", ran + dt.timedelta(minutes=85))):
        row = SessionTransition.objects.create(session=session, from_state="x", to_state=to_state)
        SessionTransition.objects.filter(pk=row.pk).update(at=at)
    from deliberation.analysis import api as analysis

    for statement in Statement.objects.filter(session=session):
        analysis._record_pending("statement", statement.pk)
    analysis.analysis_drain()

    officer = MinistryStaffFactory(
        username="mofa_officer", nickname="김주무관", clearance="internal"
    )
    colleague = MinistryStaffFactory(username="mofa_lee", nickname="이사무관", clearance="internal")
    digest = Digest.objects.create(
        scope=Digest.Scope.SESSION,
        agenda=session.agenda,
        session=session,
        organisation=province,
        topic=session.agenda.topic,
        disclosure=session.agenda.disclosure,
        title=f"{session.agenda.title} · {session.title}",
        held_at=session.starts_at,
        generation=Digest.Generation.RUNNING,
        generated_by=facilitator,
    )
    services.digest_build(digest_id=digest.pk)
    digest.refresh_from_db()
    services.digest_approve(actor=facilitator, digest=digest)
    services.digest_publish(actor=facilitator, digest=digest)
    today = timezone.localdate()
    services.digest_assign(
        actor=officer, digest=digest, assignee=officer, due_date=today + dt.timedelta(days=5)
    )
    # Three more published digests, to give the queue something to sort.
    others = []
    for title, org, status, assignee, due in (
        ("청년 해외 일자리 · 1차 숙의", province, AnswerStatus.IN_PROGRESS, colleague, -2),
        ("부산 항만 통상 · 자유발언대", busan, AnswerStatus.ANSWERED, officer, -1),
        ("외국인 주민 지원 · 간담회", busan, AnswerStatus.UNANSWERED, None, -3),
    ):
        other = Digest.objects.create(
            scope=Digest.Scope.AGENDA,
            agenda=SessionFactory(agenda__organisation=org).agenda,
            organisation=org,
            topic=digest.topic,
            disclosure=digest.disclosure,
            title=title,
            held_at=digest.held_at,
            content=digest.content,
            keywords=digest.keywords,
            participant_count=digest.participant_count,
            statement_count=digest.statement_count,
            status=Digest.Status.PUBLISHED,
            generation=Digest.Generation.DONE,
            published_at=timezone.now(),
            answer_status=status,
            assignee=assignee,
            due_date=today + dt.timedelta(days=due),
        )
        others.append(other)
    return {"digest": digest, "officer": officer, "others": others}


def test_ministry_reads_digests_in_both_languages_and_works_the_queue(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any, sign_in: Any
) -> None:
    base = live_server_url
    data = seed()
    digest = data["digest"]
    words = [k["term"] for k in digest.content["keywords"]]
    assert {"자매도시", "교류"} <= set(words[:3])

    ko = new_page(width=1366, height=800)
    sign_in(ko, base, "mofa_officer")
    ko.goto(f"{base}/digests/{digest.pk}/")
    meta = ko.locator(".dg-meta")
    expect(meta).to_contain_text("(목)" if "(목)" in meta.inner_text() else ".(")
    expect(ko.locator("#section-keywords")).to_contain_text("자매도시")
    expect(ko.locator("#section-keywords")).to_contain_text("발언 21건")
    expect(ko.locator("#section-key_statements")).to_contain_text("[찬성]")
    expect(ko.get_by_test_id("answer-status")).to_have_text("미답변")
    expect(ko.locator("#section-floor")).to_have_count(0)
    assert "TF-IDF" not in ko.content()
    shot(ko, "digest-ko-1366")
    ko.screenshot(path=str(ARTIFACTS / "digest-ko-1366-top.png"))
    for key in ("keywords", "key_statements"):
        ko.locator(f"#section-{key}").screenshot(path=str(ARTIFACTS / f"digest-ko-{key}.png"))
    axe_check(ko, "digest (ko)")

    # A citation leads to the statement in the session record.
    ko.locator(".dg-source-list a").first.click()
    expect(ko.locator(".dg-record-item:target")).to_be_visible()
    expect(ko.locator(".dg-record-item:target .dg-stance")).to_be_visible()
    ko.go_back()
    # A keyword leads to the statements that use it.
    ko.locator("#section-keywords a", has_text="교환학생").first.click()
    expect(ko.locator(".dg-record-item")).to_have_count(8)
    axe_check(ko, "keyword statements")

    en = new_page(width=1366, height=800, locale="en-US")
    sign_in(en, base, "mofa_officer")
    en.goto(f"{base}/digests/{digest.pk}/")
    for heading in ("Participation", "Main keywords", "Key statements by stance"):
        expect(en.get_by_role("heading", name=heading)).to_be_visible()
    expect(en.locator(".dg-meta")).to_contain_text("Jeonbuk State")
    expect(en.locator("#section-key_statements")).to_contain_text("[For]")
    expect(en.locator("#section-participation")).to_contain_text("20s")
    shot(en, "digest-en-1366")
    en.screenshot(path=str(ARTIFACTS / "digest-en-1366-top.png"))
    en.locator("#section-key_statements").screenshot(path=str(ARTIFACTS / "digest-en-key.png"))
    axe_check(en, "digest (en)")

    # The inbox: statuses, officers, due dates, and the overdue queue.
    published = Digest.objects.filter(status="published").values_list("title", "disclosure")
    assert len(published) == 4, list(published)
    ko.goto(f"{base}/ministry/digests/")
    cards = ko.locator(".dg-card")
    expect(cards).to_have_count(4)
    expect(ko.locator(".dg-queues")).to_contain_text("기한 지남 2")
    expect(cards.filter(has_text="부산 항만 통상")).to_contain_text("답변 완료")
    shot(ko, "inbox-1366")
    ko.screenshot(path=str(ARTIFACTS / "inbox-1366-top.png"))
    axe_check(ko, "inbox")
    ko.locator("a[data-queue=overdue]").click()
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("기한 지남")
    ko.locator("a[data-queue=me]").click()
    expect(cards).to_have_count(2)
    shot(ko, "inbox-mine-1366")

    # The officer answers: the digest becomes answered and leaves the unanswered queue.
    ko.goto(f"{base}/digests/{digest.pk}/")
    ko.get_by_label("반영", exact=True).check()
    ko.get_by_label("답변 내용").fill("자매도시 청소년 교환학생 예산을 내년에 반영했습니다.")
    ko.get_by_role("button", name="답변 등록").last.click()
    expect(ko.get_by_test_id("answer-status")).to_have_text("답변 완료")
    ko.goto(f"{base}/ministry/municipalities/")
    expect(ko.locator("table")).to_contain_text("%")
    shot(ko, "municipalities-1366")
    axe_check(ko, "municipalities")

    phone = new_page(width=390)
    sign_in(phone, base, "mofa_officer")
    phone.goto(f"{base}/ministry/digests/")
    expect(phone.locator(".dg-card")).to_have_count(4)
    shot(phone, "inbox-390")
    axe_check(phone, "inbox (phone)")

    # The A4 print view keeps the disclosure level on every printed page.
    ko.goto(f"{base}/digests/{digest.pk}/print/")
    ko.emulate_media(media="print")
    for selector in ("header.dg-print-level", "footer.dg-print-level"):
        position = ko.locator(selector).evaluate("e => getComputedStyle(e).position")
        assert position == "fixed"
        expect(ko.locator(selector)).to_contain_text("공개 수준: 내부")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ko.pdf(path=str(ARTIFACTS / "digest-print-a4.pdf"), format="A4", print_background=True)
    for page in (ko, en, phone):
        assert page.madang_errors == []
    assert User.objects.filter(username="mofa_officer").exists()
