"""Durable background work (digest builds, webhook deliveries) on django-tasks.

Work is enqueued in the database (django-tasks-db) and run by ``manage.py task_worker``,
a separate process that ``make run`` starts beside Daphne and docker compose runs as its
own service. The database row outlives any process: if a worker is killed mid-task,
its recovery sweep (``recover``) finds the work whose heartbeat or lease ran out and
enqueues it again; a digest build that keeps dying is failed with a visible reason.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger(__name__)

# A build tried this many times (each one killed or timed out) is failed for good.
MAX_BUILD_ATTEMPTS = 3


def stale_after() -> timedelta:
    """How long a build's heartbeat or a delivery's lease may lapse before recovery."""
    return timedelta(seconds=settings.MADANG_TASK_STALE_SECONDS)


_inline = threading.local()


@contextmanager
def immediately() -> Iterator[None]:
    """Run tasks enqueued on this thread at once instead (seeding demo data)."""
    _inline.on = True
    try:
        yield
    finally:
        _inline.on = False


def enqueue(task: Any, *, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Put one task in the durable queue (call it from ``transaction.on_commit``)."""
    if getattr(_inline, "on", False) and run_after is None:
        task.call(**kwargs)
        return
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(**kwargs)


@contextmanager
def heartbeat(beat: Callable[[], None], *, every: float) -> Iterator[None]:
    """Call ``beat`` every ``every`` seconds on a helper thread while the block runs."""
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat()
                except Exception:
                    log.exception("heartbeat failed")
        finally:
            close_old_connections()

    thread = threading.Thread(target=loop, name="madang-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Recovered:
    builds_restarted: list[int]
    builds_failed: list[int]
    deliveries_resumed: list[int]


def recover(*, now: datetime | None = None) -> Recovered:
    """Restart interrupted builds, fail those that keep dying, resume overdue deliveries."""
    from . import services, webhooks

    now = now or timezone.now()
    builds = services.digests_recover_stale(now=now, stale=stale_after())
    deliveries = webhooks.deliveries_resume_overdue(now=now, stale=stale_after())
    if builds.restarted or builds.failed or deliveries:
        log.warning(
            "recovered interrupted work: builds restarted %s, failed %s; deliveries resumed %s",
            builds.restarted,
            builds.failed,
            deliveries,
        )
    return Recovered(builds.restarted, builds.failed, deliveries)


def recovery_loop(stop: threading.Event, *, every: float) -> None:
    """The worker's sweep: ``recover`` at start and then every ``every`` seconds."""
    while True:
        close_old_connections()
        try:
            recover()
        except Exception:
            log.exception("recovery sweep failed")
        finally:
            close_old_connections()
        if stop.wait(every):
            return
