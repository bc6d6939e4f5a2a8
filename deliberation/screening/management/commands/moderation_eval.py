"""``manage.py moderation_eval PATH.tsv``: the shipped model's figures on a labelled TSV.

Prints exactly one JSON object. The model and flag threshold are the server's own
(``get_screener()``), so the figures are what facilitators get.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deliberation.screening.model import DatasetError, get_screener, read_tsv


def _macro_f1(truth: list[str], predicted: list[str], labels: list[str]) -> float:
    scores = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(scores) / len(scores)


def evaluate(path: str) -> dict[str, Any]:
    examples = read_tsv(path)
    if not examples:
        raise DatasetError("the file has no rows")
    screener = get_screener()
    screener.score(["워밍업"])  # the first call pays one-off set-up costs
    started = time.perf_counter()
    scores = screener.score([e.text for e in examples])
    elapsed = time.perf_counter() - started
    truth = [e.label for e in examples]
    predicted = [s.label for s in scores]
    harmful = [t != "none" for t in truth]
    flags = [s.flagged for s in scores]
    true_flags = sum(1 for h, f in zip(harmful, flags, strict=True) if h and f)
    return {
        "macro_f1_3class": round(_macro_f1(truth, predicted, ["hate", "offensive", "none"]), 4),
        "macro_f1_binary": round(
            _macro_f1(
                ["flag" if h else "none" for h in harmful],
                ["flag" if p != "none" else "none" for p in predicted],
                ["flag", "none"],
            ),
            4,
        ),
        "flag_precision": round(true_flags / sum(flags), 4) if any(flags) else 0.0,
        "flag_recall": round(true_flags / sum(harmful), 4) if any(harmful) else 0.0,
        "ms_per_statement": round(elapsed * 1000 / len(examples), 3),
        "n": len(examples),
    }


class Command(BaseCommand):
    help = "Evaluate the offensive-language model on a TSV with columns comments and hate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="TSV with the columns comments and hate")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = evaluate(options["path"])
        except FileNotFoundError as exc:
            raise CommandError(f"no such file: {exc.filename}") from exc
        except (DatasetError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))
