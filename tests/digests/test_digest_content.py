"""What a digest says: when the session ran, counts after merges and hiding, the right
sections for the kind of session, official dates, citations and English readers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from deliberation.agendas.models import Session, SessionTransition
from deliberation.analysis.api import analysis_drain
from deliberation.digests import exports, services
from deliberation.digests.document import digest_document, official_date
from deliberation.digests.models import Digest
from deliberation.live.models import FloorTurn, ModerationAction, Statement
from deliberation.structured.models import Proposal, VoteConfig

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
OPENED = dt.datetime(2026, 12, 3, 14, 0, tzinfo=SEOUL)
CLOSED = dt.datetime(2026, 12, 3, 15, 10, tzinfo=SEOUL)
SCHEDULED = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SEOUL)
TEXTS = [
    ("for", "자매도시 청소년 교환학생 프로그램을 다시 열어 주세요."),
    ("against", "교류 예산이 얼마나 드는지 먼저 공개해야 합니다."),
    ("for", "자매도시 청소년 캠프를 여름방학마다 열면 좋겠습니다."),
    ("question", "교환학생 선발 기준은 무엇인가요?"),
    ("for", "자매도시 축제에 농산물 홍보 부스를 내면 좋겠습니다."),
]


@pytest.fixture(autouse=True)
def _fallback_analyser(settings: Any) -> None:
    settings.MADANG_ANALYZER = "fallback"


def held_session(
    session_factory: Any, resident_factory: Any, organisation_factory: Any, *, kind: str
) -> tuple[Session, list[Statement]]:
    jeonbuk = organisation_factory(name="전북특별자치도", name_en="Jeonbuk State", slug="jb")
    session = session_factory(
        kind=kind, state="closed", starts_at=SCHEDULED, agenda__organisation=jeonbuk
    )
    people = [
        resident_factory(region=jeonbuk, nickname="바다", age_band="20s"),
        resident_factory(region=jeonbuk, nickname="하늘", age_band=""),
    ]
    statements = [
        Statement.objects.create(
            session=session,
            author=people[i % 2],
            client_msg_id=f"c{i}",
            text=text,
            stance=stance,
            seq=i + 1,
        )
        for i, (stance, text) in enumerate(TEXTS)
    ]
    for i, statement in enumerate(statements):
        Statement.objects.filter(pk=statement.pk).update(
            created_at=OPENED + dt.timedelta(minutes=5 * i + 1)
        )
    for to_state, at in (("live", OPENED), ("closed", CLOSED)):
        row = SessionTransition.objects.create(session=session, from_state="x", to_state=to_state)
        SessionTransition.objects.filter(pk=row.pk).update(at=at)
    return session, statements


def build(session: Session, facilitator_factory: Any, capture: Any) -> Digest:
    from deliberation.analysis import api as analysis

    for statement in Statement.objects.filter(session=session):
        analysis._record_pending("statement", statement.pk)
    analysis_drain()
    actor = facilitator_factory(organisation=session.agenda.organisation)
    with capture(execute=True):
        digest = services.digest_generate(actor=actor, session=session)
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.DONE, digest.generation_error
    digest.test_facilitator = actor  # type: ignore[attr-defined]
    return digest


@pytest.fixture
def open_mic(
    session_factory: Any,
    resident_factory: Any,
    organisation_factory: Any,
    facilitator_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> Digest:
    session, statements = held_session(
        session_factory, resident_factory, organisation_factory, kind="open_mic"
    )
    hidden = statements[-1]
    Statement.objects.filter(pk=hidden.pk).update(status="hidden")
    FloorTurn.objects.create(
        session=session,
        person=hidden.author,
        started_at=OPENED,
        ends_at=OPENED + dt.timedelta(minutes=2),
        ended_at=OPENED + dt.timedelta(minutes=2),
    )
    ModerationAction.objects.create(session=session, kind="hide")
    return build(session, facilitator_factory, django_capture_on_commit_callbacks)


@pytest.fixture
def deliberation(
    session_factory: Any,
    resident_factory: Any,
    organisation_factory: Any,
    facilitator_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> Digest:
    session, statements = held_session(
        session_factory, resident_factory, organisation_factory, kind="deliberation"
    )
    author = statements[0].author
    kept = Proposal.objects.create(session=session, author=author, title="청소년 교환학생 확대")
    Proposal.objects.create(session=session, author=author, title="자매도시 축제 부스")
    Proposal.objects.create(
        session=session, author=author, title="교환학생 늘리기", status="merged", merged_into=kept
    )
    VoteConfig.objects.create(session=session, method="approval")
    return build(session, facilitator_factory, django_capture_on_commit_callbacks)


def test_dates_are_when_the_session_ran_and_was_sent(open_mic: Digest) -> None:
    assert open_mic.held_at == OPENED
    services.digest_approve(actor=open_mic.test_facilitator, digest=open_mic)  # type: ignore[attr-defined]
    services.digest_publish(actor=open_mic.test_facilitator, digest=open_mic)  # type: ignore[attr-defined]
    open_mic.refresh_from_db()
    meta = dict(digest_document(open_mic).meta)
    assert meta["회의 일시"] == "2026. 12. 3.(목) 14:00–15:10"
    assert meta["전달 일시"] == official_date(open_mic.published_at)
    assert "12. 6." not in str(meta)
    hwpx = zipfile.ZipFile(io.BytesIO(exports.to_hwpx(open_mic, [])))
    assert "2026. 12. 3.(목) 14:00–15:10" in hwpx.read("Contents/section0.xml").decode()


def test_official_dates() -> None:
    moment = dt.datetime(2026, 12, 3, 5, 30, tzinfo=dt.UTC)
    assert official_date(moment) == "2026. 12. 3.(목) 14:30"
    assert official_date(moment, with_time=False) == "2026. 12. 3.(목)"
    with translation.override("en"):
        assert official_date(moment) == "Thu 3 Dec 2026, 14:30"


def test_hidden_statements_are_not_counted_or_quoted(open_mic: Digest) -> None:
    assert open_mic.statement_count == len(TEXTS) - 1
    quoted = [line["text"] for g in open_mic.content["key_statements"] for line in g["lines"]]
    assert TEXTS[-1][1] not in quoted


def test_merged_proposals_count_once(deliberation: Digest) -> None:
    assert deliberation.content["participation"]["proposals"] == 2
    assert deliberation.proposal_count == 2
    assert len(deliberation.content["proposals"]) == 2
    assert dict(digest_document(deliberation).meta)["제안"] == "2"


def test_each_kind_shows_its_own_sections_and_none_empty(
    open_mic: Digest, deliberation: Digest
) -> None:
    open_keys = [s.key for s in digest_document(open_mic).sections]
    assert "floor" in open_keys and "moderation" in open_keys
    assert not {"proposals", "vote", "conclusion"} & set(open_keys)
    deliberation_keys = [s.key for s in digest_document(deliberation).sections]
    assert "proposals" in deliberation_keys and "vote" in deliberation_keys
    # No floor turns and no moderation in the deliberation: no empty "0 / 0 / 0" sections.
    assert not {"floor", "moderation", "polls"} & set(deliberation_keys)
    assert "제안" not in dict(digest_document(open_mic).meta)


def test_english_readers_get_english_headings_and_labels(deliberation: Digest) -> None:
    with translation.override("en"):
        doc = digest_document(deliberation)
    titles = [s.title for s in doc.sections]
    assert titles[:3] == ["Participation", "Main keywords", "Key statements by stance"]
    meta = dict(doc.meta)
    assert meta["Municipality"] == "Jeonbuk State"
    assert meta["Session date"] == "Thu 3 Dec 2026, 14:00–15:10"
    key_lines = next(s for s in doc.sections if s.key == "key_statements").lines
    assert {line.text.split("]")[0] + "]" for line in key_lines} <= {
        "[For]",
        "[Against]",
        "[Question]",
    }
    participation = next(s for s in doc.sections if s.key == "participation")
    cells = {c for t in participation.tables for row in t.rows for c in row}
    assert {"20s", "No answer", "Jeonbuk State"} <= cells
    vote = next(s for s in doc.sections if s.key == "vote").tables[0].rows[0]
    assert vote[0] == "Approval vote (choose any)" and vote[2] == "No"
    for section in doc.sections:
        assert not any("\uac00" <= ch <= "\ud7a3" for ch in section.title)
        for table in section.tables:
            assert not any("\uac00" <= ch <= "\ud7a3" for h in table.headers for ch in h)


def test_citations_show_who_when_and_stance_and_link_to_the_record(
    open_mic: Digest, client: Any
) -> None:
    client.force_login(open_mic.test_facilitator)  # type: ignore[attr-defined]
    page = client.get(reverse("digests:digest_detail", args=[open_mic.pk])).content.decode()
    first = Statement.objects.get(session=open_mic.session, seq=1)
    record_link = reverse("digests:session_record", args=[open_mic.session_id]) + f"#s-{first.pk}"
    assert record_link in page
    assert "바다 · 14:01" in page and "2026. 12. 3.(목) 14:01" in page and "찬성" in page
    assert "TF-IDF" not in page and "점수" not in page
    record = client.get(reverse("digests:session_record", args=[open_mic.session_id]))
    html = record.content.decode()
    assert f'id="s-{first.pk}"' in html and TEXTS[0][1] in html and "바다" in html
    assert TEXTS[-1][1] not in html  # the hidden statement is not in the record


def test_keywords_are_words_with_counts_linked_to_their_statements(
    open_mic: Digest, client: Any
) -> None:
    from urllib.parse import quote

    keyword = next(k for k in open_mic.content["keywords"] if "자매도시" in k["term"])
    assert keyword["count"] == 2  # the third use was hidden
    assert "score" not in open_mic.keywords[0]
    client.force_login(open_mic.test_facilitator)  # type: ignore[attr-defined]
    page = client.get(reverse("digests:digest_detail", args=[open_mic.pk])).content.decode()
    link = reverse("digests:digest_statements", args=[open_mic.pk])
    link += "?keyword=" + quote(keyword["term"])
    assert link in page and "발언 2건" in page
    listed = client.get(link).content.decode()
    assert TEXTS[0][1] in listed and TEXTS[2][1] in listed and TEXTS[1][1] not in listed
