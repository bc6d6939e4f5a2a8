"""Extractive summarisation: TextRank over sparse TF-IDF similarity.

Statements become rows of a sparse TF-IDF matrix X (L2-normalised). Their cosine
similarity is S = X Xᵀ with a zero diagonal. S is never materialised: PageRank only
needs S·v = X (Xᵀ v) − v, two sparse products costing O(nnz(X)) each, so a
10,000-statement session costs about what ten 1,000-statement sessions do (a dense or
pairwise S would grow with n²). Selected lines skip near-duplicates of lines already
chosen, and each cites its own statement plus the statements most similar to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .normalise import is_keyword

DAMPING = 0.85
REDUNDANCY = 0.5
SUPPORT_SIMILARITY = 0.3


def tfidf_matrix(
    documents: Sequence[Sequence[str]],
    *,
    document_frequency: Mapping[str, int],
    total_documents: int,
) -> sparse.csr_matrix:
    """Rows = documents, columns = terms; TF-IDF weights, each row of unit length."""
    vocabulary: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    total = max(total_documents, len(documents))
    for nouns in documents:
        counts: dict[int, int] = {}
        for term in nouns:
            if not is_keyword(term):
                continue
            col = vocabulary.setdefault(term, len(vocabulary))
            counts[col] = counts.get(col, 0) + 1
        for col, count in counts.items():
            indices.append(col)
            data.append(count)
        indptr.append(len(indices))
    terms = list(vocabulary)
    weights = np.array(
        [math.log((1 + total) / (1 + max(document_frequency.get(t, 0), 1))) + 1.0 for t in terms]
    )
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=float), np.asarray(indices), np.asarray(indptr)),
        shape=(len(documents), len(terms)),
    )
    if matrix.nnz:
        matrix.data = (1.0 + np.log(matrix.data)) * weights[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix = sparse.diags(1.0 / norms) @ matrix
    return matrix.tocsr()


def textrank(
    matrix: sparse.csr_matrix, *, damping: float = DAMPING, iterations: int = 60, tol: float = 1e-7
) -> np.ndarray:
    """PageRank scores over the cosine-similarity graph of the matrix's rows."""
    n = matrix.shape[0]
    if n == 0:
        return np.zeros(0)
    xt = matrix.T.tocsr()
    self_similarity = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()

    def similarity_times(v: np.ndarray) -> np.ndarray:
        return matrix @ (xt @ v) - self_similarity * v

    degree = similarity_times(np.ones(n))
    degree[degree < 1e-12] = 0.0
    connected = degree > 0
    inverse_degree = np.zeros(n)
    inverse_degree[connected] = 1.0 / degree[connected]
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        dangling = rank[~connected].sum()
        new = (1.0 - damping) / n + damping * (
            similarity_times(rank * inverse_degree) + dangling / n
        )
        if np.abs(new - rank).sum() < tol:
            rank = new
            break
        rank = new
    return rank


@dataclass(frozen=True)
class Selected:
    index: int
    score: float
    similar: list[int]


def select_key_rows(
    matrix: sparse.csr_matrix, *, count: int = 5, similar_per_line: int = 3
) -> list[Selected]:
    """The ``count`` best-ranked rows that are not near-duplicates of each other."""
    n = matrix.shape[0]
    if n == 0:
        return []
    scores = textrank(matrix)
    order = np.argsort(-scores, kind="stable")
    chosen: list[Selected] = []
    chosen_rows: list[int] = []
    for index in order:
        i = int(index)
        if matrix[i].nnz == 0 and chosen:
            continue
        if chosen_rows:
            overlap = (matrix[chosen_rows] @ matrix[i].T).toarray().ravel()
            if overlap.size and overlap.max() > REDUNDANCY:
                continue
        row_similarity = (matrix @ matrix[i].T).toarray().ravel()
        row_similarity[i] = 0.0
        similar = [
            int(j)
            for j in np.argsort(-row_similarity, kind="stable")[:similar_per_line]
            if row_similarity[j] >= SUPPORT_SIMILARITY
        ]
        chosen.append(Selected(index=i, score=float(scores[i]), similar=similar))
        chosen_rows.append(i)
        if len(chosen) >= count:
            break
    return chosen
