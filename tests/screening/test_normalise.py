"""The normaliser undoes the spellings used to dodge filters, and leaves plain text alone."""

from __future__ import annotations

import pytest

from deliberation.screening import lexicon
from deliberation.screening.normalise import compose_jamo, normalise


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("시1발", "시발"),  # inserted digit
        ("씨@발", "씨발"),  # inserted symbol
        ("병.신", "병신"),
        ("개_새끼", "개새끼"),
        ("시 발 놈아", "시발 놈아"),  # spaces inside a word
        ("병 신 같 은 답변", "병신같은 답변"),
        ("ㅅㅣㅂㅏㄹ", "시발"),  # jamo split
        ("ㅂ ㅕ ㅇ ㅅ ㅣ ㄴ", "병신"),  # jamo split and spaced
        ("시ㅂㅏㄹ", "시발"),  # half split
        ("시I발", "시발"),  # look-alike Latin letter as filler
        ("ㅆl발", "씨발"),  # look-alike Latin letter as a vowel
        ("씨이이발", "씨발"),  # drawn out
        ("씨ㅣㅣㅣㅣ발", "씨발"),
        ("조오오온나", "존나"),
        ("똥남아에서 온", "똥남아에서 온"),  # a closed syllable keeps its ending
        ("시발발발발", "시발발"),  # repeated characters cut to two
        ("tlqkf 진짜", "시발 진짜"),  # typed in the Latin keyboard layout
        ("ＡＢＣ 씨８발", "abc 씨발"),  # full-width forms
    ],
)
def test_obfuscated_spellings_become_plain(typed: str, plain: str) -> None:
    assert normalise(typed) == plain


@pytest.mark.parametrize(
    "text",
    [
        "오후 3시 30분에 시청 앞에서 만나요",
        "자매도시 협약은 2024년에 체결했습니다.",
        "가, 나, 다 중에 하나를 고르세요",
        "ㅋㅋ 좋은 의견이네요",
        "ㅅㅂ",  # an abbreviation stays an abbreviation (the lexicon knows it)
        "청년 해외 일자리 예산이 30% 늘었습니다!",
    ],
)
def test_ordinary_text_keeps_its_meaning(text: str) -> None:
    assert normalise(text) == text.lower()


def test_jamo_compose_only_where_a_syllable_forms() -> None:
    assert compose_jamo("ㅎㅏㄴㄱㅡㄹ") == "한글"
    assert compose_jamo("ㄱㅘㄴ") == "관"  # compound vowel
    assert compose_jamo("ㅋㅋㅋ") == "ㅋㅋㅋ"
    assert compose_jamo("ㅠㅠ") == "ㅠㅠ"


@pytest.mark.parametrize(
    "typed", ["시1발", "씨@발", "ㅅㅣㅂㅏㄹ", "시 발", "ㅅㅂ", "tlqkf", "ㅆl발", "씨이이발"]
)
def test_every_spelling_meets_the_same_lexicon_entry(typed: str) -> None:
    assert [p.label for p in lexicon.matches(normalise(typed))] == ["시발"]


@pytest.mark.parametrize(
    "text",
    [
        "경제에 큰 영향을 미친다는 분석이 있습니다",
        "예산 확충이 필요합니다",
        "2025년 청년 정책의 시발점이 될 겁니다",
        "내년 예산안을 보충해 주세요",
    ],
)
def test_policy_language_triggers_no_lexicon_entry(text: str) -> None:
    assert lexicon.matches(normalise(text)) == []
