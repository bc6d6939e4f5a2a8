"""Words and patterns that make a statement look hateful or insulting, for two uses.

The classifier gets one feature per group below (how often its patterns occur in the
normalised text), and the facilitator sees which patterns matched, so a flag says why.
Patterns are matched on ``normalise``'s output, so ``시1발``, ``ㅅㅣㅂㅏㄹ`` and ``씨@발``
all meet the one pattern for 시발. The lists are short on purpose: the model learns the
rest from its data; these are the spellings built to dodge it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    group: str
    label: str
    regex: re.Pattern[str]


def _patterns(group: str, words: dict[str, str]) -> list[Pattern]:
    return [Pattern(group, label, re.compile(rx)) for label, rx in words.items()]


# Profanity and insults aimed at a person (the data's "offensive").
PROFANITY = _patterns(
    "profanity",
    {
        "시발": (
            r"[시씨쉬쒸싀][발빨벌뻘](?!점)|[시씨]팔|씨바|시바[ㄹ알새]|ㅅㅂ|ㅆㅂ|ㅅㅃ|c발"
            r"|씹[새년놈할]"
        ),
        "병신": r"[병븅빙]신|ㅂㅅ|ㅄ|병1신",
        "개새끼": r"개?[새섀쌔]끼|개쉑|개색|ㄱㅅㄲ|ㅅㄲ",
        "좆": r"좆|졷|ㅈ같|좃같|조까",
        "존나": r"[존졸좃]나|ㅈㄴ|졸라|존내",
        "지랄": r"지랄|ㅈㄹ|g랄",
        "미친": r"미친[놈년새것]|ㅁㅊ|미췬|또라이|돌아이|정신병자",
        "꺼져": r"꺼져|꺼지라|ㄲㅈ|닥쳐|닥치|ㄷㅊ|입\s?닥",
        "놈·년": r"[이그저미친썅개쌍]\s?[놈년]|년놈|놈들|잡놈|쓰레기|버러지|찐따|쪼다",
        "염병": r"염병|엠병|육갑",
        "패드립": r"니\s?애미|니\s?애비|느금",
    },
)

# Slurs against a group: gender, region, origin, age, religion, disability (the
# data's "hate").
GROUP_SLURS = _patterns(
    "group",
    {
        "성별 비하": r"한남|김치녀|된장녀|메갈|페미[년충]|보[슬빨]|꼴페미|한녀",
        "지역 비하": r"홍어|전라디언|멍청도|경상디언|개쌍도",
        "출신 비하": r"짱[깨께개]|쪽[바빠]리|똥남아|흑형|깜둥|조선족놈|떼놈|왜놈",
        "나이 비하": r"틀딱|노인네|꼰대|잼민",
        "혐오 접미": r"(?:맘|급식|틀딱|한남|한녀|일베|진지|설명|개저씨|좌좀|수꼴|흙수저)충|벌레",
        "장애 비하": r"장애인새|귀머거리|벙어리|절름발이",
    },
)

ALL_PATTERNS: list[Pattern] = PROFANITY + GROUP_SLURS
GROUPS = ("profanity", "group")


def matches(normalised: str) -> list[Pattern]:
    """The patterns that occur in an already normalised text, in list order."""
    return [p for p in ALL_PATTERNS if p.regex.search(normalised)]


def group_counts(normalised: str) -> list[int]:
    """How many distinct patterns of each group occur (the classifier's lexicon features)."""
    found = matches(normalised)
    return [sum(1 for p in found if p.group == g) for g in GROUPS]
