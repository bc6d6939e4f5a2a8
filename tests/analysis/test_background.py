"""Keywords against general Korean: a first session's keywords already name its subject."""

from __future__ import annotations

from deliberation.analysis.background import RARE, general_frequency
from deliberation.analysis.keywords import subject_keywords
from deliberation.analysis.normalise import is_keyword


def test_the_background_is_read_from_the_installed_package() -> None:
    assert general_frequency("사람") > general_frequency("청년") > general_frequency("박람회")
    assert general_frequency("자매도시") == RARE  # unknown: rare, never rarer than known words
    assert general_frequency("청년 박람회") == general_frequency("박람회")


def test_on_a_fresh_installation_the_subject_beats_everyday_words() -> None:
    # Everyday nouns (사람, 시간, 지원) as often as the subject's, and half as often.
    everyday = ["사람", "시간", "지원", "문제"]
    documents = [
        (i, [everyday[i % 4], *(["자매도시", "교류"] if i % 2 else ["지원"])]) for i in range(20)
    ]
    ranked = [
        k.term for k in subject_keywords(documents, document_frequency={}, total_documents=20)
    ]
    assert set(ranked[:2]) == {"자매도시", "교류"}
    assert ranked.index("교류") < ranked.index("지원")  # 지원 is in 15 statements, 교류 in 10


def test_other_sessions_lower_what_every_session_says() -> None:
    documents = [(i, ["지역", "자매도시"] if i < 3 else ["지역", "예산"]) for i in range(6)]
    df = {"지역": 1006, "자매도시": 3, "예산": 106}
    ranked = subject_keywords(documents, document_frequency=df, total_documents=1006)
    terms = [k.term for k in ranked]
    assert terms.index("자매도시") < terms.index("지역")
    assert ranked[0].count == 3 and ranked[0].document_ids == [0, 1, 2]


def test_function_words_adverbs_and_verb_stems_are_not_keywords() -> None:
    for word in ("처럼", "대하", "다만", "얼마", "제발", "가야", "올해", "듭니", "합니", "뽑나요",
                 "좋겠어요", "해야", "누가", "먼저"):  # fmt: skip
        assert not is_keyword(word), word
    for word in ("자매도시", "청소년", "교환학생", "예산", "박람회", "청년 일자리"):
        assert is_keyword(word), word
    assert not is_keyword("다만 예산")
