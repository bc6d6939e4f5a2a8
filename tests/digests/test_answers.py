"""The ministry's answers reach the residents who took part: session page and notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from deliberation.digests import selectors, services
from deliberation.digests.models import Digest, Notification
from deliberation.live.models import Participant

pytestmark = pytest.mark.django_db


def render_answers(user: Any, session: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "digests/session_answers.html" %}')
    return template.render(Context({"request": request, "session": session}))


def render_header(user: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template('{% include "digests/header_notifications.html" %}').render(
        Context({"request": request})
    )


@pytest.fixture
def answered(
    make_digest: Any, resident_factory: Any, ministry_staff_factory: Any
) -> dict[str, Any]:
    digest = make_digest(disclosure="internal")
    took_part = resident_factory()
    Participant.objects.create(session=digest.session, person=took_part)
    bystander = resident_factory()
    staff = ministry_staff_factory(clearance="internal")
    first = services.response_post(
        actor=staff, digest=digest, status="reviewing", text="검토하고 있습니다."
    )
    second = services.response_post(
        actor=staff, digest=digest, status="partly", text="예산 일부를 반영합니다.", proposal_id=501
    )
    later = services.response_post(
        actor=staff,
        digest=digest,
        status="adopted",
        text="내년 예산에 반영했습니다.",
        proposal_id=501,
    )
    return {
        "digest": digest,
        "resident": took_part,
        "bystander": bystander,
        "staff": staff,
        "responses": [first, second, later],
    }


def test_participants_get_one_notification_per_answer(answered: dict[str, Any]) -> None:
    resident = answered["resident"]
    notes = Notification.objects.filter(user=resident)
    assert notes.count() == 3
    assert all(n.read_at is None for n in notes)
    assert "해외 인턴십 지원금" in notes.first().title
    assert not Notification.objects.filter(user=answered["bystander"]).exists()
    assert not Notification.objects.filter(user=answered["staff"]).exists()


def test_history_is_kept_newest_first_per_target(answered: dict[str, Any]) -> None:
    threads = selectors.answer_threads(answered["digest"])
    assert [t.proposal_id for t in threads] == [None, 501]
    proposal = threads[1]
    assert proposal.current.status == "adopted" and proposal.about == "해외 인턴십 지원금"
    assert [r.status for r in proposal.history] == ["partly"]


def test_session_page_include_shows_answers_to_participants_only_for_internal(
    answered: dict[str, Any], facilitator_factory: Any
) -> None:
    session = answered["digest"].session
    html = render_answers(answered["resident"], session)
    assert "외교부 답변" in html and "내년 예산에 반영했습니다." in html and "반영" in html
    assert "예산 일부를 반영합니다." in html  # history
    assert "내년 예산" not in render_answers(answered["bystander"], session)
    assert "내년 예산" in render_answers(answered["staff"], session)


def test_public_digest_answers_are_shown_to_every_visitor(
    make_digest: Any, ministry_staff_factory: Any, resident_factory: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    digest = make_digest(disclosure="public")
    services.response_post(
        actor=ministry_staff_factory(),
        digest=digest,
        status="not_adopted",
        text="이번에는 반영하지 않습니다.",
    )
    assert "이번에는 반영하지 않습니다." in render_answers(AnonymousUser(), digest.session)
    assert "미반영" in render_answers(resident_factory(), digest.session)


def test_header_shows_unread_count_until_the_notifications_are_seen(
    answered: dict[str, Any], client: Any
) -> None:
    resident = answered["resident"]
    assert "3" in render_header(resident) and "새 알림" in render_header(resident)
    client.force_login(resident)
    page = client.get(reverse("digests:notifications")).content.decode()
    assert page.count("새 알림") >= 3 and "외교부가 답변했습니다" in page
    assert Notification.objects.filter(user=resident, read_at__isnull=True).count() == 0
    assert "새 알림" not in render_header(resident)
    other = answered["bystander"]
    client.force_login(other)
    assert (
        "외교부가 답변했습니다" not in client.get(reverse("digests:notifications")).content.decode()
    )


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    answered: dict[str, Any], client: Any
) -> None:
    resident = answered["resident"]
    note = Notification.objects.filter(user=resident).first()
    client.force_login(answered["bystander"])
    assert client.post(reverse("digests:notification_open", args=[note.pk])).status_code == 404
    client.force_login(resident)
    answer = client.post(reverse("digests:notification_open", args=[note.pk]))
    assert answer.status_code == 302 and answer["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None


def test_unpublished_digests_have_no_answers_on_the_session_page(
    make_digest: Any, resident_factory: Any
) -> None:
    digest = make_digest(Digest.Status.APPROVED)
    assert render_answers(resident_factory(), digest.session).strip() == ""
