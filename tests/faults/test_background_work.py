"""The server (Daphne and its task worker) is SIGKILLed mid-build and mid-delivery.

After a restart the digest build is run again and completes (one draft, one revision),
and the webhook reaches its receiver; the receiver, which keeps the delivery ids it has
processed, processes it exactly once although it was sent twice.
"""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings

from deliberation.digests import services
from deliberation.digests.models import Digest, DigestRevision, WebhookDelivery, WebhookEndpoint
from deliberation.live.models import Statement
from tests.support.daphne import ROOT, database_url_of_test_db
from tests.support.worker import Worker, start_worker

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

STALE_SECONDS = 2
LOGS = ROOT / "test-artifacts" / "faults"


class DedupingReceiver:
    """A receiver that processes each X-Madang-Delivery id once, and can hold a request."""

    def __init__(self) -> None:
        self.received: list[str] = []  # every request's delivery id, repeats included
        self.processed: dict[str, dict[str, Any]] = {}
        self.hold_first = threading.Event()  # set: the next request is held, unanswered
        self.holding = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                delivery_id = self.headers["X-Madang-Delivery"]
                outer.received.append(delivery_id)
                if outer.hold_first.is_set():
                    outer.hold_first.clear()
                    outer.holding.set()
                    outer.release.wait(60)
                    return  # the sender is gone by now: nothing is processed
                outer.processed.setdefault(delivery_id, json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[DedupingReceiver]:
    r = DedupingReceiver()
    yield r
    r.close()


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def test_build_and_delivery_survive_a_killed_server(
    postgres_only: None,
    transactional_db: Any,
    session_factory: Any,
    facilitator_factory: Any,
    resident_factory: Any,
    receiver: DedupingReceiver,
    workers: Any,
    record_figures: Any,
) -> None:
    session = session_factory(state="closed")
    facilitator = facilitator_factory(organisation=session.agenda.organisation)
    resident = resident_factory(region=session.agenda.organisation)
    for n in range(30):
        Statement.objects.create(
            session=session, author=resident, client_msg_id=f"m{n}", text=f"청년 일자리 {n}", seq=n
        )
    WebhookEndpoint.objects.create(name="외교부 시스템", url=receiver.url)
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "madang.settings",
        "DATABASE_URL": database_url_of_test_db(),
        "MADANG_TASK_STALE_SECONDS": str(STALE_SECONDS),
        "MADANG_ANALYZER": "fallback",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }

    def server(tag: str) -> tuple[Any, Worker]:
        (daphne,) = workers(1, extra_env={"MADANG_TASK_STALE_SECONDS": str(STALE_SECONDS)})
        worker = start_worker(env, LOGS / f"task-worker-{tag}.log", sweep_every=0.5)
        return daphne, worker

    # 1. Mid-build: the build has started (attempt 1, progress stored) and is blocked
    #    reading the session's statements, which another connection holds locked.
    locker = psycopg.connect(database_url_of_test_db().replace("postgres://", "postgresql://"))
    locker.execute(f"LOCK TABLE {Statement._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    daphne, worker = server("1")
    digest = services.digest_generate(actor=facilitator, session=session)

    def build_started() -> bool:
        d = Digest.objects.get(pk=digest.pk)
        return d.generation_attempts == 1 and d.generation_percent > 0

    wait_until(build_started, timeout=60, what="the build to start")
    worker.kill()
    daphne.kill()
    locker.rollback()
    locker.close()
    killed = Digest.objects.get(pk=digest.pk)
    assert killed.generation == Digest.Generation.RUNNING  # frozen, as before recovery

    daphne, worker = server("2")
    build_recovery = wait_until(
        lambda: Digest.objects.get(pk=digest.pk).generation != Digest.Generation.RUNNING,
        timeout=60,
        what="the interrupted build to finish after restart",
    )
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.DONE, digest.generation_error
    assert digest.generation_attempts == 2
    assert digest.statement_count == 30
    assert DigestRevision.objects.filter(digest=digest, kind="generate").count() == 1

    # 2. Mid-delivery: the receiver has the request and has not answered it.
    receiver.hold_first.set()
    services.digest_approve(actor=facilitator, digest=digest)
    services.digest_publish(actor=facilitator, digest=Digest.objects.get(pk=digest.pk))
    wait_until(receiver.holding.is_set, timeout=30, what="the webhook request to arrive")
    worker.kill()
    daphne.kill()
    receiver.release.set()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.attempts == 0

    daphne, worker = server("3")
    delivery_recovery = wait_until(
        lambda: WebhookDelivery.objects.get().state != WebhookDelivery.State.PENDING,
        timeout=90,
        what="the interrupted delivery to be sent again",
    )
    delivery.refresh_from_db()
    worker.kill()
    assert delivery.state == WebhookDelivery.State.DELIVERED, delivery.log
    assert receiver.received == [str(delivery.pk), str(delivery.pk)]  # sent twice ...
    assert list(receiver.processed) == [str(delivery.pk)]  # ... processed once
    payload = receiver.processed[str(delivery.pk)]
    assert payload["event"] == "digest.published" and payload["digest"]["id"] == digest.pk

    class Figures:
        extra = {
            "build_done_after_restart_s": round(build_recovery, 1),
            "delivered_after_restart_s": round(delivery_recovery, 1),
        }

        def row(self) -> str:
            return (
                f"build done {build_recovery:.1f} s and webhook delivered "
                f"{delivery_recovery:.1f} s after restart (stale after {STALE_SECONDS} s)"
            )

    record_figures("Server killed mid-build and mid-delivery", Figures())
