"""TextRank on sparse matrices, and choosing key statements."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from deliberation.analysis.summarise import select_key_rows, textrank, tfidf_matrix


def _dense_pagerank(x: np.ndarray, damping: float = 0.85) -> np.ndarray:
    sim = x @ x.T
    np.fill_diagonal(sim, 0.0)
    n = len(sim)
    degree = sim.sum(axis=1)
    transition = np.zeros_like(sim)
    for i in range(n):
        if degree[i] > 1e-12:
            transition[i] = sim[i] / degree[i]
        else:
            transition[i] = 1.0 / n  # dangling: jump anywhere
    rank = np.full(n, 1.0 / n)
    for _ in range(500):
        rank = (1 - damping) / n + damping * transition.T @ rank
    return rank


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["교류", "청년", "예산", "대학", "센터", "수출"]), max_size=5),
        min_size=1,
        max_size=12,
    )
)
def test_sparse_textrank_equals_dense_pagerank(documents: list[list[str]]) -> None:
    matrix = tfidf_matrix(documents, document_frequency={}, total_documents=len(documents))
    assert sparse.issparse(matrix)
    sparse_rank = textrank(matrix, iterations=500, tol=1e-12)
    dense_rank = _dense_pagerank(matrix.toarray())
    assert np.allclose(sparse_rank, dense_rank, atol=1e-6)
    assert abs(sparse_rank.sum() - 1.0) < 1e-6


def test_rows_are_unit_length_and_sparse() -> None:
    matrix = tfidf_matrix(
        [["교류", "교류", "청년"], [], ["예산"]], document_frequency={}, total_documents=3
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, [1.0, 0.0, 1.0])
    assert matrix.nnz == 3


def test_the_central_statement_wins_and_duplicates_are_skipped() -> None:
    documents = [
        ["청년", "해외", "일자리"],
        ["청년", "해외", "일자리"],  # the same point again
        ["청년", "해외", "일자리", "지원"],
        ["예산", "부족"],
        ["청년", "일자리"],
        ["축제"],
    ]
    matrix = tfidf_matrix(documents, document_frequency={}, total_documents=len(documents))
    chosen = select_key_rows(matrix, count=3)
    first = chosen[0]
    assert first.index in (0, 1, 2, 4)
    chosen_sets = [frozenset(documents[c.index]) for c in chosen]
    assert len(chosen_sets) == len(set(chosen_sets))
    # The first line cites the statements that say nearly the same.
    assert set(first.similar) & {0, 1, 2, 4}


def test_nothing_to_summarise() -> None:
    matrix = tfidf_matrix([], document_frequency={}, total_documents=0)
    assert select_key_rows(matrix) == []
