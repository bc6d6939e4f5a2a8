"""The one seam between Madang and a Korean tagger.

Everything else talks to ``get_analyzer()`` and gets ``Analysis`` values back, so the
tagger is changed in one place: the ``MADANG_ANALYZER`` setting ("okt" by default,
"fallback" for machines without Java, or a dotted path to a class).

Okt tags each space-separated word on its own, so a word's tags can be kept: in memory
for the process's life, and in a ``WordTagStore`` (``deliberation.analysis.wordtags``,
a database table) across processes, keyed by the analyser's ``version``. Texts whose
words are all known are analysed without starting the JVM.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import itertools
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from .normalise import is_keyword, normalise_for_analysis


@dataclass(frozen=True)
class Analysis:
    """What one text says, as the tagger saw it: its nouns and noun phrases."""

    nouns: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)


# A word's tags: (token, part of speech) pairs, as Okt gives them for the word alone.
Tags = tuple[tuple[str, str], ...]


class WordTagStore(Protocol):
    """Where the tags of words outlive a process (``wordtags.DatabaseWordTags``)."""

    def load(self, version: str, words: Sequence[str]) -> dict[str, Tags]:
        """The stored tags of those ``words`` that the analyser ``version`` tagged."""
        ...

    def save(self, version: str, tags: Mapping[str, Tags]) -> None:
        """Keep the tags of freshly tagged words."""
        ...


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
    # Raise when what is kept of a word's tags changes (e.g. ``_split_subject``), so that
    # stored tags of the old rules are no longer used.
    RULES = 1

    def __init__(self) -> None:
        self._okt = None
        self._lock = threading.Lock()
        self._tags: dict[str, Tags] = {}

    def _tagger(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._okt is None:
                self._okt = self._start()
            return self._okt

    def _start(self):  # type: ignore[no-untyped-def]
        """Start the JVM and Okt (the one place that does)."""
        from konlpy.tag import Okt

        return Okt()

    @cached_property
    def version(self) -> str:
        """What the tags depend on, e.g. "okt/0.6.0/2.1.0/r1": KoNLPy's version, Okt's
        jar and these rules (found without starting the JVM)."""
        spec = importlib.util.find_spec("konlpy")
        jars: list[str] = []
        for location in (spec.submodule_search_locations or []) if spec else []:
            jars += sorted(
                p.name.removeprefix("open-korean-text-").removesuffix(".jar")
                for p in Path(location, "java").glob("open-korean-text-*.jar")
            )
        konlpy = importlib.metadata.version("konlpy") if spec else "none"
        version = f"okt/{konlpy}/{'+'.join(jars) or 'no-jar'}/r{self.RULES}"
        if len(version) > _VERSION_LENGTH:  # the width of TaggedWord.analyser
            version = "okt/" + hashlib.sha256(version.encode()).hexdigest()[:32]
        return version

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

    def analyse_by_words(
        self, texts: Sequence[str], *, store: WordTagStore | None = None
    ) -> list[Analysis]:
        """``analyse`` for many texts at once: each distinct word is tagged once.

        Okt tags each space-separated word on its own, so tagging the distinct words of
        all texts in one call (one word a line) and putting each text's tags back in
        order gives what ``analyse`` gives, at the cost of the vocabulary instead of the
        corpus. Tags are kept for the process's life (bounded) and, given a ``store``,
        across processes: the JVM starts only for words neither has seen.
        """
        words_of = [text.split() for text in texts]
        known, missing = self._look_up(itertools.chain.from_iterable(words_of), store)
        if missing:
            fresh = self.tag_words(missing)
            known.update(fresh)
            if store is not None:
                store.save(self.version, fresh)
        return [_from_tagged([pair for w in words for pair in known[w]]) for words in words_of]

    def unknown_words(
        self, words: Iterable[str], *, store: WordTagStore | None = None
    ) -> list[str]:
        """The distinct ``words`` whose tags are neither in memory nor in ``store``;
        those found in the store are kept in memory."""
        return self._look_up(words, store)[1]

    def _look_up(
        self, words: Iterable[str], store: WordTagStore | None
    ) -> tuple[dict[str, Tags], list[str]]:
        known: dict[str, Tags] = {}
        missing: list[str] = []
        tags = self._tags
        for word in dict.fromkeys(words):
            found = tags.get(word)
            if found is None:
                missing.append(word)
            else:
                known[word] = found
        if missing and store is not None:
            stored = store.load(self.version, missing)
            if stored:
                self._remember(stored)
                known.update(stored)
                missing = [w for w in missing if w not in stored]
        return known, missing

    def tag_words(self, words: Sequence[str]) -> dict[str, Tags]:
        """Tag ``words`` with Okt (starting it if need be), keep and return their tags."""
        fresh: dict[str, Tags] = {}
        for start in range(0, len(words), _WORDS_PER_CALL):
            fresh.update(self._tag_batch(words[start : start + _WORDS_PER_CALL]))
        self._remember(fresh)
        return fresh

    def _tag_batch(self, words: Sequence[str]) -> dict[str, Tags]:
        tagged = self._tagger().pos("\n".join(words))
        per_word: list[list[tuple[str, str]]] = [[]]
        for word, tag in tagged:
            if word == "\n":
                per_word.append([])
            else:
                per_word[-1].append((word, tag))
        if len(per_word) != len(words):  # the tagger split differently: one word at a time
            per_word = [list(self._tagger().pos(w)) for w in words]
        return {
            word: tuple((self._split_subject(w) if t == "Noun" else w, t) for w, t in tags)
            for word, tags in zip(words, per_word, strict=True)
        }

    def _remember(self, tags: Mapping[str, Tags]) -> None:
        if len(self._tags) + len(tags) > _WORD_CACHE_SIZE:
            self._tags.clear()
        self._tags.update(tags)

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
_VERSION_LENGTH = 40
_WORDS_PER_CALL = 2_000

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


def analyse_many(
    texts: Sequence[str],
    *,
    analyzer: Analyzer | None = None,
    store: WordTagStore | None = None,
) -> list[Analysis]:
    """Normalise and analyse many texts, tagging each distinct word once when the
    analyser can (Okt), and only the words ``store`` does not know yet; the path for
    whole registries of short documents."""
    return analyse_normalised(
        [normalise_for_analysis(t) for t in texts], analyzer=analyzer, store=store
    )


def analyse_normalised(
    texts: Sequence[str],
    *,
    analyzer: Analyzer | None = None,
    store: WordTagStore | None = None,
) -> list[Analysis]:
    """``analyse_many`` of texts already normalised (``normalise_for_analysis``)."""
    analyzer = analyzer or get_analyzer()
    by_words = getattr(analyzer, "analyse_by_words", None)
    if by_words is not None:
        result: list[Analysis] = by_words(texts, store=store)
        return result
    return analyzer.analyse(texts)


def analyse_texts(texts: Sequence[str], *, analyzer: Analyzer | None = None) -> list[Analysis]:
    """Normalise and analyse raw texts; the convenience path for tests and tools."""
    return (analyzer or get_analyzer()).analyse([normalise_for_analysis(t) for t in texts])
