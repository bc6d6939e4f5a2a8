"""Digests on real Korean text: National Assembly bills read as residents' statements."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import orjson
import pytest
from django.utils import timezone

from deliberation.analysis.api import analysis_drain
from deliberation.analysis.digest import build_agenda_digest, build_session_digest
from deliberation.analysis.live import build_live_digest, forget_live_digest
from deliberation.people.models import User
from tests.analysis.conftest import KOBILL_SUBJECTS, kobill_sentences
from tests.analysis.helpers import add_statements, statement_model

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(statement_model() is None, reason="live.Statement is not installed"),
]

KOBILL_KEYWORDS = {
    "1809890.txt": {"육아휴직", "공무원"},
    "1809891.txt": {"육아휴직", "국가공무원"},
    "1809892.txt": {"육아휴직", "교육"},
    "1809893.txt": {"육아휴직", "근로자"},
    "1809894.txt": {"간호", "학위"},
    "1809895.txt": {"하도급", "사업자"},
    "1809896.txt": {"행정", "입법"},
    "1809897.txt": {"국군", "파견"},
    "1809898.txt": {"소말리아", "파견"},
    "1809899.txt": {"결혼", "중개"},
}


@pytest.fixture(autouse=True)
def _okt(settings: Any, okt: Any) -> None:
    settings.MADANG_ANALYZER = "okt"
    forget_live_digest()


@pytest.fixture
def residents(resident_factory, organisation_factory) -> list[User]:  # type: ignore[no-untyped-def]
    jeonju = organisation_factory(name="전주시", slug="jeonju")
    pohang = organisation_factory(name="포항시", slug="pohang")
    return [
        resident_factory(region=jeonju, age_band="20s"),
        resident_factory(region=jeonju, age_band="30s"),
        resident_factory(region=pohang, age_band=""),
        resident_factory(region=pohang, age_band="60p"),
    ]


def test_each_bills_digest_names_its_subject_and_cites_real_statements(
    session_factory, agenda, residents
) -> None:  # type: ignore[no-untyped-def]
    assert set(KOBILL_KEYWORDS) == set(KOBILL_SUBJECTS)
    sessions = {}
    statements = {}
    for name in KOBILL_KEYWORDS:
        session = session_factory(agenda=agenda, title=f"{name} 토론")
        sessions[name] = session
        statements[name] = add_statements(
            session,
            kobill_sentences(name),
            authors=residents,
            stances=["for", "against", "neutral", None],
            start=timezone.now() - dt.timedelta(hours=1),
        )
    assert analysis_drain() == sum(len(s) for s in statements.values())

    missing = {}
    for name, session in sessions.items():
        content = build_session_digest(session.pk)
        # A subject may come as a word or inside a noun phrase ("국군 부대").
        keywords = {w for k in content.keywords for w in k.term.split()}
        if not KOBILL_KEYWORDS[name] <= keywords:
            missing[name] = (KOBILL_KEYWORDS[name] - keywords, sorted(keywords))
        by_id = {s.pk: s for s in statements[name]}
        assert content.cited_statement_ids() <= set(by_id)
        lines = [line for group in content.key_statements for line in group.lines]
        assert lines, name
        for line in lines:
            assert line.citations[0].statement_id == line.statement_id
            for citation in line.citations:
                assert by_id[citation.statement_id].seq == citation.seq
            assert line.stance == (by_id[line.statement_id].stance or "")
        for keyword in content.keywords:
            assert keyword.statement_ids and set(keyword.statement_ids) <= set(by_id)
        assert content.analysed_statements == len(by_id) and content.pending_analysis == 0
    assert not missing, missing


def test_participation_counts_and_chart(session, residents, facilitator) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    add_statements(
        session,
        [f"자매도시 교류 {i}번째 의견입니다" for i in range(12)],
        authors=residents[:3],
        start=start,
        every=dt.timedelta(minutes=2),
    )
    add_statements(session, ["진행자 안내: 10분 뒤 마칩니다"], authors=[facilitator], start=start)
    analysis_drain()
    content = build_session_digest(session.pk)
    p = content.participation
    # The facilitator's statement counts as a statement, the facilitator not as a resident.
    assert (p.people, p.statements, p.proposals) == (3, 13, 0)
    assert {(r.label, r.count) for r in p.by_municipality} == {("전주시", 2), ("포항시", 1)}
    assert {r.key: r.count for r in p.by_age_band} == {"20s": 1, "30s": 1, "": 1}
    assert sum(b.statements for b in p.activity) == 13
    starts = [dt.datetime.fromisoformat(b.start) for b in p.activity]
    assert all(b - a == dt.timedelta(minutes=5) for a, b in itertools.pairwise(starts))
    assert p.activity_svg.startswith("<svg") and 'role="img"' in p.activity_svg
    assert "<title" in p.activity_svg and "<desc" in p.activity_svg
    assert p.activity_svg.count("<rect") == len(p.activity)


def test_hostile_markup_and_personal_data_never_reach_the_digest(session, residents) -> None:  # type: ignore[no-untyped-def]
    hostile = [
        '<img src=x onerror=alert(1)>국제교류 센터가 필요합니다 <script>alert("x")</script>',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">국제교류 예산</p></noscript>',
        "국제교류 담당자 연락처는 010-1234-5678, 이메일 kim.minsu@example.kr 입니다",
        "국제교류 신청서에 주민번호 900101-1234568 을 적으라고 해서 불편했어요",
        "=HYPERLINK(\"http://evil\") 국제교류 <a href='javascript:alert(1)'>링크</a>",
    ]
    add_statements(session, hostile, authors=residents)
    analysis_drain()
    content = build_session_digest(session.pk)
    text = orjson.dumps(content.to_dict()).decode()
    lines_text = " ".join(line.text for group in content.key_statements for line in group.lines)
    for bad in ["<img", "<script", "<a ", "onerror=alert", "javascript:alert" + "(1)'>"]:
        assert bad not in lines_text
    assert "<" not in lines_text and ">" not in lines_text
    for secret in ["010-1234-5678", "kim.minsu@example.kr", "900101-1234568", "1234568"]:
        assert secret not in text
    assert "국제교류" in {k.term for k in content.keywords} or any(
        "국제" in k.term for k in content.keywords
    )


def test_hidden_statements_stay_out(session, residents) -> None:  # type: ignore[no-untyped-def]
    _shown, hidden = add_statements(
        session, ["다문화 가족 지원이 필요합니다", "숨겨진 비방 발언 욕설"], authors=residents
    )
    model = statement_model()
    model.objects.filter(pk=hidden.pk).update(status="hidden")
    analysis_drain()
    content = build_session_digest(session.pk)
    assert content.participation.statements == 1
    assert hidden.pk not in content.cited_statement_ids()
    assert "비방" not in orjson.dumps(content.to_dict()).decode()
    live = build_live_digest(session.pk)
    assert live.participation.statements == 1
    assert all(k.term != "비방" for k in live.keywords)


def test_agenda_digest_spans_sessions(session_factory, agenda, residents) -> None:  # type: ignore[no-untyped-def]
    first = session_factory(agenda=agenda)
    second = session_factory(agenda=agenda)
    a = add_statements(first, ["유학생 유치 확대가 필요합니다"], authors=residents)
    b = add_statements(second, ["유학생 기숙사 지원을 늘려 주세요"], authors=residents)
    analysis_drain()
    content = build_agenda_digest(agenda.pk)
    assert content.participation.statements == 2
    assert {"유학생"} <= {k.term for k in content.keywords}
    (keyword,) = [k for k in content.keywords if k.term == "유학생"]
    assert set(keyword.statement_ids) == {a[0].pk, b[0].pk}


def test_live_digest_grows_as_statements_are_analysed(session, residents) -> None:  # type: ignore[no-untyped-def]
    add_statements(session, ["청년 해외 일자리 지원을 늘려 주세요"], authors=residents)
    assert build_live_digest(session.pk).participation.statements == 0  # not analysed yet
    assert build_live_digest(session.pk).pending_analysis == 1
    analysis_drain()
    first = build_live_digest(session.pk)
    assert first.participation.statements == 1 and first.pending_analysis == 0
    add_statements(
        session,
        ["청년 해외 취업 박람회를 열어 주세요", "해외 일자리 정보가 부족합니다"],
        authors=residents,
        stances=["for", "question"],
    )
    analysis_drain()
    second = build_live_digest(session.pk)
    assert second.participation.statements == 3
    assert second.participation.people == 2
    assert "해외" in {k.term for k in second.keywords}
    assert {r.key for r in second.stances} == {"", "for", "question"}
    assert {g.stance for g in second.key_statements} == {"", "for", "question"}
    for group in second.key_statements:
        for line in group.lines:
            assert line.citations[0].statement_id == line.statement_id
    data = orjson.loads(orjson.dumps(second.to_dict()))
    assert data["participation"]["statements"] == 3


def _structured() -> bool:
    from deliberation.analysis.sources import optional_model

    return optional_model("structured", "Proposal") is not None


@pytest.mark.skipif(not _structured(), reason="structured models are not installed")
def test_proposals_votes_polls_and_conclusion(session, residents, facilitator) -> None:  # type: ignore[no-untyped-def]
    from deliberation.structured import models as sm

    first = sm.Proposal.objects.create(
        session=session, author=residents[0], title="청년 해외 인턴십", body_html="<p>지원 확대</p>"
    )
    second = sm.Proposal.objects.create(
        session=session, author=residents[1], title="<b>자매도시</b> 교환학생", body_html=""
    )
    duplicate = sm.Proposal.objects.create(
        session=session,
        author=residents[2],
        title="해외 인턴십 지원",
        status=sm.Proposal.Status.MERGED,
        merged_into=first,
    )
    for person in residents[:3]:
        sm.Support.objects.create(proposal=first, person=person)
    sm.Support.objects.create(proposal=second, person=residents[3])
    sm.VoteConfig.objects.create(
        session=session, method=sm.VoteConfig.Method.RANKING, top_k=2, closed_at=timezone.now()
    )
    for person, order in [(residents[0], [first, second]), (residents[1], [second, first])]:
        ballot = sm.Ballot.objects.create(session=session, voter=person)
        for rank, proposal in enumerate(order, start=1):
            sm.BallotChoice.objects.create(ballot=ballot, proposal=proposal, rank=rank)
    ballot = sm.Ballot.objects.create(session=session, voter=residents[2])
    sm.BallotChoice.objects.create(ballot=ballot, proposal=first, rank=1)
    poll = sm.Poll.objects.create(
        session=session, question="다음 회의는 언제?", created_by=facilitator
    )
    morning = sm.PollOption.objects.create(poll=poll, label="오전", order=1)
    sm.PollOption.objects.create(poll=poll, label="저녁 <script>", order=2)
    vote = sm.PollVote.objects.create(poll=poll, person=residents[0])
    vote.options.add(morning)
    sm.WrapUp.objects.create(
        session=session,
        conclusion_html="<p>인턴십을 우선 추진하고 담당자 010-9876-5432 에게 문의</p>",
        author=facilitator,
    )

    content = build_session_digest(session.pk)
    assert content.participation.proposals == 2  # the merged one counts as the one it became
    assert [p.id for p in content.proposals] == [first.pk, second.pk]
    top = content.proposals[0]
    assert (top.supporters, top.merged_from, top.votes, top.points, top.rank) == (
        3,
        [duplicate.pk],
        3,
        2 + 1 + 2,
        1,
    )
    assert content.proposals[1].title == "자매도시 교환학생"
    assert (
        content.vote is not None and content.vote.method == "ranking" and content.vote.ballots == 3
    )
    (result,) = content.polls
    assert result.voters == 1
    assert [(o.label, o.count) for o in result.options] == [("오전", 1), ("저녁", 0)]
    assert content.conclusion is not None
    assert "인턴십을 우선 추진" in content.conclusion.text
    assert "9876" not in content.conclusion.text and "<p>" not in content.conclusion.text


def test_floor_and_moderation_summaries(session, residents, facilitator) -> None:  # type: ignore[no-untyped-def]
    from deliberation.live.models import FloorTurn, ModerationAction

    t0 = timezone.now() - dt.timedelta(minutes=20)
    for person, start, seconds in [
        (residents[0], 0, 120),
        (residents[1], 3, 90),
        (residents[0], 6, 60),
    ]:
        began = t0 + dt.timedelta(minutes=start)
        FloorTurn.objects.create(
            session=session,
            person=person,
            started_at=began,
            ends_at=began + dt.timedelta(seconds=120),
            ended_at=began + dt.timedelta(seconds=seconds),
        )
    for kind in ["hide", "hide", "mute", "floor_grant"]:
        ModerationAction.objects.create(session=session, actor=facilitator, kind=kind, reason="x")
    content = build_session_digest(session.pk)
    floor = content.floor
    assert (floor.speakers, floor.turns, floor.total_seconds) == (2, 3, 270)
    assert [(s.turns, s.seconds) for s in floor.by_speaker] == [(2, 180), (1, 90)]
    nicknames = {r.nickname for r in residents}
    assert not {s.label for s in floor.by_speaker} & nicknames
    assert content.moderation.total == 4
    assert content.moderation.by_kind[0].key == "hide" and content.moderation.by_kind[0].count == 2
    assert content.moderation.by_kind[0].label == "숨김"
