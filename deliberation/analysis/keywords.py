"""Keywords by TF-IDF against the whole corpus, from stored analysis only.

A term's weight in a set of texts (a session, an agenda) is how many of those texts
use it (damped logarithmically, so one resident repeating a word cannot carry it)
times its inverse document frequency across every analysed text on Madang: a word
every session uses ("지역", "사업") sinks, a word this session is about rises.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .models import CorpusTerm, TextAnalysis, TextKind
from .normalise import is_keyword

MAX_CITED_IDS = 30


@dataclass(frozen=True)
class ScoredTerm:
    term: str
    score: float
    count: int
    document_ids: list[int]


def idf(document_count: int, total_documents: int) -> float:
    """Smoothed inverse document frequency (never zero, never negative)."""
    return math.log((1 + total_documents) / (1 + document_count)) + 1.0


def term_score(count: int, document_count: int, total_documents: int) -> float:
    """TF-IDF weight of a term used by ``count`` texts of the set being summarised."""
    return (1.0 + math.log(count)) * idf(max(document_count, count), total_documents)


def corpus_frequencies(terms: Iterable[str]) -> tuple[dict[str, int], int]:
    """Document frequencies of the given terms, and the corpus size, from the database."""
    wanted = list(set(terms))
    df: dict[str, int] = {}
    for start in range(0, len(wanted), 900):
        df.update(
            CorpusTerm.objects.filter(term__in=wanted[start : start + 900]).values_list(
                "term", "document_count"
            )
        )
    # Statements and proposals: the texts CorpusTerm counts (report reasons are only screened).
    total = (
        TextAnalysis.objects.filter(state=TextAnalysis.State.DONE)
        .exclude(kind=TextKind.REPORT)
        .count()
    )
    return df, total


def term_documents(documents: Sequence[tuple[int, Sequence[str]]]) -> dict[str, list[int]]:
    """For every keyword-eligible noun, the ids of the documents that use it."""
    postings: dict[str, list[int]] = defaultdict(list)
    for doc_id, nouns in documents:
        for term in set(nouns):
            if is_keyword(term):
                postings[term].append(doc_id)
    return postings


def tfidf_keywords(
    documents: Sequence[tuple[int, Sequence[str]]],
    *,
    document_frequency: Mapping[str, int],
    total_documents: int,
    limit: int = 15,
) -> list[ScoredTerm]:
    """The ``limit`` best terms of these documents, with the ids that use each."""
    postings = term_documents(documents)
    total = max(total_documents, len(documents))
    scored = []
    for term, ids in postings.items():
        score = term_score(len(ids), document_frequency.get(term, 0), total)
        scored.append((score, len(ids), term, ids))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [
        ScoredTerm(term=t, score=round(s, 4), count=c, document_ids=sorted(ids)[:MAX_CITED_IDS])
        for s, c, t, ids in scored[:limit]
    ]


def raw_count_keywords(
    documents: Sequence[tuple[int, Sequence[str]]], *, limit: int = 15
) -> list[ScoredTerm]:
    """Terms by plain frequency: what TF-IDF improves on (kept for comparison)."""
    postings = term_documents(documents)
    ranked = sorted(postings.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return [
        ScoredTerm(term=t, score=float(len(ids)), count=len(ids), document_ids=sorted(ids)[:30])
        for t, ids in ranked
    ]
