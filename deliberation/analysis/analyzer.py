"""The one seam between Madang and a Korean tagger.

Everything else talks to ``get_analyzer()`` and gets ``Analysis`` values back, so the
tagger is changed in one place: the ``MADANG_ANALYZER`` setting ("okt" by default,
"fallback" for machines without Java, or a dotted path to a class).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from .normalise import is_keyword, normalise_for_analysis


@dataclass(frozen=True)
class Analysis:
    """What one text says, as the tagger saw it: its nouns and noun phrases."""

    nouns: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)


@runtime_checkable
class Analyzer(Protocol):
    name: str

    def analyse(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse normalised texts, one ``Analysis`` per text, in order."""
        ...


def _keep(terms: list[str]) -> list[str]:
    return [t for t in terms if is_keyword(t)]


class OktAnalyzer:
    """KoNLPy's Okt (open-korean-text) on the JVM: the default analyser.

    The JVM starts on first use in the calling process; only the analysis worker
    process should call it (a JVM does not survive fork).
    """

    name = "okt"

    def __init__(self) -> None:
        self._okt = None
        self._lock = threading.Lock()
        self._tags: dict[str, tuple[tuple[str, str], ...]] = {}

    def _tagger(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._okt is None:
                from konlpy.tag import Okt

                self._okt = Okt()
            return self._okt

    def load(self) -> None:
        """Start the JVM and load Okt's dictionaries (they load on the first text)."""
        self._tagger().pos("국민외교")

    def warm_up(self) -> None:
        """Start the JVM, load the dictionaries and let the JIT see some real text."""
        self.analyse(_WARM_UP_TEXTS * 10)

    def analyse(self, texts: Sequence[str]) -> list[Analysis]:
        okt = self._tagger()
        results = []
        for text in texts:
            if not text.strip():
                results.append(Analysis())
                continue
            # One tagging pass per text: nouns, and noun phrases as runs of nouns.
            tagged = [(self._split_subject(w) if t == "Noun" else w, t) for w, t in okt.pos(text)]
            results.append(_from_tagged(tagged))
        return results

    def analyse_by_words(self, texts: Sequence[str]) -> list[Analysis]:
        """``analyse`` for many texts at once: each distinct word is tagged once.

        Okt tags each space-separated word on its own, so tagging the distinct words of
        all texts in one call (one word a line) and putting each text's tags back in
        order gives what ``analyse`` gives, at the cost of the vocabulary instead of the
        corpus. Tags stay cached for the process's life (bounded).
        """
        words_of = [text.split() for text in texts]
        missing = list(dict.fromkeys(w for words in words_of for w in words if w not in self._tags))
        for start in range(0, len(missing), 2_000):
            self._tag_words(missing[start : start + 2_000])
        results = []
        for words in words_of:
            tagged = [pair for w in words for pair in self._tags.get(w, ())]
            tagged = [(self._split_subject(w) if t == "Noun" else w, t) for w, t in tagged]
            results.append(_from_tagged(tagged))
        return results

    def _tag_words(self, words: list[str]) -> None:
        tagged = self._tagger().pos("\n".join(words))
        per_word: list[list[tuple[str, str]]] = [[]]
        for word, tag in tagged:
            if word == "\n":
                per_word.append([])
            else:
                per_word[-1].append((word, tag))
        if len(per_word) != len(words):  # the tagger split differently: one word at a time
            per_word = [list(self._tagger().pos(w)) for w in words]
        if len(self._tags) + len(words) > _WORD_CACHE_SIZE:
            self._tags.clear()
        for word, tags in zip(words, per_word, strict=True):
            self._tags[word] = tuple(tags)

    def _split_subject(self, word: str) -> str:
        """Okt's dictionary holds some nouns glued to the subject particle ("지원이", a
        given name): when the word without its final 이 is a noun on its own, use that."""
        if len(word) < 3 or not word.endswith("이"):
            return word
        return word[:-1] if self._is_noun(word[:-1]) else word

    @lru_cache(maxsize=20_000)  # noqa: B019 - one analyser per process, kept for its life
    def _is_noun(self, word: str) -> bool:
        tagged = self._tagger().pos(word)
        return len(tagged) == 1 and tagged[0][1] == "Noun"


def _from_tagged(tagged: Sequence[tuple[str, str]]) -> Analysis:
    nouns: list[str] = []
    phrases: list[str] = []
    run: list[str] = []
    for word, tag in [*tagged, ("", "End")]:
        if tag == "Noun":
            nouns.append(word)
            run.append(word)
            continue
        if len(run) >= 2:
            kept = [w for w in run if is_keyword(w)]
            phrases.extend(f"{a} {b}" for a, b in itertools.pairwise(kept))
            if 3 <= len(kept) <= 4:
                phrases.append(" ".join(kept))
        run = []
    return Analysis(nouns=_keep(nouns), phrases=phrases)


_WORD_CACHE_SIZE = 500_000

_WARM_UP_TEXTS = [
    "국민외교 마당에 오신 것을 환영합니다.",
    "지역 청년들이 해외 일자리를 얻을 수 있도록 지원해야 합니다.",
    "자매도시와의 교류 프로그램을 더 늘렸으면 좋겠어요!",
    "지방대학 국제교류 예산이 부족해서 유학생 유치가 어렵습니다.",
    "외국인 주민을 위한 다문화 지원센터가 필요합니다ㅋㅋ",
]


# Longest particles first so "에서는" is cut before "는".
_JOSA = sorted(
    """이 가 은 는 을 를 의 에 에서 에게 께 께서 로 으로 와 과 도 만 까지 부터 보다 처럼
    에서는 에는 으로는 로는 이나 나 이며 며 이고 고 이다 입니다 이라 라 이란 란 들 들이 들은
    들을 들의 에도 에서도 과의 와의 이라는 라는 하고 하는 하여 해서 하며 한 할 함 합니다
    했습니다 해야 되는 된 될 되어 됩니다 적 적인 적으로""".split(),
    key=len,
    reverse=True,
)
# Words ending like a verb or adjective are not nouns; the fallback drops them.
_VERBAL_ENDINGS = tuple(
    """니다 어요 아요 여요 해요 세요 도록 해야 하는 하고 하면 하여 있는 없는 같은 된다 한다 했다
    었다 았다 는데 지만 으면 려고 려면 겠다 습니다 ㅂ니다 을까 ㄹ까 었고 았고 있도록 있어 없어
    얻을 있을 없을 좋겠""".split()
)
_HANGUL_WORD = re.compile(r"[가-힣]{2,}|[A-Za-z][A-Za-z0-9]+")


class FallbackAnalyzer:
    """Pure-Python stand-in for machines without Java: strips common particles.

    It is much cruder than Okt (no dictionary, no tagging) and exists only so that
    Madang still runs where a JVM cannot; choose it with MADANG_ANALYZER=fallback.
    """

    name = "fallback"

    def _stem(self, word: str) -> str:
        for josa in _JOSA:
            if word.endswith(josa) and len(word) - len(josa) >= 2:
                return word[: -len(josa)]
        return word

    def analyse(self, texts: Sequence[str]) -> list[Analysis]:
        results = []
        for text in texts:
            words = [
                self._stem(w) for w in _HANGUL_WORD.findall(text) if not w.endswith(_VERBAL_ENDINGS)
            ]
            nouns = _keep(words)
            phrases = _keep([f"{a} {b}" for a, b in itertools.pairwise(nouns)])
            results.append(Analysis(nouns=nouns, phrases=phrases))
        return results


ANALYZERS = {"okt": OktAnalyzer, "fallback": FallbackAnalyzer}


@lru_cache(maxsize=4)
def _build(name: str) -> Analyzer:
    cls: Any = ANALYZERS.get(name) or import_string(name)
    analyzer: Analyzer = cls()
    return analyzer


def get_analyzer(name: str | None = None) -> Analyzer:
    """The configured analyser (one instance per process)."""
    return _build(name or getattr(settings, "MADANG_ANALYZER", "okt"))


def analyse_many(texts: Sequence[str], *, analyzer: Analyzer | None = None) -> list[Analysis]:
    """Normalise and analyse many texts, tagging each distinct word once when the
    analyser can (Okt); the path for whole registries of short documents."""
    analyzer = analyzer or get_analyzer()
    normalised = [normalise_for_analysis(t) for t in texts]
    by_words = getattr(analyzer, "analyse_by_words", None)
    if by_words is not None:
        result: list[Analysis] = by_words(normalised)
        return result
    return analyzer.analyse(normalised)


def analyse_texts(texts: Sequence[str], *, analyzer: Analyzer | None = None) -> list[Analysis]:
    """Normalise and analyse raw texts; the convenience path for tests and tools."""
    return (analyzer or get_analyzer()).analyse([normalise_for_analysis(t) for t in texts])
