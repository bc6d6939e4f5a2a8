"""Run the analysis worker as a standalone service (with MADANG_ANALYSIS_MODE=queue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deliberation.analysis.worker import IDLE_POLL_SECONDS, process_pending, run_forever


class Command(BaseCommand):
    help = "Analyse queued statements and proposals (KoNLPy), forever or until the queue is empty."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--drain", action="store_true", help="Stop when the queue is empty.")
        parser.add_argument("--poll", type=float, default=IDLE_POLL_SECONDS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["drain"]:
            done = process_pending()
            self.stdout.write(f"analysed {done}")
            return
        run_forever(poll_seconds=options["poll"])
