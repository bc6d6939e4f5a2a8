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

import itertools
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse

from deliberation.analysis.analyzer import (
    Analysis,
    Analyzer,
    Tags,
    WordTagStore,
    analyse_normalised,
    get_analyzer,
)
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
    """A document's analysed terms (counts) and its longer words (for spelling variants);
    its character n-grams are counted for all documents at once (``ngram_counts``)."""

    terms: Counter[str]
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


def ngram_counts(texts: Sequence[str]) -> tuple[sparse.csr_matrix, list[str]]:
    """``word_ngrams`` of every text as rows of one sparse matrix, and its columns' grams
    (in order of first appearance, the order counting text by text gives).

    Each distinct word is cut into n-grams once: the counts are (texts x words) times
    (words x n-grams), two sparse matrices built from flat arrays.
    """
    word_ids: dict[str, int] = {}
    ids: list[int] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for row, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        lengths[row] = len(words)
        ids.extend([word_ids.setdefault(w, len(word_ids)) for w in words])
    gram_ids: dict[str, int] = {}
    gram_ptr = [0]
    gram_cols: list[int] = []
    for word in word_ids:  # words in order of first appearance, so their grams too
        gram_cols.extend(gram_ids.setdefault(g, len(gram_ids)) for g in _grams_of(word))
        gram_ptr.append(len(gram_cols))
    grams_of_words = sparse.csr_matrix(
        (np.ones(len(gram_cols)), np.array(gram_cols, dtype=np.int64), np.array(gram_ptr)),
        shape=(len(word_ids), len(gram_ids)),
    )
    grams_of_words.sum_duplicates()
    words_of_texts = sparse.csr_matrix(
        (
            np.ones(len(ids)),
            (np.repeat(np.arange(len(texts)), lengths), np.array(ids, dtype=np.int64)),
        ),
        shape=(len(texts), len(word_ids)),
    )
    counts = sparse.csr_matrix(words_of_texts @ grams_of_words)
    counts.sum_duplicates()
    return counts, list(gram_ids)


def _features(title_terms: Sequence[str], body_terms: Sequence[str]) -> Features:
    terms: Counter[str] = Counter()
    for _ in range(TITLE_REPEAT):
        terms.update(title_terms)
    terms.update(body_terms)
    words = frozenset(t for t in terms if " " not in t and len(t) >= 3)
    return Features(terms=terms, words=words)


def _analysis_texts(documents: Sequence[Document]) -> list[str]:
    """What the analyser reads of each document, normalised: its title, then its body."""
    return [normalise_for_analysis(t) for doc in documents for t in (doc.title, doc.body)]


def _ngram_text(doc: Document) -> str:
    return normalise_for_analysis(f"{doc.title}\n{doc.body}", limit=20_000)


def analyse_documents(
    documents: Sequence[Document],
    *,
    analyzer: Analyzer | None = None,
    store: WordTagStore | None = None,
) -> list[tuple[list[str], list[str]]]:
    """(title terms, body terms) of every document, from the project's analyser;
    ``store`` keeps each word's tags across processes (``analysis.wordtags``)."""
    return _terms_of(_analysis_texts(documents), analyzer or get_analyzer(), store)


def _terms_of(
    texts: Sequence[str], analyzer: Analyzer, store: WordTagStore | None
) -> list[tuple[list[str], list[str]]]:
    analyses = analyse_normalised(texts, analyzer=analyzer, store=store)
    return [
        (terms_of(analyses[2 * i]), terms_of(analyses[2 * i + 1])) for i in range(len(texts) // 2)
    ]


class _Tagging:
    """The words no cache knows, tagged on a background thread: Okt's JVM starts and
    tags them while the caller counts n-grams (JPype lets go of the GIL while Java code
    runs; starting the JVM holds it for a moment).
    ``join`` waits, raises what the thread raised, and saves the fresh tags."""

    def __init__(self, analyzer: Analyzer, words: list[str], store: WordTagStore | None):
        self.analyzer = analyzer
        self.words = words
        self.store = store
        self.fresh: dict[str, Tags] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="analyser-tagging", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.fresh = self.analyzer.tag_words(self.words)  # type: ignore[attr-defined]
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in join()
            self.error = exc

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error
        if self.store is not None and self.fresh:
            self.store.save(self.analyzer.version, self.fresh)  # type: ignore[attr-defined]


def featurise(
    documents: Sequence[Document],
    *,
    analysed: Sequence[tuple[Sequence[str], Sequence[str]] | None] | None = None,
    analyzer: Analyzer | None = None,
    store: WordTagStore | None = None,
) -> tuple[list[Features], sparse.csr_matrix, list[str]]:
    """Every document's features and n-gram counts (``ngram_counts``); ``analysed``
    gives stored terms (None: analyse now, only the words ``store`` does not know going
    to the tagger, on a background thread while the n-grams are counted)."""
    chosen = analyzer or get_analyzer()
    given: list[tuple[Sequence[str], Sequence[str]] | None] = (
        list(analysed) if analysed is not None else [None] * len(documents)
    )
    missing = [i for i, a in enumerate(given) if a is None]
    texts = _analysis_texts([documents[i] for i in missing])
    tagging = None
    unknown_words = getattr(chosen, "unknown_words", None)
    if texts and unknown_words is not None:
        unknown = unknown_words((w for t in texts for w in t.split()), store=store)
        if unknown:
            tagging = _Tagging(chosen, unknown, store)
    counts, grams = ngram_counts([_ngram_text(doc) for doc in documents])
    if tagging is not None:
        tagging.join()
    if missing:
        for i, fresh_terms in zip(missing, _terms_of(texts, chosen, store), strict=True):
            given[i] = fresh_terms
    features = []
    for terms in given:
        assert terms is not None
        features.append(_features(terms[0], terms[1]))
    return features, counts, grams


def _weight_matrix(
    counts: Sequence[Counter[str]], *, max_df: int | None = None
) -> tuple[sparse.csr_matrix, list[str]]:
    """Rows of L2-normalised TF-IDF weights, generic terms damped; and the vocabulary."""
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    vocab = [t for t, n in df.items() if max_df is None or n <= max_df]
    index = {t: i for i, t in enumerate(vocab)}
    rows: list[int] = []
    cols: list[int] = []
    data: list[int] = []
    for r, c in enumerate(counts):
        for term, n in c.items():
            col = index.get(term)
            if col is not None:
                rows.append(r)
                cols.append(col)
                data.append(n)
    matrix = sparse.csr_matrix(
        (np.array(data, dtype=np.float64), (rows, cols)), shape=(len(counts), len(vocab))
    )
    return _tf_idf(matrix, vocab, np.array([df[t] for t in vocab], dtype=np.float64)), vocab


def _count_weight_matrix(
    counts: sparse.csr_matrix, vocab: Sequence[str], *, max_df: int | None = None
) -> sparse.csr_matrix:
    """``_weight_matrix`` of counts already in a sparse matrix (``ngram_counts``)."""
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    if max_df is not None:
        kept = df <= max_df
        new_col = np.cumsum(kept) - 1
        entries = kept[counts.indices]
        row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[entries]
        counts = sparse.csr_matrix(
            (counts.data[entries], (row_of, new_col[counts.indices[entries]])),
            shape=(counts.shape[0], int(kept.sum())),
        )
        vocab = [t for t, k in zip(vocab, kept.tolist(), strict=True) if k]
        df = df[kept]
    return _tf_idf(counts, vocab, df)


def _tf_idf(counts: sparse.csr_matrix, vocab: Sequence[str], df: np.ndarray) -> sparse.csr_matrix:
    """Sublinear term frequency times smoothed IDF (generic terms damped), rows L2-normed."""
    total = counts.shape[0]
    idf = (np.log((1 + total) / (1 + df)) + 1.0) * np.array(
        [GENERIC_WEIGHT if _is_generic(t) else 1.0 for t in vocab], dtype=np.float64
    )
    matrix = counts.tocsr(copy=True)
    matrix.sum_duplicates()
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


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

    def __init__(
        self,
        documents: Sequence[Document],
        features: Sequence[Features],
        ngrams: tuple[sparse.csr_matrix, Sequence[str]] | None = None,
    ) -> None:
        """``ngrams``: the documents' ``ngram_counts`` (counted here when not given)."""
        self.documents = list(documents)
        self.features = list(features)
        self.position = {doc.key: i for i, doc in enumerate(self.documents)}
        count = len(self.documents)
        max_df = max(NGRAM_MAX_DF_FLOOR, int(NGRAM_MAX_DF_SHARE * count))
        self.terms, self.term_vocab = _weight_matrix(
            [f.terms for f in self.features], max_df=max_df
        )
        counts, grams = ngrams or ngram_counts([_ngram_text(doc) for doc in self.documents])
        ngram_weights = _count_weight_matrix(counts, grams, max_df=max_df)
        joined = sparse.hstack(
            [self.terms * math.sqrt(TERM_SHARE), ngram_weights * math.sqrt(1.0 - TERM_SHARE)]
        ).tocsr()
        # A document with no analysed terms yet (a proposal the worker has not reached)
        # is compared by its n-grams alone, on the same 0..1 scale.
        norms = np.sqrt(np.asarray(joined.multiply(joined).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        # Single precision halves the memory the block products move; scores keep 4 places.
        self.matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ joined, dtype=np.float32)
        self._columns = sparse.csr_matrix(self.matrix.T)

    @classmethod
    def build(
        cls,
        documents: Sequence[Document],
        *,
        analysed: Sequence[tuple[Sequence[str], Sequence[str]] | None] | None = None,
        analyzer: Analyzer | None = None,
        store: WordTagStore | None = None,
    ) -> OverlapIndex:
        """The index over ``documents``, analysing those without ``analysed`` terms
        (``featurise``; ``store``: the word-tag cache)."""
        features, counts, grams = featurise(
            documents, analysed=analysed, analyzer=analyzer, store=store
        )
        return cls(documents, features, (counts, grams))

    def __len__(self) -> int:
        return len(self.documents)

    def _block(self, start: int, stop: int) -> sparse.csr_matrix:
        return sparse.csr_matrix(self.matrix[start:stop] @ self._columns)

    def _scores(self, start: int, stop: int) -> np.ndarray:
        return np.asarray(self._block(start, stop).toarray())

    def top_matches(
        self,
        *,
        limit: int = 5,
        min_score: float = 0.0,
        skip: Callable[[int, int], bool] | None = None,
        explain: bool = False,
    ) -> list[list[Match]]:
        """For every document, its ``limit`` most similar others, best first (equal
        scores in document order)."""
        if skip is None and not explain:
            keys = [doc.key for doc in self.documents]
            return [
                [Match(key=keys[j], score=score) for j, score in found]
                for found in self.top_positions(limit=limit, min_score=min_score)
            ]
        result: list[list[Match]] = []
        for start in range(0, len(self), ROW_BLOCK):
            stop = min(start + ROW_BLOCK, len(self))
            scores = self._scores(start, stop)
            rows = np.arange(stop - start)
            scores[rows, rows + start] = -1.0
            for offset in rows:
                i = start + int(offset)
                result.append(self._best(i, scores[offset], limit, min_score, skip, explain))
        return result

    def top_positions(
        self, *, limit: int = 5, min_score: float = 0.0
    ) -> list[list[tuple[int, float]]]:
        """``top_matches`` without skipping or explanations, as (position, score) pairs:
        the fast path for whole registries."""
        result: list[list[tuple[int, float]]] = []
        for start in range(0, len(self), ROW_BLOCK):
            result.extend(
                self._best_of_block(start, min(start + ROW_BLOCK, len(self)), limit, min_score)
            )
        return result

    def _best_of_block(
        self, start: int, stop: int, limit: int, min_score: float
    ) -> list[list[tuple[int, float]]]:
        """``_best`` for a block of rows at once, on the sparse scores: only the pairs
        that share a term or an n-gram are looked at."""
        block = self._block(start, stop)
        rows = np.repeat(np.arange(stop - start), np.diff(block.indptr))
        cols, values = block.indices, block.data
        wanted = (values > 0) & (values >= min_score) & (cols != rows + start)
        rows, cols, values = rows[wanted], cols[wanted], values[wanted]
        bounds = np.searchsorted(rows, np.arange(stop - start + 1)).tolist()
        found: list[list[tuple[int, float]]] = []
        for lo, hi in itertools.pairwise(bounds):
            picked: slice | np.ndarray = slice(lo, hi)
            if hi - lo > limit:
                row = values[lo:hi]
                # Everything at or above the limit-th best score (ties kept, then ordered).
                kth = np.partition(row, hi - lo - limit)[hi - lo - limit]
                picked = np.flatnonzero(row >= kth) + lo
            ranked = sorted(zip((-values[picked]).tolist(), cols[picked].tolist(), strict=True))
            found.append([(j, round(-v, 4)) for v, j in ranked[:limit]])
        return found

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
    documents: Sequence[Document],
    *,
    limit: int = 5,
    min_score: float = 0.0,
    store: WordTagStore | None = None,
) -> list[list[Match]]:
    """Every document's most similar others (the ``programme_overlap`` command's engine)."""
    return OverlapIndex.build(documents, store=store).top_matches(limit=limit, min_score=min_score)
