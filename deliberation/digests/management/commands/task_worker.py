"""``manage.py task_worker``: django-tasks-db's ``db_worker`` plus a recovery sweep.

The sweep runs at start and every ``--sweep-every`` seconds: builds and deliveries whose
worker was killed are enqueued again (see ``deliberation.digests.jobs.recover``).
"""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from deliberation.digests import jobs


class Command(DbWorkerCommand):
    help = "Run the background worker (digest builds, webhooks) with crash recovery"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-every",
            type=float,
            default=None,
            help="Seconds between recovery sweeps (default: a quarter of "
            "MADANG_TASK_STALE_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:  # type: ignore[override]
        sweep_every = options.pop("sweep_every", None)
        every = sweep_every or max(1.0, settings.MADANG_TASK_STALE_SECONDS / 4)
        stop = threading.Event()
        sweeper = threading.Thread(
            target=jobs.recovery_loop, args=(stop,), kwargs={"every": every}, daemon=True
        )
        sweeper.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
