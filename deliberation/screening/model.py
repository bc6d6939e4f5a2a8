"""The classifier: hate (혐오), offensive (모욕·비하) or none, with the reasons for a flag.

Features are TF-IDF character 1-4-grams of the normalised text, plus the lexicon's
counts of profanity and group slurs; a class-weighted logistic regression
gives three probabilities. Its class is hate or offensive (whichever is likelier) when
the probability that it is either reaches ``label_threshold`` (the value that gave the
best binary macro-F1 out of fold), none otherwise. A statement is *flagged* when that
probability reaches ``threshold``, or reaches ``lexicon_threshold`` and the lexicon
matched a pattern. All three are chosen on out-of-fold predictions of the training
portion, never on the held-out split.

The trained artefact (``trained/screening-v2.npz``: vocabulary, IDF weights,
coefficients, thresholds) is built by ``make moderation-model`` from the shipped data
and loaded once per process; the server, the worker and ``moderation_eval`` all use
``get_screener()``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import lexicon
from .normalise import normalise

HERE = Path(__file__).resolve().parent
TRAIN_PATH = HERE / "corpus" / "korean_hate_speech_train.tsv.gz"
ARTEFACT_PATH = HERE / "trained" / "screening-v2.npz"
MODEL_VERSION = "screening-v2"
CLASSES = ("hate", "none", "offensive")  # sklearn's sorted order, kept in the artefact
FLAG_CLASSES = frozenset({"hate", "offensive"})
HELD_OUT_SEED = 14
HELD_OUT_FRACTION = 0.2
TARGET_PRECISION = 0.92


class DatasetError(ValueError):
    """A TSV without the columns or labels the model expects."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str


def read_tsv(source: str | Path | io.TextIOBase) -> list[Example]:
    """Rows of a TSV with at least the columns ``comments`` and ``hate`` (hate/offensive/none)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
            return read_tsv(handle)
    reader = csv.DictReader(source, delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = {"comments", "hate"} - set(reader.fieldnames or [])
    if missing:
        raise DatasetError(f"missing column(s): {', '.join(sorted(missing))}")
    rows = []
    for line, row in enumerate(reader, start=2):
        label = (row.get("hate") or "").strip()
        if label not in CLASSES:
            raise DatasetError(f"line {line}: hate must be hate, offensive or none, not {label!r}")
        rows.append(Example(text=row.get("comments") or "", label=label))
    return rows


def held_out_split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """The fixed stratified split: (training portion, held-out portion)."""
    from sklearn.model_selection import train_test_split

    labels = [e.label for e in examples]
    train, held = train_test_split(
        list(examples),
        test_size=HELD_OUT_FRACTION,
        stratify=labels,
        random_state=HELD_OUT_SEED,
    )
    return list(train), list(held)


@dataclass(frozen=True)
class Score:
    """One text's verdict: the class, its confidence, whether it is flagged, and why."""

    label: str
    confidence: float
    flag_probability: float
    flagged: bool
    triggers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "confidence": round(self.confidence, 3),
            "flag_probability": round(self.flag_probability, 3),
            "flagged": self.flagged,
            "triggers": self.triggers,
        }


class Screener:
    """A loaded model: vectoriser, coefficients and the shipped flag thresholds."""

    def __init__(
        self,
        *,
        char_vocabulary: list[str],
        char_idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        threshold: float,
        lexicon_threshold: float,
        label_threshold: float = 0.5,
        version: str = MODEL_VERSION,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.char = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 4),
            sublinear_tf=True,
            vocabulary={t: i for i, t in enumerate(char_vocabulary)},
            dtype=np.float32,
        )
        self.char.idf_ = char_idf
        self.names = np.array(
            char_vocabulary + [f"lexicon:{g}" for g in lexicon.GROUPS],
            dtype=object,
        )
        self.n_char = len(char_vocabulary)
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.threshold = float(threshold)
        self.lexicon_threshold = float(lexicon_threshold)
        self.label_threshold = float(label_threshold)
        self.version = version
        self._none = CLASSES.index("none")

    # -- features and probabilities ---------------------------------------------------
    def features(self, normalised: Sequence[str]) -> sp.csr_matrix:
        lex = np.log1p(np.array([lexicon.group_counts(t) for t in normalised], dtype=np.float32))
        return sp.hstack([self.char.transform(normalised), sp.csr_matrix(lex)], format="csr")

    def probabilities(self, normalised: Sequence[str]) -> np.ndarray:
        scores = self.features(normalised) @ self.coef.T + self.intercept
        scores = np.asarray(scores)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    # -- verdicts -----------------------------------------------------------------------
    def is_flagged(self, flag_probability: float, matched_lexicon: bool) -> bool:
        return flag_probability >= self.threshold or (
            matched_lexicon and flag_probability >= self.lexicon_threshold
        )

    def score(self, texts: Iterable[str]) -> list[Score]:
        """Verdicts for raw texts (normalised here), in order."""
        normalised = [normalise(t) for t in texts]
        if not normalised:
            return []
        probs = self.probabilities(normalised)
        matrix = self.features(normalised)
        out = []
        for row, (text, p) in enumerate(zip(normalised, probs, strict=True)):
            flag_p = float(1.0 - p[self._none])
            if flag_p >= self.label_threshold:
                k = int(np.argmax(np.where(np.arange(len(CLASSES)) == self._none, -1, p)))
            else:
                k = self._none
            found = lexicon.matches(text)
            flagged = self.is_flagged(flag_p, bool(found))
            triggers = [p_.label for p_ in found]
            if flagged:
                triggers += self._top_features(matrix.getrow(row), k, exclude=triggers)
            out.append(
                Score(
                    label=CLASSES[k],
                    confidence=float(p[k]) if k == self._none else flag_p,
                    flag_probability=flag_p,
                    flagged=flagged,
                    triggers=triggers[:5],
                )
            )
        return out

    def _top_features(self, row: sp.csr_matrix, k: int, *, exclude: list[str]) -> list[str]:
        """The words and character patterns that pushed the text towards class ``k`` most."""
        idx = row.indices
        push = row.data * (self.coef[k, idx] - self.coef[self._none, idx])
        order = np.argsort(-push)
        found: list[str] = []
        strongest = float(push[order[0]]) if len(order) else 0.0
        for i in order[:12]:
            # Only the features that weighed most: a flag names its reasons, not its noise.
            if push[i] <= 0 or push[i] < 0.4 * strongest:
                break
            name = str(self.names[idx[i]]).strip()
            if name.startswith("lexicon:") or len(name) < 2:
                continue
            if any(name in f or f in name for f in found + exclude):
                continue
            found.append(name)
            if len(found) == 3:
                break
        return found

    # -- storage --------------------------------------------------------------------------
    def save(self, path: Path = ARTEFACT_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        names = [str(n) for n in self.names]
        np.savez_compressed(
            path,
            char_vocabulary=np.frombuffer("\n".join(names[: self.n_char]).encode(), np.uint8),
            char_idf=self.char.idf_.astype(np.float32),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept,
            meta=np.frombuffer(
                json.dumps(
                    {
                        "version": self.version,
                        "classes": CLASSES,
                        "threshold": self.threshold,
                        "lexicon_threshold": self.lexicon_threshold,
                        "label_threshold": self.label_threshold,
                    }
                ).encode(),
                np.uint8,
            ),
        )

    @classmethod
    def load(cls, path: Path = ARTEFACT_PATH) -> Screener:
        with np.load(path) as data:
            meta = json.loads(data["meta"].tobytes().decode())
            if tuple(meta["classes"]) != CLASSES:
                raise DatasetError(f"{path}: classes {meta['classes']} are not {CLASSES}")
            return cls(
                char_vocabulary=data["char_vocabulary"].tobytes().decode().split("\n"),
                char_idf=data["char_idf"],
                coef=data["coef"].astype(np.float32),
                intercept=data["intercept"],
                threshold=meta["threshold"],
                lexicon_threshold=meta["lexicon_threshold"],
                label_threshold=meta["label_threshold"],
                version=meta["version"],
            )


@lru_cache(maxsize=1)
def get_screener() -> Screener:
    """The shipped model, loaded once per process (the server's, the worker's, the eval's)."""
    if not ARTEFACT_PATH.exists():
        raise FileNotFoundError(
            f"{ARTEFACT_PATH} is missing: build it with `make moderation-model`"
        )
    return Screener.load(ARTEFACT_PATH)
