"""A closed session holding personal data of every kind, and its published digest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session as SignIn
from django.utils import timezone

from deliberation.agendas.models import Session
from deliberation.digests import jobs
from deliberation.digests import services as digest_services
from deliberation.digests.models import Digest, Notification
from deliberation.live.models import (
    DeviceBan,
    FloorTurn,
    HandRaise,
    Participant,
    Reaction,
    Report,
    RoomEvent,
    Statement,
)
from deliberation.live.selectors import statement_dict
from deliberation.people.models import Organisation, User
from deliberation.structured.models import (
    Ballot,
    BallotChoice,
    Poll,
    PollOption,
    PollVote,
    Proposal,
    Support,
    VoteConfig,
)
from tests import factories
from tests.browser.conftest import (  # noqa: F401 - a real Daphne, for the HTTP test
    _daphne_server,
    live_server_url,
)
from tests.live.conftest import (  # noqa: F401 - the live room's fixtures, used here too
    _close_worker_thread_connections,
    live_session,
    room,
    room_facilitator,
)

LONG_AGO = dt.timedelta(days=900)
OLD_DEVICE = "0ld0ld" + "a" * 26
RECENT_DEVICE = "recent" + "b" * 26


@dataclass
class Record:
    session: Session
    digest: Digest
    facilitator: User
    staff: User
    quick_old: User  # a quick-join identity last seen 900 days ago
    account_old: User  # a resident with an account, last used 900 days ago
    recent: User  # a quick-join identity seen today
    proposals: list[Proposal]


def _backdate(person: User, when: dt.datetime) -> None:
    User.objects.filter(pk=person.pk).update(date_joined=when, last_login=None)
    Participant.objects.filter(person=person).update(joined_at=when, last_seen=when)


@pytest.fixture
def inline_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Queued tasks (digest builds) run at once, on the test's thread."""
    monkeypatch.setattr(jobs, "enqueue", lambda task, *, run_after=None, **kw: task.call(**kw))


@pytest.fixture
def full_record(
    db: None, inline_jobs: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> Record:
    """A deliberation session with statements, proposals, votes, polls, support, reactions,
    reports, floor turns, hands, notifications and room events by three residents, and a
    digest built by the real builder, approved and published."""
    region = factories.OrganisationFactory(name="전주시", kind=Organisation.Kind.LOCAL)
    org = factories.OrganisationFactory(name="전북특별자치도")
    facilitator = factories.FacilitatorFactory(organisation=org)
    session = factories.SessionFactory(
        agenda__organisation=org, state=Session.State.CLOSED, kind=Session.Kind.DELIBERATION
    )
    quick_old = factories.ResidentFactory(nickname="옛날주민", region=region, age_band="30s")
    quick_old.set_unusable_password()
    quick_old.save()
    account_old = factories.ResidentFactory(nickname="계정주민", region=region)
    recent = factories.ResidentFactory(nickname="요즘주민", region=region)
    people = [quick_old, account_old, recent]
    texts = [
        "청년 해외 일자리 박람회를 도에서 매년 열어 주세요.",
        "자매도시 기업과 함께하는 해외 인턴십이 있으면 좋겠습니다.",
        "해외 일자리 정보를 한곳에서 볼 수 있으면 좋겠습니다.",
    ]
    # Two of them joined on a browser (device cookie): the old one's link is past its period.
    for person, device in ((quick_old, OLD_DEVICE), (recent, RECENT_DEVICE)):
        User.objects.filter(pk=person.pk).update(device_id=device)
        person.device_id = device
    statements = []
    for seq, (person, text) in enumerate(zip(people, texts, strict=True), start=1):
        Participant.objects.create(session=session, person=person, device_id=person.device_id)
        statement = Statement.objects.create(
            session=session,
            author=person,
            client_msg_id=f"m{seq}",
            text=text,
            stance="for",
            seq=seq,
        )
        statements.append(statement)
        RoomEvent.objects.create(
            session=session,
            seq=seq,
            type="statement.new",
            payload={"type": "statement.new", "statement": statement_dict(statement)},
        )
    Session.objects.filter(pk=session.pk).update(last_seq=len(statements))
    proposals = [
        Proposal.objects.create(session=session, author=quick_old, title="해외 인턴십 지원금"),
        Proposal.objects.create(session=session, author=recent, title="해외 일자리 정보 창구"),
    ]
    VoteConfig.objects.create(session=session, closed_at=timezone.now())
    for person in people:
        ballot = Ballot.objects.create(session=session, voter=person)
        BallotChoice.objects.create(ballot=ballot, proposal=proposals[0])
        Support.objects.create(proposal=proposals[0], person=person)
    poll = Poll.objects.create(
        session=session, question="박람회에 가 보겠습니까?", created_by=facilitator
    )
    yes = PollOption.objects.create(poll=poll, label="예", order=1)
    for person in people:
        PollVote.objects.create(poll=poll, person=person).options.add(yes)
    Reaction.objects.create(statement=statements[1], person=quick_old, kind="공감")
    Report.objects.create(
        statement=statements[2],
        reporter=quick_old,
        reason="주제와 무관",
        status=Report.Status.DISMISSED,
        resolved_by=facilitator,
        resolved_at=timezone.now() - LONG_AGO,
    )
    Report.objects.create(statement=statements[0], reporter=recent, reason="확인 필요")
    now = timezone.now()
    HandRaise.objects.create(session=session, person=quick_old, lowered_at=now)
    FloorTurn.objects.create(
        session=session, person=quick_old, started_at=now, ends_at=now, ended_at=now
    )
    for person in people:
        Notification.objects.create(user=person, title="외교부 답변이 도착했습니다")
    Notification.objects.filter(user=recent).update(created_at=now - LONG_AGO)
    Notification.objects.create(user=recent, title="새 답변")
    expired = SessionStore()
    expired.create()
    SignIn.objects.filter(session_key=expired.session_key).update(
        expire_date=now - dt.timedelta(days=2)
    )
    # django-axes' sign-in records: an old failure and an old sign-in, and a fresh failure
    # (axes itself drops attempts past the cool-off at the next sign-in; its logs stay).
    attempt = {"user_agent": "phone", "http_accept": "*/*", "path_info": "/signin/"}
    old_failure = AccessFailureLog.objects.create(
        username="admin", ip_address="10.0.0.9", **attempt
    )
    old_signin = AccessLog.objects.create(username="계정주민", ip_address="10.0.0.8", **attempt)
    AccessAttempt.objects.create(
        username="staff",
        ip_address="10.0.0.7",
        get_data="",
        post_data="",
        failures_since_start=1,
        **attempt,
    )
    month_ago = now - dt.timedelta(days=30)
    AccessFailureLog.objects.filter(pk=old_failure.pk).update(attempt_time=month_ago)
    AccessLog.objects.filter(pk=old_signin.pk).update(attempt_time=month_ago)
    # Two bans of a browser: one two years old (past its period), one from today.
    old_ban = DeviceBan.objects.create(session=session, device_id="d-old-ban", person=quick_old)
    DeviceBan.objects.filter(pk=old_ban.pk).update(created_at=now - dt.timedelta(days=730))
    DeviceBan.objects.create(session=session, device_id="d-new-ban", person=recent)

    from deliberation.analysis import api as analysis

    for statement in statements:
        analysis._record_pending("statement", statement.pk)
    analysis.analysis_drain()
    with django_capture_on_commit_callbacks(execute=True):
        digest = digest_services.digest_generate(actor=facilitator, session=session)
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.DONE, digest.generation_error
    digest_services.digest_approve(actor=facilitator, digest=digest)
    with django_capture_on_commit_callbacks(execute=True):
        digest_services.digest_publish(actor=facilitator, digest=digest)

    _backdate(quick_old, now - LONG_AGO)
    _backdate(account_old, now - LONG_AGO)
    return Record(
        session=session,
        digest=digest,
        facilitator=facilitator,
        staff=factories.MinistryStaffFactory(),
        quick_old=quick_old,
        account_old=account_old,
        recent=recent,
        proposals=proposals,
    )
