"""Preparing text for the tagger: repeats, length, stop words."""

from __future__ import annotations

from deliberation.analysis.analyzer import analyse_texts
from deliberation.analysis.normalise import (
    MAX_ANALYSED_CHARS,
    STOP_WORDS,
    collapse_repeats,
    is_keyword,
    normalise_for_analysis,
)


def test_laughter_and_exclamation_runs_are_cut_to_two() -> None:
    assert collapse_repeats("좋아요ㅋㅋㅋㅋㅋㅋㅋ!!!!!!") == "좋아요ㅋㅋ!!"
    assert collapse_repeats("와아아아아아 ㅠㅠㅠㅠ") == "와아아 ㅠㅠ"
    assert collapse_repeats("하하하하하하") == "하하"
    assert collapse_repeats("ㅋㅎㅋㅎㅋㅎㅋㅎ") == "ㅋㅎㅋㅎ"


def test_ordinary_text_is_unchanged() -> None:
    text = "지역 청년의 해외 일자리, 2026년 예산 100만 원"
    assert normalise_for_analysis(text) == text


def test_a_hundred_thousand_jamo_become_a_short_text() -> None:
    assert normalise_for_analysis("ㅋ" * 100_000) == "ㅋㅋ"
    assert normalise_for_analysis("ㄱㄴ" * 50_000) == "ㄱㄴㄱㄴ"


def test_very_long_input_is_capped_at_a_word_boundary() -> None:
    text = " ".join(f"청년{i}" for i in range(5_000))
    out = normalise_for_analysis(text)
    assert len(out) <= MAX_ANALYSED_CHARS
    assert out.split()[-1] in text.split()


def test_markup_is_not_analysed() -> None:
    assert normalise_for_analysis("<b>교류</b><script>x</script>") == "교류x"


def test_filler_words_are_stop_words() -> None:
    for word in ["것", "수", "등", "저희", "진짜", "그냥", "정말"]:
        assert word in STOP_WORDS
        assert not is_keyword(word)
    assert not is_keyword("ㅋㅋ")
    assert not is_keyword("2026")
    assert is_keyword("자매도시")


def test_okt_drops_filler_and_keeps_the_topic(okt) -> None:  # type: ignore[no-untyped-def]
    (analysis,) = analyse_texts(
        ["진짜 그냥 정말 저희 지역에 국제교류 센터가 필요한 것 같아요ㅋㅋㅋㅋㅋㅋ!!!!!"],
        analyzer=okt,
    )
    assert "센터" in analysis.nouns
    assert not {"진짜", "그냥", "정말", "저희", "것"} & set(analysis.nouns)
