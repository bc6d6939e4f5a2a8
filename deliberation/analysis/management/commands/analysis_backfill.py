"""Queue every statement and proposal that has no stored analysis yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deliberation.analysis.api import enqueue_analysis
from deliberation.analysis.models import TextAnalysis
from deliberation.analysis.sources import optional_model


class Command(BaseCommand):
    help = "Queue statements and proposals that were never analysed."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = 0
        for kind, (app, name) in {
            "statement": ("live", "Statement"),
            "proposal": ("structured", "Proposal"),
        }.items():
            model = optional_model(app, name)
            if model is None:
                continue
            known = set(TextAnalysis.objects.filter(kind=kind).values_list("object_id", flat=True))
            for pk in model._default_manager.values_list("pk", flat=True).iterator():
                if pk not in known:
                    enqueue_analysis(kind, pk)
                    queued += 1
        self.stdout.write(f"queued {queued}")
