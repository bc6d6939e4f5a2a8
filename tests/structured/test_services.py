"""Services of structured deliberation: phases, proposals, merging, vote rules, polls, close."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deliberation.agendas import services as agenda_services
from deliberation.agendas.models import Session
from deliberation.live.models import RoomEvent
from deliberation.structured import selectors, services
from deliberation.structured.models import (
    Ballot,
    BallotChoice,
    FrozenResults,
    Phase,
    PhaseKind,
    Poll,
    PollVote,
    Proposal,
    Support,
    VoteConfig,
)
from tests import factories

from .conftest import run_phase

pytestmark = pytest.mark.django_db


def _events(session: Session) -> list[str]:
    return list(RoomEvent.objects.filter(session=session).values_list("type", flat=True))


def _stored(session: Session) -> tuple[Any, ...]:
    """Everything structured stored for a session, to show a refusal changed nothing."""
    return (
        list(Phase.objects.filter(session=session).values()),
        list(Proposal.objects.filter(session=session).values()),
        list(Support.objects.filter(proposal__session=session).values("proposal", "person")),
        list(Ballot.objects.filter(session=session).values("voter")),
        list(BallotChoice.objects.filter(ballot__session=session).values()),
        list(Poll.objects.filter(session=session).values()),
        list(PollVote.objects.filter(poll__session=session).values("poll", "person")),
        list(VoteConfig.objects.filter(session=session).values()),
        Session.objects.get(pk=session.pk).last_seq,
    )


# --- phases ----------------------------------------------------------------------------


def test_a_new_deliberation_gets_the_default_phases(delib: Session) -> None:
    kinds = [p["kind"] for p in selectors.phases_list(delib.pk)]
    assert kinds == ["briefing", "discussion", "proposals", "vote", "wrap_up"]
    labels = [p["label"] for p in selectors.phases_list(delib.pk)]
    assert labels == ["안내·학습", "의견 나누기", "제안", "투표", "정리"]


def test_an_open_mic_session_gets_no_phases_until_it_becomes_a_deliberation(db: Any) -> None:
    session = factories.SessionFactory(kind=Session.Kind.OPEN_MIC)
    assert selectors.phases_list(session.pk) == []
    host = factories.FacilitatorFactory(organisation=session.agenda.organisation)
    agenda_services.session_update(actor=host, session=session, kind=Session.Kind.DELIBERATION)
    agenda_services.session_transition(actor=host, session=session, to_state=Session.State.LIVE)
    assert len(selectors.phases_list(session.pk)) == 5


def test_start_advance_extend_and_finish(delib: Session, host: Any) -> None:
    first = services.phase_start(actor=host, session=delib)
    assert first.kind == PhaseKind.BRIEFING
    assert first.ends_at - first.started_at == dt.timedelta(minutes=15)
    extended = services.phase_extend(actor=host, session=delib, seconds=120)
    assert extended.ends_at - extended.started_at == dt.timedelta(minutes=17)
    nxt = services.phase_advance(actor=host, session=delib)
    assert nxt is not None and nxt.kind == PhaseKind.DISCUSSION
    statuses = [p["status"] for p in selectors.phases_list(delib.pk)]
    assert statuses == ["done", "running", "pending", "pending", "pending"]
    # Jumping to the vote skips the proposals phase.
    vote = Phase.objects.get(session=delib, kind=PhaseKind.VOTE)
    services.phase_start(actor=host, session=delib, phase_id=vote.pk)
    statuses = [p["status"] for p in selectors.phases_list(delib.pk)]
    assert statuses == ["done", "done", "skipped", "running", "pending"]
    services.phase_advance(actor=host, session=delib)
    assert services.phase_advance(actor=host, session=delib) is None
    assert selectors.current_phase_kind(delib.pk) == "none"
    before = _stored(delib)
    with pytest.raises(ValidationError, match="더 진행할 단계가 없습니다"):
        services.phase_advance(actor=host, session=delib)
    assert _stored(delib) == before
    assert _events(delib).count("phase.changed") == 6


def test_phase_refusals_change_nothing(delib: Session, host: Any, residents: list[Any]) -> None:
    before = _stored(delib)
    with pytest.raises(ValidationError, match="진행 중인 단계가 없습니다"):
        services.phase_extend(actor=host, session=delib, seconds=60)
    with pytest.raises(PermissionDenied):
        services.phase_start(actor=residents[0], session=delib)
    services.phase_start(actor=host, session=delib)
    before = _stored(delib)
    for bad in (0, -5, 3601, "60", None, True):
        with pytest.raises(ValidationError):
            services.phase_extend(actor=host, session=delib, seconds=bad)  # type: ignore[arg-type]
    done = Phase.objects.get(session=delib, status="running")
    with pytest.raises(ValidationError, match="이미 시작했거나 끝난 단계"):
        services.phase_start(actor=host, session=delib, phase_id=done.pk)
    other = factories.SessionFactory(kind=Session.Kind.DELIBERATION)
    foreign = Phase.objects.filter(session=other).first()
    assert foreign is not None
    with pytest.raises(ValidationError, match="이 회의의 단계가 아닙니다"):
        services.phase_start(actor=host, session=delib, phase_id=foreign.pk)
    assert _stored(delib) == before


def test_the_facilitator_edits_the_list_before_and_while_running(delib: Session, host: Any) -> None:
    phases = selectors.phases_list(delib.pk)
    ids = [p["id"] for p in phases]
    # Before: drop the wrap-up, put discussion first, add a second discussion.
    services.phases_update(
        actor=host,
        session=delib,
        phases=[
            {"id": ids[1], "kind": "discussion", "minutes": 20},
            {"id": ids[0], "kind": "briefing", "minutes": 10},
            {"id": None, "kind": "discussion", "minutes": 5},
            {"id": ids[2], "kind": "proposals", "minutes": 20},
            {"id": ids[3], "kind": "vote", "minutes": 10},
        ],
    )
    kinds = [(p["kind"], p["planned_seconds"]) for p in selectors.phases_list(delib.pk)]
    assert kinds == [
        ("discussion", 1200),
        ("briefing", 600),
        ("discussion", 300),
        ("proposals", 1200),
        ("vote", 600),
    ]
    running = services.phase_start(actor=host, session=delib)
    # While running: shorten the running phase; its end moves with it.
    current = selectors.phases_list(delib.pk)
    plan = [
        {"id": p["id"], "kind": p["kind"], "minutes": p["planned_seconds"] // 60} for p in current
    ]
    plan[0]["minutes"] = 8
    services.phases_update(actor=host, session=delib, phases=plan)
    running.refresh_from_db()
    assert running.ends_at - running.started_at == dt.timedelta(minutes=8)
    before = _stored(delib)
    # A phase that ran cannot be removed, moved behind a pending one, or change its kind.
    refusals = [
        plan[1:],
        [plan[1], plan[0], *plan[2:]],
        [{**plan[0], "kind": "vote"}, *plan[1:]],
        [],
        [*plan, {"id": None, "kind": "chatting", "minutes": 5}],
        [*plan, {"id": None, "kind": "vote", "minutes": 0}],
        [*plan, plan[1]],
        [{"id": None, "kind": "vote", "minutes": 5}] * 13,
    ]
    for bad in refusals:
        with pytest.raises(ValidationError):
            services.phases_update(actor=host, session=delib, phases=bad)
    assert _stored(delib) == before


# --- proposals and merging -------------------------------------------------------------


def test_proposals_are_sanitised_masked_and_supported(
    delib: Session, host: Any, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.PROPOSALS)
    a, b, c, _d = residents
    p = services.proposal_create(
        actor=a,
        session=delib,
        title="청년 해외 인턴십 확대",
        body='<p onclick="x()">연락처 010-1234-5678 <script>alert(1)</script>'
        '<a href="javascript:alert(1)">링크</a></p>',
    )
    assert "<script" not in p.body_html and "onclick" not in p.body_html
    assert "javascript" not in p.body_html
    assert "010-1234-5678" not in p.body_html
    assert selectors.proposals_list(delib.pk)[0]["supporters"] == 1  # the author
    services.proposal_support(actor=b, session=delib, proposal_id=p.pk)
    services.proposal_support(actor=c, session=delib, proposal_id=p.pk)
    with pytest.raises(ValidationError, match="이미 지지한 제안"):
        services.proposal_support(actor=c, session=delib, proposal_id=p.pk)
    services.proposal_support(actor=c, session=delib, proposal_id=p.pk, supported=False)
    assert selectors.proposals_list(delib.pk)[0]["supporters"] == 2
    with pytest.raises(ValidationError, match="같은 제목의 제안을 이미 냈습니다"):
        services.proposal_create(actor=a, session=delib, title="청년 해외 인턴십 확대")
    for bad in ("", "   ", "\u200b", "가" * 121, None):
        with pytest.raises(ValidationError):
            services.proposal_create(actor=b, session=delib, title=bad)  # type: ignore[arg-type]
    assert Proposal.objects.filter(session=delib).count() == 1


def test_a_facilitator_edit_keeps_the_history(
    delib: Session, host: Any, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.PROPOSALS)
    p = services.proposal_create(
        actor=residents[0], session=delib, title="인턴쉽 늘리기", body="내용"
    )
    services.proposal_edit(
        actor=host,
        session=delib,
        proposal_id=p.pk,
        title="해외 인턴십 확대",
        body="<p>내용</p>",
        note="맞춤법",
    )
    p.refresh_from_db()
    assert p.title == "해외 인턴십 확대"
    revision = p.revisions.get()
    assert (revision.title, revision.editor, revision.note) == ("인턴쉽 늘리기", host, "맞춤법")
    assert selectors.proposals_list(delib.pk)[0]["edited"] is True
    with pytest.raises(ValidationError, match="바뀐 내용이 없습니다"):
        services.proposal_edit(
            actor=host,
            session=delib,
            proposal_id=p.pk,
            title="해외 인턴십 확대",
            body="<p>내용</p>",
        )
    with pytest.raises(PermissionDenied):
        services.proposal_edit(
            actor=residents[0], session=delib, proposal_id=p.pk, title="내 마음대로", body=""
        )
    assert p.revisions.count() == 1


def test_merging_carries_supporters_over_counting_each_person_once(
    delib: Session, host: Any, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.PROPOSALS)
    a, b, c, d = residents
    target = services.proposal_create(actor=a, session=delib, title="청년 해외 인턴십")
    dup1 = services.proposal_create(actor=b, session=delib, title="해외 인턴십 지원")
    dup2 = services.proposal_create(actor=c, session=delib, title="인턴십을 해외로")
    services.proposal_support(actor=b, session=delib, proposal_id=target.pk)  # b backs both
    services.proposal_support(actor=d, session=delib, proposal_id=dup1.pk)
    services.proposal_support(actor=d, session=delib, proposal_id=dup2.pk)  # d backs both dups
    services.proposal_merge(
        actor=host, session=delib, target_id=target.pk, source_ids=[dup1.pk, dup2.pk]
    )
    open_list = selectors.proposals_list(delib.pk)
    assert [p["id"] for p in open_list] == [target.pk]
    assert open_list[0]["supporters"] == 4  # a, b, c, d once each
    assert set(Support.objects.filter(proposal=target).values_list("person_id", flat=True)) == {
        a.pk,
        b.pk,
        c.pk,
        d.pk,
    }
    dup1.refresh_from_db()
    assert (dup1.status, dup1.merged_into_id) == ("merged", target.pk)
    assert "proposal.merged" in _events(delib)


def test_merge_refusals_change_nothing(delib: Session, host: Any, residents: list[Any]) -> None:
    run_phase(delib, PhaseKind.PROPOSALS)
    p1 = services.proposal_create(actor=residents[0], session=delib, title="하나")
    p2 = services.proposal_create(actor=residents[1], session=delib, title="둘")
    other = factories.SessionFactory(kind=Session.Kind.DELIBERATION, state=Session.State.LIVE)
    run_phase(other, PhaseKind.PROPOSALS)
    foreign = services.proposal_create(actor=residents[2], session=other, title="남의 것")
    before = _stored(delib)
    for target, sources in (
        (p1.pk, []),
        (p1.pk, [p1.pk]),
        (p1.pk, [p2.pk, p2.pk]),
        (p1.pk, [foreign.pk]),
        (foreign.pk, [p2.pk]),
        (p1.pk, "2"),
        (p1.pk, [99999]),
    ):
        with pytest.raises(ValidationError):
            services.proposal_merge(actor=host, session=delib, target_id=target, source_ids=sources)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.proposal_merge(
            actor=residents[0], session=delib, target_id=p1.pk, source_ids=[p2.pk]
        )
    assert _stored(delib) == before


# --- votes -----------------------------------------------------------------------------


@pytest.fixture
def ballot_box(delib: Session, host: Any, residents: list[Any]) -> list[Proposal]:
    run_phase(delib, PhaseKind.PROPOSALS)
    proposals = [
        services.proposal_create(actor=residents[i], session=delib, title=f"제안 {i + 1}")
        for i in range(3)
    ]
    services.vote_configure(actor=host, session=delib, method="ranking", top_k=2)
    run_phase(delib, PhaseKind.VOTE)
    return proposals


def test_ranked_vote_counts_borda_points_and_a_new_ballot_replaces_the_old(
    delib: Session, residents: list[Any], ballot_box: list[Proposal]
) -> None:
    p1, p2, p3 = ballot_box
    a, b, c, d = residents
    services.ballot_submit(actor=a, session=delib, proposal_ids=[p1.pk, p2.pk])
    services.ballot_submit(actor=b, session=delib, proposal_ids=[p2.pk, p1.pk])
    services.ballot_submit(actor=c, session=delib, proposal_ids=[p2.pk])
    services.ballot_submit(actor=d, session=delib, proposal_ids=[p3.pk, p1.pk])
    # d changes their mind: the old ballot is replaced, not added to.
    services.ballot_submit(actor=d, session=delib, proposal_ids=[p1.pk, p3.pk])
    assert Ballot.objects.filter(session=delib).count() == 4
    results = selectors.vote_results(delib.pk)
    assert [(r["proposal_id"], r["score"], r["place"]) for r in results] == [
        (p1.pk, 2 + 1 + 2, 1),
        (p2.pk, 1 + 2 + 2, 1),
        (p3.pk, 1, 3),
    ]
    assert selectors.my_ballot(delib.pk, d) == [p1.pk, p3.pk]


def test_ballot_refusals_are_clear_and_change_nothing(
    delib: Session, host: Any, residents: list[Any], ballot_box: list[Proposal]
) -> None:
    p1, p2, p3 = ballot_box
    a = residents[0]
    services.ballot_submit(actor=a, session=delib, proposal_ids=[p1.pk])
    other = factories.SessionFactory(kind=Session.Kind.DELIBERATION, state=Session.State.LIVE)
    run_phase(other, PhaseKind.PROPOSALS)
    foreign = services.proposal_create(actor=residents[1], session=other, title="남의 제안")
    before = _stored(delib)
    cases = [
        ([], "하나 이상"),
        ([p1.pk, p1.pk], "두 번"),
        ([p1.pk, p2.pk, p3.pk], "2위까지"),
        ([foreign.pk], "이 투표의 제안이 아닌"),
        ([123456], "이 투표의 제안이 아닌"),
        (["1"], "올바르지 않습니다"),
        ("1,2", "올바르지 않습니다"),
        ([True], "올바르지 않습니다"),
    ]
    for ids, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.ballot_submit(actor=a, session=delib, proposal_ids=ids)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.ballot_submit(actor=host, session=delib, proposal_ids=[p1.pk])
    assert _stored(delib) == before
    assert selectors.my_ballot(delib.pk, a) == [p1.pk]
    services.vote_close(actor=host, session=delib)
    before = _stored(delib)
    with pytest.raises(ValidationError, match="투표가 마감되었습니다"):
        services.ballot_submit(actor=a, session=delib, proposal_ids=[p2.pk])
    assert _stored(delib) == before


def test_the_vote_closes_with_its_phase_and_hidden_results_wait(
    delib: Session, host: Any, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.PROPOSALS)
    p = services.proposal_create(actor=residents[0], session=delib, title="첫 제안")
    twin = services.proposal_create(actor=residents[2], session=delib, title="닮은 제안")
    services.vote_configure(actor=host, session=delib, method="approval", hide_results=True)
    vote = Phase.objects.get(session=delib, kind=PhaseKind.VOTE)
    services.phase_start(actor=host, session=delib, phase_id=vote.pk)
    services.ballot_submit(actor=residents[1], session=delib, proposal_ids=[p.pk])
    assert not selectors.results_visible(delib.pk, residents[1])
    assert selectors.results_visible(delib.pk, host)
    tally = RoomEvent.objects.filter(session=delib, type="vote.tally").get()
    assert tally.payload["results"] is None and tally.payload["ballots"] == 1
    with pytest.raises(ValidationError, match="방식을 바꿀 수 없습니다"):
        services.vote_configure(actor=host, session=delib, method="ranking")
    with pytest.raises(ValidationError, match="합칠 수 없습니다"):
        services.proposal_merge(actor=host, session=delib, target_id=p.pk, source_ids=[twin.pk])
    services.phase_advance(actor=host, session=delib)
    assert VoteConfig.objects.get(session=delib).is_closed
    assert selectors.results_visible(delib.pk, residents[1])
    closed = RoomEvent.objects.filter(session=delib, type="vote.closed").get()
    assert closed.payload["results"][0]["votes"] == 1


# --- polls -----------------------------------------------------------------------------


def test_live_poll_single_and_multiple(delib: Session, host: Any, residents: list[Any]) -> None:
    poll = services.poll_create(
        actor=host,
        session=delib,
        question="오늘 회의는 어땠나요?",
        options=["좋았다", "보통", "아쉽다"],
    )
    opts = list(poll.options.values_list("pk", flat=True))
    services.poll_vote(actor=residents[0], session=delib, poll_id=poll.pk, option_ids=[opts[0]])
    services.poll_vote(actor=residents[1], session=delib, poll_id=poll.pk, option_ids=[opts[0]])
    services.poll_vote(actor=residents[1], session=delib, poll_id=poll.pk, option_ids=[opts[2]])
    assert selectors.poll_counts(poll.pk) == (
        2,
        {str(opts[0]): 1, str(opts[1]): 0, str(opts[2]): 1},
    )
    before = _stored(delib)
    for ids in ([], [opts[0], opts[1]], [opts[0], opts[0]], [999999], "x"):
        with pytest.raises(ValidationError):
            services.poll_vote(actor=residents[2], session=delib, poll_id=poll.pk, option_ids=ids)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.poll_vote(actor=host, session=delib, poll_id=poll.pk, option_ids=[opts[0]])
    assert _stored(delib) == before
    multi = services.poll_create(
        actor=host, session=delib, question="관심 분야", options=["일자리", "교류"], kind="multiple"
    )
    mopts = list(multi.options.values_list("pk", flat=True))
    services.poll_vote(actor=residents[2], session=delib, poll_id=multi.pk, option_ids=mopts)
    assert selectors.poll_counts(multi.pk) == (1, {str(mopts[0]): 1, str(mopts[1]): 1})
    # A foreign option (another poll's) is refused.
    with pytest.raises(ValidationError, match="선택지가 아닌"):
        services.poll_vote(
            actor=residents[3], session=delib, poll_id=multi.pk, option_ids=[opts[0]]
        )
    services.poll_close(actor=host, session=delib, poll_id=poll.pk)
    with pytest.raises(ValidationError, match="마감된 여론조사"):
        services.poll_vote(actor=residents[3], session=delib, poll_id=poll.pk, option_ids=[opts[1]])
    for question, options in (
        ("", ["a", "b"]),
        ("질문", ["하나"]),
        ("질문", ["a", "a"]),
        ("질문", ["a", ""]),
        ("질문", [str(i) for i in range(11)]),
    ):
        with pytest.raises(ValidationError):
            services.poll_create(actor=host, session=delib, question=question, options=options)


def test_polls_run_in_open_mic_sessions_too(db: Any) -> None:
    session = factories.SessionFactory(kind=Session.Kind.OPEN_MIC, state=Session.State.LIVE)
    host = factories.FacilitatorFactory(organisation=session.agenda.organisation)
    resident = factories.ResidentFactory()
    poll = services.poll_create(
        actor=host, session=session, question="찬반?", options=["찬성", "반대"]
    )
    option = poll.options.first()
    assert option is not None
    services.poll_vote(actor=resident, session=session, poll_id=poll.pk, option_ids=[option.pk])
    assert selectors.poll_counts(poll.pk)[0] == 1


# --- wrap-up and close -----------------------------------------------------------------


def test_close_freezes_ranking_polls_stances_and_conclusion(
    delib: Session, host: Any, residents: list[Any], ballot_box: list[Proposal]
) -> None:
    p1, p2, _p3 = ballot_box
    services.ballot_submit(actor=residents[0], session=delib, proposal_ids=[p2.pk, p1.pk])
    poll = services.poll_create(
        actor=host, session=delib, question="만족?", options=["예", "아니오"]
    )
    services.wrapup_set(actor=host, session=delib, conclusion="<p>인턴십 확대를 건의합니다.</p>")
    with pytest.raises(ValidationError):
        services.wrapup_set(actor=host, session=delib, conclusion="  ")
    agenda_services.session_transition(actor=host, session=delib, to_state=Session.State.CLOSED)
    frozen = FrozenResults.objects.get(session=delib).data
    assert frozen["vote"]["results"][0]["proposal_id"] == p2.pk
    assert frozen["vote"]["closed"] is True
    assert frozen["polls"][0]["status"] == "closed"
    assert frozen["conclusion_html"] == "<p>인턴십 확대를 건의합니다.</p>"
    assert set(frozen["stances"]) == {"for", "against", "neutral", "question"}
    poll.refresh_from_db()
    assert poll.status == "closed"
    assert _events(delib)[-1] == "results.frozen"
    # After the close nothing changes any more.
    before = _stored(delib)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.ballot_submit(actor=residents[1], session=delib, proposal_ids=[p1.pk])
    with pytest.raises(ValidationError):
        services.wrapup_set(actor=host, session=delib, conclusion="다시")
    with pytest.raises(ValidationError):
        services.phase_start(actor=host, session=delib)
    assert _stored(delib) == before
    # Later edits of the live data do not touch the frozen record.
    Proposal.objects.filter(pk=p2.pk).update(title="바뀐 제목")
    assert selectors.frozen_results(delib.pk)["vote"]["results"][0]["title"] == "제안 2"


def test_a_locked_or_paused_room_takes_no_participation(
    delib: Session, host: Any, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.PROPOSALS)
    Session.objects.filter(pk=delib.pk).update(locked=True)
    with pytest.raises(ValidationError, match="읽기 전용"):
        services.proposal_create(actor=residents[0], session=delib, title="잠긴 방")
    Session.objects.filter(pk=delib.pk).update(locked=False, state=Session.State.PAUSED)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.proposal_create(actor=residents[0], session=delib, title="멈춘 방")
    # The facilitator still runs the phases of a paused room.
    services.phase_advance(actor=host, session=delib)
    assert Proposal.objects.filter(session=delib).count() == 0


def test_the_session_page_include_shows_the_frozen_results(
    delib: Session, host: Any, residents: list[Any], ballot_box: list[Proposal]
) -> None:
    from django.template import Context, Template

    page = Template("{% load structured_tags %}{% structured_final_results session %}")
    assert page.render(Context({"session": delib})).strip() == ""  # nothing before the close
    p1, _p2, _p3 = ballot_box
    services.ballot_submit(actor=residents[0], session=delib, proposal_ids=[p1.pk])
    poll = services.poll_create(
        actor=host, session=delib, question="유익했나요?", options=["예", "아니오"]
    )
    option = poll.options.first()
    assert option is not None
    services.poll_vote(actor=residents[1], session=delib, poll_id=poll.pk, option_ids=[option.pk])
    services.wrapup_set(
        actor=host, session=delib, conclusion="<p>결론입니다.<script>x</script></p>"
    )
    agenda_services.session_transition(actor=host, session=delib, to_state=Session.State.CLOSED)
    html = page.render(Context({"session": delib}))
    assert "최종 결과" in html and "제안 1" in html and "유익했나요?" in html
    assert "<p>결론입니다.x</p>" in html and "<script" not in html
    view = selectors.final_results_view(delib.pk)
    assert view is not None and view["polls"][0]["options"][0]["percent"] == 100


def test_the_session_page_shows_the_frozen_results_after_the_close(
    delib: Session, host: Any, residents: list[Any], ballot_box: list[Proposal], client: Any
) -> None:
    p1, _p2, _p3 = ballot_box
    services.ballot_submit(actor=residents[0], session=delib, proposal_ids=[p1.pk])
    services.wrapup_set(actor=host, session=delib, conclusion="<p>청년 센터를 늘립니다.</p>")
    url = f"/sessions/{delib.pk}/"
    assert "최종 결과" not in client.get(url).content.decode()
    agenda_services.session_transition(actor=host, session=delib, to_state=Session.State.CLOSED)
    page = client.get(url).content.decode()
    assert "최종 결과" in page and "제안 1" in page and "청년 센터를 늘립니다." in page


def test_a_merged_proposal_stays_readable_and_its_author_hears_of_it(
    delib: Session, host: Any, residents: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[tuple[int, str]] = []
    monkeypatch.setattr(
        services, "notify_person", lambda sid, uid, notice="": told.append((uid, notice))
    )
    run_phase(delib, PhaseKind.PROPOSALS)
    a, b = residents[0], residents[1]
    target = services.proposal_create(actor=a, session=delib, title="청년 해외 인턴십")
    dup = services.proposal_create(
        actor=b, session=delib, title="해외 인턴십 지원", body="지자체가 항공권을 지원합니다."
    )
    services.proposal_merge(actor=host, session=delib, target_id=target.pk, source_ids=[dup.pk])
    [kept] = selectors.proposals_list(delib.pk)
    assert [(m["title"], m["author"]) for m in kept["merged_from"]] == [
        ("해외 인턴십 지원", b.display_name)
    ]
    assert "항공권을 지원합니다" in kept["merged_from"][0]["body_html"]
    assert [uid for uid, _notice in told] == [b.pk]
    assert "해외 인턴십 지원" in told[0][1] and "청년 해외 인턴십" in told[0][1]
