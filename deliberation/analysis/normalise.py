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

# Filler and function words that Okt tags as nouns but that say nothing about the topic.
STOP_WORDS: frozenset[str] = frozenset(
    """
    것 수 등 저희 우리 저 제 나 너 그 이 저것 이것 그것 거 게 데 때 중 점 듯 뭐 뭔가 무엇
    진짜 그냥 정말 너무 좀 조금 많이 아주 매우 약간 제일 가장 완전 엄청 되게 막 걍 넘
    이번 저번 지금 오늘 내일 어제 요즘 이제 그때 때문 경우 정도 부분 관련 대해 대한 위해
    통해 말씀 생각 얘기 이야기 내용 문제 사실 자체 의견 하나 모두 여러분 분 님 씨 들
    ㅋ ㅎ ㅠ ㅜ 음 아 어 네 예 응 안 못 더 또 및 즉 또한 혹시 만약 처음 다음 이후 이전
    여기 거기 저기 어디 누구 언제 왜 어떻게 무슨 어느 모든 각 전 후 위 아래 안녕 감사
    """.split()
)


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
    if len(term) < 2 or term in STOP_WORDS:
        return False
    if term.isdigit():
        return False
    # Bare jamo (ㅋㅋ, ㅠㅠ) are emotion, never a topic.
    return not all("\u3130" <= ch <= "\u318f" for ch in term)
