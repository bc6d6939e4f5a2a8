"""``manage.py moderation_train``: rebuild the shipped model from the shipped data.

Trains on the training portion of the fixed held-out split and writes the artefact;
``--held-out PATH`` also writes the held-out rows (never trained on) as a TSV for
``moderation_eval``. ``make moderation-model`` runs it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from deliberation.screening.model import (
    ARTEFACT_PATH,
    TRAIN_PATH,
    get_screener,
    held_out_split,
    read_tsv,
)
from deliberation.screening.training import train_screener


class Command(BaseCommand):
    help = "Train the offensive-language model from the shipped data and save the artefact."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--held-out", help="also write the held-out split to this TSV")
        parser.add_argument("--output", default=str(ARTEFACT_PATH), help="artefact path")
        parser.add_argument("--no-train", action="store_true", help="only write the held-out split")

    def handle(self, *args: Any, **options: Any) -> None:
        train, held = held_out_split(read_tsv(TRAIN_PATH))
        if options["held_out"]:
            path = Path(options["held_out"])
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
                writer.writerow(["comments", "hate"])
                writer.writerows([e.text, e.label] for e in held)
        if options["no_train"]:
            return
        screener = train_screener(train)
        output = Path(options["output"])
        screener.save(output)
        get_screener.cache_clear()
        self.stdout.write(
            json.dumps(
                {
                    "artefact": str(output),
                    "bytes": output.stat().st_size,
                    "trained_on": len(train),
                    "held_out": len(held),
                    "threshold": screener.threshold,
                    "lexicon_threshold": screener.lexicon_threshold,
                    "label_threshold": screener.label_threshold,
                },
                ensure_ascii=False,
            )
        )
