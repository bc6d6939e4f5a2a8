"""Training the classifier from the shipped data (``make moderation-model``).

Deterministic: the same data gives the same artefact. The held-out split (seed 14, 20 %,
stratified) is never seen here; flag thresholds come from five-fold out-of-fold
predictions on the training portion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import lexicon
from .model import CLASSES, TARGET_PRECISION, Example, Screener
from .normalise import normalise

# Chosen on five-fold out-of-fold predictions of the training portion (docs/moderation.md):
# character n-grams alone at C = 1 beat character + word n-grams at C = 3 there.
C = 1.0
FOLDS = 5


def _fit(texts: Sequence[str], labels: Sequence[str] | np.ndarray) -> Screener:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    char = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 4), sublinear_tf=True, min_df=2, dtype=np.float32
    )
    char.fit(texts)
    screener = Screener(
        char_vocabulary=list(char.get_feature_names_out()),
        char_idf=char.idf_,
        coef=np.zeros((len(CLASSES), 1)),
        intercept=np.zeros(len(CLASSES)),
        threshold=1.0,
        lexicon_threshold=1.0,
    )
    matrix = screener.features(texts)
    model = LogisticRegression(max_iter=5000, C=C, class_weight="balanced")
    model.fit(matrix, list(labels))
    if tuple(model.classes_) != CLASSES:
        raise ValueError(f"training data must hold all of {CLASSES}")
    # float16 in the artefact: round here so training and serving share the same weights.
    screener.coef = model.coef_.astype(np.float16).astype(np.float32)
    screener.intercept = model.intercept_.astype(np.float32)
    return screener


def choose_thresholds(
    flag_probability: np.ndarray, matched: np.ndarray, truth: np.ndarray
) -> tuple[float, float]:
    """The lowest thresholds whose flags keep ``TARGET_PRECISION`` on these predictions.

    First the plain threshold; then, with it fixed, the lower threshold for texts where
    the lexicon matched, as low as the combined precision allows.
    """

    def precision(flags: np.ndarray) -> float:
        return float(truth[flags].mean()) if flags.any() else 0.0

    grid = np.round(np.arange(0.50, 0.995, 0.005), 3)
    threshold = next(
        (t for t in grid if precision(flag_probability >= t) >= TARGET_PRECISION), 0.99
    )
    lexicon_threshold = threshold
    for t in grid[grid < threshold][::-1]:
        flags = (flag_probability >= threshold) | (matched & (flag_probability >= t))
        if precision(flags) < TARGET_PRECISION:
            break
        lexicon_threshold = float(t)
    return float(threshold), float(lexicon_threshold)


def choose_label_threshold(flag_probability: np.ndarray, truth: np.ndarray) -> float:
    """The cut between none and hate/offensive with the best binary macro-F1."""

    def macro_f1(predicted: np.ndarray) -> float:
        scores = []
        for positive in (True, False):
            tp = np.sum((predicted == positive) & (truth == positive))
            wrong = np.sum(predicted != truth)
            scores.append(2 * tp / (2 * tp + wrong) if tp + wrong else 0.0)
        return float(np.mean(scores))

    grid = np.round(np.arange(0.30, 0.905, 0.01), 2)
    return float(max(grid, key=lambda t: (macro_f1(flag_probability >= t), -t)))


def train_screener(examples: Sequence[Example]) -> Screener:
    """Fit on ``examples`` and pick the flag thresholds from out-of-fold predictions."""
    from sklearn.model_selection import StratifiedKFold

    texts = [normalise(e.text) for e in examples]
    labels = np.array([e.label for e in examples])
    none = CLASSES.index("none")
    oof = np.zeros(len(texts))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for fit_idx, val_idx in folds.split(texts, labels):
        fold = _fit([texts[i] for i in fit_idx], labels[fit_idx])
        oof[val_idx] = 1.0 - fold.probabilities([texts[i] for i in val_idx])[:, none]
    matched = np.array([bool(lexicon.matches(t)) for t in texts])
    threshold, lexicon_threshold = choose_thresholds(oof, matched, labels != "none")
    screener = _fit(texts, labels)
    screener.threshold = threshold
    screener.lexicon_threshold = lexicon_threshold
    screener.label_threshold = choose_label_threshold(oof, labels != "none")
    return screener
