"""The real worker: a separate process with its own JVM, fed from the database queue."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from deliberation.analysis import api
from deliberation.analysis.api import WorkerHandle, enqueue_analysis, worker_lock_is_held
from deliberation.analysis.models import CorpusTerm, TextAnalysis
from tests.analysis.helpers import add_statements, statement_model
from tests.support.daphne import database_url_of_test_db

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(statement_model() is None, reason="live.Statement is not installed"),
]


def _wait_until(predicate, timeout: float = 90.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_posts_are_analysed_by_a_separate_warm_worker(
    session, resident, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url_of_test_db())
    monkeypatch.setenv("MADANG_ANALYZER", "okt")
    monkeypatch.setenv("MADANG_ANALYSIS_MODE", "queue")
    settings.MADANG_ANALYSIS_MODE = "worker"
    handle = WorkerHandle()
    monkeypatch.setattr(api, "worker_handle", handle)
    try:
        rows = add_statements(
            session,
            ["지방대학 국제교류 예산을 늘려 주세요", "유학생 기숙사가 부족합니다ㅠㅠㅠㅠㅠ"],
            authors=[resident],
        )
        worker_pid = handle.pid
        assert worker_pid is not None and worker_pid != os.getpid()
        done = TextAnalysis.objects.filter(state=TextAnalysis.State.DONE)
        assert _wait_until(lambda: done.count() == 2)
        analysis = done.get(object_id=rows[1].pk)
        assert "유학생" in analysis.nouns and analysis.analyser == "okt"
        assert CorpusTerm.objects.get(term="유학생").document_count == 1

        # The same warm worker (no new process, no new JVM) takes the next post.
        later = add_statements(session, ["외국인 주민 지원센터"], authors=[resident])
        assert _wait_until(lambda: done.filter(object_id=later[0].pk).exists())
        assert handle.pid == worker_pid

        # A sibling server process on this host starts no second worker (no second
        # JVM); the running worker's polling still takes what the sibling queues.
        sibling = WorkerHandle()
        monkeypatch.setattr(api, "worker_handle", sibling)
        assert worker_lock_is_held()
        from_sibling = add_statements(session, ["다문화 축제 홍보"], authors=[resident])
        assert sibling.pid is None
        assert _wait_until(lambda: done.filter(object_id=from_sibling[0].pk).exists())
    finally:
        handle.stop()
    assert handle.pid is None
    assert _wait_until(lambda: not worker_lock_is_held(), timeout=10)


def test_a_queue_left_by_a_dead_worker_is_picked_up(
    session, resident, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    settings.MADANG_ANALYSIS_MODE = "queue"
    settings.MADANG_ANALYZER = "fallback"
    (row,) = add_statements(session, ["자매도시 교류"], authors=[resident])
    # A worker claimed it and died ten minutes ago.
    TextAnalysis.objects.filter(object_id=row.pk).update(
        claimed_by="dead",
        claimed_at=TextAnalysis.objects.get(object_id=row.pk).requested_at
        - __import__("datetime").timedelta(minutes=10),
    )
    assert api.analysis_drain() == 1
    assert TextAnalysis.objects.get(object_id=row.pk).state == TextAnalysis.State.DONE


def test_enqueue_never_raises_when_the_queue_fails(monkeypatch: Any, caplog: Any) -> None:
    def broken(kind: str, object_id: int) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(api, "_record_pending", broken)
    enqueue_analysis("statement", 1)
    assert "could not queue" in caplog.text
