"""TF-IDF against the corpus, compared with raw counts."""

from __future__ import annotations

from collections import Counter

from deliberation.analysis.keywords import idf, raw_count_keywords, tfidf_keywords


def _corpus() -> tuple[list[tuple[int, list[str]]], Counter[str], int]:
    # This session: "지역" in every statement, "자매도시" in fewer.
    session = [
        (1, ["지역", "자매도시", "교류"]),
        (2, ["지역", "자매도시"]),
        (3, ["지역", "예산"]),
        (4, ["지역", "청년"]),
        (5, ["지역", "자매도시", "지역"]),
    ]
    # The rest of Madang: "지역" is everywhere, "자매도시" nowhere else.
    others = [(100 + i, ["지역", "사업", f"주제{i % 7}"]) for i in range(200)]
    df: Counter[str] = Counter()
    for _, nouns in session + others:
        df.update(set(nouns))
    return session, df, len(session) + len(others)


def test_raw_counts_put_the_everywhere_word_first() -> None:
    session, _, _ = _corpus()
    assert raw_count_keywords(session)[0].term == "지역"


def test_tfidf_puts_what_this_session_is_about_first() -> None:
    session, df, total = _corpus()
    ranked = tfidf_keywords(session, document_frequency=df, total_documents=total)
    terms = [k.term for k in ranked]
    assert terms[0] == "자매도시"
    assert terms.index("자매도시") < terms.index("지역")
    top = ranked[0]
    assert top.count == 3
    assert top.document_ids == [1, 2, 5]


def test_one_resident_repeating_a_word_counts_once_per_statement() -> None:
    ranked = tfidf_keywords(
        [(1, ["홍보"] * 50), (2, ["교류"]), (3, ["교류"])],
        document_frequency={"홍보": 1, "교류": 2},
        total_documents=3,
    )
    assert next(k.term for k in ranked) == "교류"


def test_stop_words_never_become_keywords() -> None:
    ranked = tfidf_keywords(
        [(1, ["것", "진짜", "교류"]), (2, ["것", "그냥", "교류"])],
        document_frequency={},
        total_documents=2,
    )
    assert [k.term for k in ranked] == ["교류"]


def test_idf_is_positive_and_falls_with_frequency() -> None:
    assert idf(1, 1000) > idf(500, 1000) > 0
    assert idf(1000, 1000) > 0
