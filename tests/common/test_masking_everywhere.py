"""Masking applies to every text a person writes, facilitators included."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from deliberation.agendas import services as agenda_services
from deliberation.agendas.models import Session
from deliberation.live import services as live_services
from deliberation.live.models import Report
from deliberation.people.models import Organisation
from deliberation.people.services import resident_join
from deliberation.structured import services as structured
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = "010.1234.5678"
MAIL = "kim(at)example.com"


def test_report_reasons_are_masked() -> None:
    session = factories.SessionFactory(state=Session.State.LIVE)
    author, reporter = factories.ResidentFactory(), factories.ResidentFactory()
    posted = live_services.statement_post(
        actor=author, session_id=session.pk, client_msg_id="m", text="의견입니다"
    )
    live_services.report_create(
        actor=reporter,
        session_id=session.pk,
        statement_id=posted.statement_id,
        reason=f"이 사람 번호 {PHONE} 입니다",
    )
    reason = Report.objects.get().reason
    assert "[전화번호 가림]" in reason and "5678" not in reason


def test_poll_questions_and_options_written_by_facilitators_are_masked() -> None:
    session = factories.SessionFactory(state=Session.State.LIVE)
    host = factories.FacilitatorFactory(organisation=session.agenda.organisation)
    poll = structured.poll_create(
        actor=host,
        session=session,
        question=f"문의는 {MAIL} 로 하시겠어요?",
        options=[f"전화 {PHONE}", "메일"],
    )
    assert "[이메일 가림]" in poll.question and "example" not in poll.question
    labels = list(poll.options.values_list("label", flat=True))
    assert labels[0] == "전화 [전화번호 가림]"


def test_agenda_descriptions_are_masked() -> None:
    org = factories.OrganisationFactory()
    host = factories.FacilitatorFactory(organisation=org)
    agenda = agenda_services.agenda_create(
        actor=host,
        organisation=org,
        title="청년 교류",
        description=f"<p>담당 주무관 연락처 {PHONE}, 메일 {MAIL}</p>",
    )
    assert "5678" not in agenda.description_html and "example" not in agenda.description_html
    agenda_services.agenda_update(
        actor=host, agenda=agenda, description="<p>주민번호 900101ㅡ1234568</p>"
    )
    agenda.refresh_from_db()
    assert "1234568" not in agenda.description_html


def test_a_nickname_holding_personal_data_is_refused() -> None:
    region = factories.OrganisationFactory(kind=Organisation.Kind.LOCAL)
    with pytest.raises(ValidationError, match="개인정보"):
        resident_join(nickname="010_1234_5678", region=region)
