"""The digest content type: JSON round trip, and text fit to leave the room."""

from __future__ import annotations

import orjson

from deliberation.analysis.content import (
    ActivityBin,
    Citation,
    Conclusion,
    CountRow,
    DigestContent,
    Keyword,
    Participation,
    StanceGroup,
    SummaryLine,
    VoteSummary,
)
from deliberation.analysis.digest import clean_for_digest


def _content() -> DigestContent:
    return DigestContent(
        scope="session",
        agenda_id=1,
        session_ids=[3],
        title="자유발언대",
        agenda_title="청년 일자리",
        municipality="전북특별자치도",
        topic="youth_jobs",
        disclosure="public",
        period_start="2026-11-25T14:00:00+09:00",
        period_end=None,
        generated_at="2026-11-25T15:00:00+09:00",
        participation=Participation(
            people=2,
            statements=3,
            by_municipality=[CountRow("전주시", "전주시", 2)],
            activity=[ActivityBin("2026-11-25T14:00:00+09:00", "14:00", 3)],
        ),
        keywords=[Keyword("교류", 1.5, 2, [10, 11])],
        key_statements=[
            StanceGroup(
                "for",
                "찬성",
                2,
                [
                    SummaryLine(
                        "교류를 늘려요", "for", 10, 4, 0.5, [Citation(10, 4), Citation(11, 5)]
                    )
                ],
            )
        ],
        vote=VoteSummary("approval", True, 5),
        conclusion=Conclusion("결론"),
    )


def test_round_trip_through_json() -> None:
    content = _content()
    again = DigestContent.from_dict(orjson.loads(content.to_json()))
    assert again == content
    assert isinstance(again.key_statements[0].lines[0].citations[1], Citation)
    assert again.cited_statement_ids() == {10, 11}


def test_korean_stays_readable_in_json() -> None:
    assert "전북특별자치도".encode() in _content().to_json()


def test_markup_is_stripped_and_cannot_come_back() -> None:
    hostile = "<img src=x onerror=alert(1)>교류<script>alert(1)</script> &lt;b&gt;굵게 a < b"
    out = clean_for_digest(hostile)
    assert "<" not in out and ">" not in out
    assert "onerror" not in out or "<img" not in out
    assert "교류" in out


def test_personal_data_is_masked() -> None:
    out = clean_for_digest(
        "연락은 010-1234-5678, hong@example.com 으로. 주민번호 ９００１０１－１２３４５６８"
    )
    assert "1234-5678" not in out
    assert "hong@example.com" not in out
    assert "１２３４５６８" not in out


def test_long_lines_are_shortened() -> None:
    assert len(clean_for_digest("가" * 1000, limit=100)) == 100
