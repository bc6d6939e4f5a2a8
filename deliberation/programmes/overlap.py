"""The overlap engine: which short Korean documents say the same thing.

One engine serves programmes (유사·중복사업), proposals in a deliberation and past agendas.
A document is a title and a body. Each is described twice:

- by the project's analyser (``deliberation.analysis``): nouns and noun phrases, so that
  reworded texts and texts in another word order meet on what they are about;
- by character 2- and 3-grams of every word, so spelling and spacing variants
  (페스티벌/페스티발, 워킹홀리데이/워킹 홀리데이) still meet.

Both are weighted by TF-IDF over the documents compared, with the title's terms counted
twice and the words every programme in this field uses (지역, 사업, 지원, 국민외교 ...)
weighted down, then L2-normalised and joined so that a score is
``TERM_SHARE * cos(terms) + (1 - TERM_SHARE) * cos(n-grams)``, in [0, 1] (a document
not analysed yet is compared by its n-grams alone).
Similarities are sparse matrix products taken a block of rows at a time, so 10,000
documents never need a 10,000 x 10,000 matrix in memory.

A match is explained by the terms both documents share, heaviest first, and by the
pairs of words that differ only in spelling.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse

from deliberation.analysis.analyzer import Analysis, Analyzer, analyse_many, get_analyzer
from deliberation.analysis.normalise import normalise_for_analysis

# Words (and the phrases Okt builds from them) that nearly every people's-diplomacy
# programme uses: they may add to a score, never make one.
GENERIC_TERMS: frozenset[str] = frozenset(
    """
    지역 사업 지원 국민외교 국민 외교 프로그램 운영 추진 활성화 강화 확대 참여 개최 계획
    협력 기반 조성 교류 활동 행사 대상 제공 실시 시행 기관 분야 과정 확산 제고 도모 위
    국민 외교 지원 사업 지역 사업 국제 교류 국제교류
    """.split()
) | frozenset({"국민 외교", "지원 사업", "지역 사업", "국제 교류", "교류 협력", "사업 추진"})
GENERIC_WEIGHT = 0.2
TITLE_REPEAT = 2
TERM_SHARE = 0.6
NGRAM_SIZES = (2, 3)
# A term or n-gram in more than this share of a large collection says nearly nothing
# (its IDF weight is close to the floor) and costs most in the similarity product.
NGRAM_MAX_DF_SHARE = 0.05
NGRAM_MAX_DF_FLOOR = 50
ROW_BLOCK = 512

_WORD = re.compile(r"[0-9A-Za-z가-힣]+")


@dataclass(frozen=True)
class Document:
    """What the engine compares: a key, a title and a body (plain text)."""

    key: Hashable
    title: str
    body: str = ""
    group: Hashable = None  # pairs inside one group (an organisation) can be skipped


@dataclass(frozen=True)
class Features:
    """A document's analysed terms and character n-grams (counts)."""

    terms: Counter[str]
    ngrams: Counter[str]
    words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Match:
    key: Hashable
    score: float
    shared_terms: list[str] = field(default_factory=list)
    variants: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Pair:
    a: Hashable
    b: Hashable
    score: float
    shared_terms: list[str] = field(default_factory=list)
    variants: list[tuple[str, str]] = field(default_factory=list)


def terms_of(analysis: Analysis) -> list[str]:
    """A document part's terms: its nouns and its noun phrases."""
    return [*analysis.nouns, *analysis.phrases]


def word_ngrams(text: str) -> Counter[str]:
    """Character 2- and 3-grams of each word (a word shorter than 3 counts whole)."""
    grams: list[str] = []
    for word in _WORD.findall(text.lower()):
        grams.extend(_grams_of(word))
    return Counter(grams)


@lru_cache(maxsize=200_000)
def _grams_of(word: str) -> tuple[str, ...]:
    if len(word) < 2:
        return ()
    return tuple(
        word[i : i + n] for n in NGRAM_SIZES if len(word) >= n for i in range(len(word) - n + 1)
    )


def features_from_terms(
    title_terms: Sequence[str], body_terms: Sequence[str], text: str
) -> Features:
    """Features from terms already analysed (stored analyses) and the raw text."""
    return _features(title_terms, body_terms, word_ngrams(text))


def _features(
    title_terms: Sequence[str], body_terms: Sequence[str], ngrams: Counter[str]
) -> Features:
    terms: Counter[str] = Counter()
    for _ in range(TITLE_REPEAT):
        terms.update(title_terms)
    terms.update(body_terms)
    words = frozenset(t for t in terms if " " not in t and len(t) >= 3)
    return Features(terms=terms, ngrams=ngrams, words=words)


def analyse_documents(
    documents: Sequence[Document], *, analyzer: Analyzer | None = None
) -> list[tuple[list[str], list[str]]]:
    """(title terms, body terms) of every document, from the project's analyser."""
    texts: list[str] = []
    for doc in documents:
        texts.extend([doc.title, doc.body])
    analyses = analyse_many(texts, analyzer=analyzer)
    return [
        (terms_of(analyses[2 * i]), terms_of(analyses[2 * i + 1])) for i in range(len(documents))
    ]


def featurise(
    documents: Sequence[Document],
    *,
    analysed: Sequence[tuple[Sequence[str], Sequence[str]] | None] | None = None,
    analyzer: Analyzer | None = None,
    starting: threading.Thread | None = None,
) -> list[Features]:
    """Features of every document; ``analysed`` gives stored terms (None: analyse now).
    ``starting``: the thread of ``start_analyzer``, waited for before tagging."""
    given: list[tuple[Sequence[str], Sequence[str]] | None] = (
        list(analysed) if analysed is not None else [None] * len(documents)
    )
    # The n-grams first: they need no tagger, so a tagger starting in the background
    # (``start_analyzer``) gets this time for free.
    ngrams = [
        word_ngrams(normalise_for_analysis(f"{doc.title}\n{doc.body}", limit=20_000))
        for doc in documents
    ]
    missing = [i for i, a in enumerate(given) if a is None]
    if starting is not None:
        starting.join()
    if missing:
        fresh = analyse_documents([documents[i] for i in missing], analyzer=analyzer)
        for i, fresh_terms in zip(missing, fresh, strict=True):
            given[i] = fresh_terms
    result = []
    for terms, grams in zip(given, ngrams, strict=True):
        assert terms is not None
        result.append(_features(terms[0], terms[1], grams))
    return result


def start_analyzer(analyzer: Analyzer | None = None) -> threading.Thread:
    """Start the analyser (Okt's JVM and dictionaries) on a background thread, so that
    reading a file and counting n-grams happen meanwhile; its results are unchanged."""
    chosen = analyzer or get_analyzer()
    load = getattr(chosen, "load", None)
    thread = threading.Thread(
        target=load if load is not None else (lambda: None),
        name="analyser-start",
        daemon=True,
    )
    thread.start()
    return thread


def _weight_matrix(
    counts: Sequence[Counter[str]], *, max_df: int | None = None
) -> tuple[sparse.csr_matrix, list[str]]:
    """Rows of L2-normalised TF-IDF weights, generic terms damped; and the vocabulary."""
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    vocab = [t for t, n in df.items() if max_df is None or n <= max_df]
    index = {t: i for i, t in enumerate(vocab)}
    total = len(counts)
    idf = np.array(
        [
            (math.log((1 + total) / (1 + df[t])) + 1.0)
            * (GENERIC_WEIGHT if _is_generic(t) else 1.0)
            for t in vocab
        ],
        dtype=np.float64,
    )
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    for r, c in enumerate(counts):
        for term, n in c.items():
            col = index.get(term)
            if col is not None:
                rows.append(r)
                cols.append(col)
                data.append(1.0 + math.log(n))
    matrix = sparse.csr_matrix(
        (np.array(data, dtype=np.float64), (rows, cols)), shape=(total, len(vocab))
    )
    matrix = matrix.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix), vocab


_GENERIC_GRAMS: frozenset[str] = frozenset(
    g for t in GENERIC_TERMS if " " not in t for g in word_ngrams(t)
)


def _is_generic(term: str) -> bool:
    return term in GENERIC_TERMS or term in _GENERIC_GRAMS


def _dice(a: str, b: str) -> float:
    ga, gb = set(word_ngrams(a)), set(word_ngrams(b))
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


class OverlapIndex:
    """Documents made comparable: ``similar_to`` one of them, ``pairs`` across groups."""

    def __init__(self, documents: Sequence[Document], features: Sequence[Features]) -> None:
        self.documents = list(documents)
        self.features = list(features)
        self.position = {doc.key: i for i, doc in enumerate(self.documents)}
        count = len(self.documents)
        max_df = max(NGRAM_MAX_DF_FLOOR, int(NGRAM_MAX_DF_SHARE * count))
        self.terms, self.term_vocab = _weight_matrix(
            [f.terms for f in self.features], max_df=max_df
        )
        ngrams, _ = _weight_matrix([f.ngrams for f in self.features], max_df=max_df)
        joined = sparse.hstack(
            [self.terms * math.sqrt(TERM_SHARE), ngrams * math.sqrt(1.0 - TERM_SHARE)]
        ).tocsr()
        # A document with no analysed terms yet (a proposal the worker has not reached)
        # is compared by its n-grams alone, on the same 0..1 scale.
        norms = np.sqrt(np.asarray(joined.multiply(joined).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        # Single precision halves the memory the block products move; scores keep 4 places.
        self.matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ joined, dtype=np.float32)

    @classmethod
    def build(
        cls,
        documents: Sequence[Document],
        *,
        analysed: Sequence[tuple[Sequence[str], Sequence[str]] | None] | None = None,
        analyzer: Analyzer | None = None,
        starting: threading.Thread | None = None,
    ) -> OverlapIndex:
        return cls(
            documents,
            featurise(documents, analysed=analysed, analyzer=analyzer, starting=starting),
        )

    def __len__(self) -> int:
        return len(self.documents)

    def _scores(self, start: int, stop: int) -> np.ndarray:
        block = self.matrix[start:stop] @ self.matrix.T
        return np.asarray(block.toarray())

    def top_matches(
        self,
        *,
        limit: int = 5,
        min_score: float = 0.0,
        skip: Callable[[int, int], bool] | None = None,
        explain: bool = False,
    ) -> list[list[Match]]:
        """For every document, its ``limit`` most similar others, best first."""
        result: list[list[Match]] = []
        for start in range(0, len(self), ROW_BLOCK):
            stop = min(start + ROW_BLOCK, len(self))
            scores = self._scores(start, stop)
            rows = np.arange(stop - start)
            scores[rows, rows + start] = -1.0
            if skip is None and not explain:
                result.extend(self._best_of_block(scores, limit, min_score))
                continue
            for offset in rows:
                i = start + int(offset)
                result.append(self._best(i, scores[offset], limit, min_score, skip, explain))
        return result

    def _best_of_block(self, scores: np.ndarray, limit: int, min_score: float) -> list[list[Match]]:
        """``_best`` for a block of rows at once (no skipping, no explanations)."""
        k = min(limit, scores.shape[1])
        if k < scores.shape[1]:
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        else:
            top = np.tile(np.arange(scores.shape[1]), (scores.shape[0], 1))
        picked = np.take_along_axis(scores, top, axis=1)
        keys = [doc.key for doc in self.documents]
        block = []
        for cols, values in zip(top.tolist(), picked.tolist(), strict=True):
            found = sorted(
                ((-v, j) for j, v in zip(cols, values, strict=True) if v >= min_score and v > 0)
            )
            block.append([Match(key=keys[j], score=round(-nv, 4)) for nv, j in found])
        return block

    def similar_to(
        self,
        key: Hashable,
        *,
        limit: int = 5,
        min_score: float = 0.05,
        skip: Callable[[int, int], bool] | None = None,
    ) -> list[Match]:
        """The documents most similar to the one with ``key``, explained."""
        i = self.position[key]
        row = self._scores(i, i + 1)[0]
        row[i] = -1.0
        return self._best(i, row, limit, min_score, skip, True)

    def _best(
        self,
        i: int,
        row: np.ndarray,
        limit: int,
        min_score: float,
        skip: Callable[[int, int], bool] | None,
        explain: bool,
    ) -> list[Match]:
        if skip is not None:
            for k in np.nonzero(row >= min_score)[0]:
                if k != i and skip(i, int(k)):
                    row[k] = -1.0
        wanted = min(len(row), limit * 2 + 1)
        candidates = (
            np.argpartition(-row, wanted - 1)[:wanted]
            if wanted < len(row)
            else (np.arange(len(row)))
        )
        ranked: list[int] = sorted(
            (int(j) for j in candidates if row[j] >= min_score and row[j] > 0 and j != i),
            key=lambda j: (-row[j], j),
        )[:limit]
        matches = []
        for j in ranked:
            shared, variants = self.explain(i, int(j)) if explain else ([], [])
            matches.append(
                Match(
                    key=self.documents[j].key,
                    score=round(float(row[j]), 4),
                    shared_terms=shared,
                    variants=variants,
                )
            )
        return matches

    def pairs(
        self,
        *,
        min_score: float,
        per_document: int = 5,
        across_groups: bool = True,
        keep: Callable[[int], bool] | None = None,
    ) -> list[Pair]:
        """Likely duplicates: each unordered pair once, best first, explained."""

        def skip(i: int, j: int) -> bool:
            if across_groups and self.documents[i].group == self.documents[j].group:
                return True
            return keep is not None and not keep(j)

        seen: dict[tuple[int, int], float] = {}
        for i, matches in enumerate(
            self.top_matches(limit=per_document, min_score=min_score, skip=skip)
        ):
            if keep is not None and not keep(i):
                continue
            for match in matches:
                j = self.position[match.key]
                seen[(min(i, j), max(i, j))] = match.score
        ordered = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))
        result = []
        for (i, j), score in ordered:
            shared, variants = self.explain(i, j)
            result.append(
                Pair(
                    a=self.documents[i].key,
                    b=self.documents[j].key,
                    score=score,
                    shared_terms=shared,
                    variants=variants,
                )
            )
        return result

    def explain(self, i: int, j: int, *, limit: int = 6) -> tuple[list[str], list[tuple[str, str]]]:
        """The terms documents i and j share, heaviest first; and their spelling variants."""
        a, b = self.terms.getrow(i), self.terms.getrow(j)
        common = a.multiply(b).tocoo()
        order = np.argsort(-common.data, kind="stable")
        shared: list[str] = []
        for k in order:
            term = self.term_vocab[int(common.col[k])]
            # A phrase already says its nouns; a noun inside a shown phrase is left out.
            if any(term in s.split() for s in shared if " " in s):
                continue
            shared.append(term)
            if len(shared) >= limit:
                break
        words_a = self.features[i].words - self.features[j].words
        words_b = self.features[j].words - self.features[i].words
        variants = sorted(
            {
                (x, y)
                for x in words_a
                for y in words_b
                if not (x in y or y in x) and _dice(x, y) >= 0.5
            }
        )[:3]
        return shared, variants


def compare(
    documents: Sequence[Document], *, limit: int = 5, min_score: float = 0.0
) -> list[list[Match]]:
    """Every document's most similar others (the ``programme_overlap`` command's engine)."""
    return OverlapIndex.build(documents).top_matches(limit=limit, min_score=min_score)
