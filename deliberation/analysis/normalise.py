"""Preparing resident text for the tagger: collapse repeats, cap length, drop filler.

Runs of one character (ㅋㅋㅋㅋ, ㅠㅠㅠ, !!!!, 와아아아) carry tone, not content, and
long runs of jamo are known to stall some taggers, so every run longer than two is cut
to two before analysis. Inputs are capped so one pasted essay costs what a statement
costs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from deliberation.common.sanitize import strip_all_markup

MAX_ANALYSED_CHARS = 2_000
_REPEAT = re.compile(r"(.)\1{2,}", re.DOTALL)
# Repeated short units such as "하하하하" or "ㅋㅎㅋㅎㅋㅎ" (two-character cycles).
_REPEAT_PAIR = re.compile(r"(..)\1{2,}", re.DOTALL)
_SPACES = re.compile(r"\s+")

# Words that Okt tags as nouns but that say nothing about the topic: pronouns, bound
# nouns, adverbs, time and quantity words, and verb forms Okt misreads as nouns
# ("가야 합니다" -> 가야, "대하여" -> 대하, "적게 듭니다" -> 듭니).
STOP_WORDS: frozenset[str] = frozenset(
    """
    것 수 등 저희 우리 저 제 나 너 그 이 저것 이것 그것 거 게 데 때 중 점 듯 뭐 뭔가 무엇
    진짜 그냥 정말 너무 좀 조금 많이 아주 매우 약간 제일 가장 완전 엄청 되게 막 걍 넘
    이번 저번 지금 오늘 내일 어제 요즘 이제 그때 때문 경우 정도 부분 관련 대해 대한 위해
    통해 말씀 생각 얘기 이야기 내용 문제 사실 자체 의견 하나 모두 여러분 분 님 씨 들
    ㅋ ㅎ ㅠ ㅜ 음 아 어 네 예 응 안 못 더 또 및 즉 또한 혹시 만약 처음 다음 이후 이전
    여기 거기 저기 어디 누구 언제 왜 어떻게 무슨 어느 모든 각 전 후 위 아래 안녕 감사
    다만 얼마 얼마나 제발 처럼 대하 대하여 대해서 관해 관한 인해 인한 위한 통한 따라 따른
    가야 해야 되야 와야 봐야 줘야 이면 가면 내면 하면 되면 보면 오면 듭니 합니 됩니 입니
    습니 갑니 옵니 봅니 하나요 있나요 없나요 되나요 누가 먼저 다시 실제 편이 번갈아 계속
    올해 내년 작년 매년 올해도 금년 요번 당장 나중 앞으로 최근 항상 자주 가끔 별로 전혀
    모두들 서로 각자 자기 자신 본인 누군가 무엇 아무 그런 이런 저런 어떤 여러 모든 전부
    대부분 일부 거의 워낙 오히려 역시 물론 아마 가령 예컨대 특히 우선 일단 결국 이미 아직
    이상 이하 미만 정말로 사실상 부탁 끼리 씩 쯤 만큼 뿐 대로 중이 이게 그게 저게 이건 그건
    여러가지 가지 번 개 명 곳 채 동안 사이 가운데 경우엔 때문 덕분 탓 정도로
    """.split()
)
# Endings of verbs and adjectives (and of verb forms Okt leaves whole): a "noun" ending
# in one of them is a misread verb ("뽑나요", "좋겠어요", "해야지").
_VERB_ENDINGS = (
    "니다", "나요", "까요", "세요", "어요", "아요", "해요", "예요", "에요", "죠", "해야",
    "어야", "아야", "는데", "지만", "려고", "면서", "하게", "해서", "하고", "겠", "습니",
)  # fmt: skip
_B_FINAL = 17  # jongseong index of ㅂ: "듭니", "합니" are ㅂ니다 endings cut short


def _verb_form(term: str) -> bool:
    if term.endswith(_VERB_ENDINGS):
        return True
    if len(term) >= 2 and term[-1] == "니" and "가" <= term[-2] <= "힣":
        return (ord(term[-2]) - 0xAC00) % 28 == _B_FINAL
    return False


def collapse_repeats(text: str) -> str:
    """Cut every run of a repeated character (or two-character unit) to two."""
    text = _REPEAT.sub(r"\1\1", text)
    return _REPEAT_PAIR.sub(r"\1\1", text)


def normalise_for_analysis(text: str, *, limit: int = MAX_ANALYSED_CHARS) -> str:
    """Plain, NFC, repeat-collapsed, whitespace-folded text of at most ``limit`` chars."""
    text = text or ""
    if "<" in text or "&" in text:  # bleach only when there can be markup to strip
        text = strip_all_markup(text)
    text = unicodedata.normalize("NFC", text)
    text = collapse_repeats(text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        text = text[: cut if cut > limit // 2 else limit]
    return text


@lru_cache(maxsize=100_000)
def is_keyword(term: str) -> bool:
    """Whether a tagged noun or phrase may count as a keyword."""
    term = term.strip()
    if " " in term:  # a noun phrase: every word of it must be a keyword
        return all(is_keyword(w) for w in term.split())
    if len(term) < 2 or term in STOP_WORDS or _verb_form(term):
        return False
    if term.isdigit():
        return False
    # Bare jamo (ㅋㅋ, ㅠㅠ) are emotion, never a topic.
    return not all("\u3130" <= ch <= "\u318f" for ch in term)
