"""Run the analysis worker as a standalone service (with MADANG_ANALYSIS_MODE=queue)."""

from __future__ import annotations

import fcntl
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from deliberation.analysis.api import worker_lock_path
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
        # Hold the host's worker lock: server processes then start no worker of their own.
        lock = open(worker_lock_path(), "a+b")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise CommandError("an analysis worker already serves this database here") from exc
        run_forever(poll_seconds=options["poll"])
