"""Keywords from stored analysis only: what a set of texts is about.

``subject_keywords`` (the digest's) weighs each noun or noun phrase by how many of
the texts use it against how often general Korean uses it (``background``): a
log-likelihood score, so "자매도시" in 20 of 40 statements beats "사람" in 20, and a
word in one statement beats nothing. The installation's own corpus then lowers terms
that other sessions use all the time ("지역", "사업"); on a fresh installation it
lowers nothing. ``tfidf_keywords`` is the corpus-only weighting it improves on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .background import general_frequency
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


def _min_count(documents: int) -> int:
    """A keyword of a real discussion is used by at least two of its statements."""
    return 2 if documents >= 5 else 1


def subject_keywords(
    documents: Sequence[tuple[int, Sequence[str]]],
    *,
    document_frequency: Mapping[str, int],
    total_documents: int,
    limit: int = 15,
) -> list[ScoredTerm]:
    """The ``limit`` terms that name what these documents are about, with their users.

    A term used by ``c`` of the documents, where general Korean would lead one to
    expect ``e`` (the documents' terms times the term's general frequency), scores
    ``c * ln(c / e)`` (the term's share of the log-likelihood ratio). The installation
    factor is the term's inverse document frequency outside these documents, scaled to
    (0, 1]: 1 for a term no other text uses (and for every term on a fresh install).
    A word mostly used inside a chosen phrase ("일자리" in "해외 일자리") is left out.
    """
    postings = term_documents(documents)
    tokens = sum(len(ids) for ids in postings.values()) or 1
    others = max(0, total_documents - len(documents))
    ceiling = math.log(1 + others) + 1.0
    least = _min_count(len(documents))
    scored = []
    for term, ids in postings.items():
        count = len(ids)
        if count < least:
            continue
        expected = tokens * general_frequency(term)
        if count <= expected:
            continue
        elsewhere = max(0, document_frequency.get(term, 0) - count)
        installation = (math.log((1 + others) / (1 + elsewhere)) + 1.0) / ceiling
        score = count * math.log(count / expected) * math.sqrt(installation)
        scored.append((score, count, term, ids))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    chosen: list[ScoredTerm] = []
    phrases: list[tuple[list[str], set[int]]] = []
    phrase_slots = max(1, limit // 3)
    for score, count, term, ids in scored:
        users = set(ids)
        if " " in term and (len(phrases) >= phrase_slots or count < least + 1):
            continue  # a phrase earns its place by recurring, and never crowds out words
        if " " not in term and any(
            term in words and len(users & inside) >= 0.8 * count for words, inside in phrases
        ):
            continue
        if " " in term:
            phrases.append((term.split(), users))
        chosen.append(
            ScoredTerm(
                term=term,
                score=round(score, 4),
                count=count,
                document_ids=sorted(ids)[:MAX_CITED_IDS],
            )
        )
        if len(chosen) >= limit:
            break
    return chosen


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
