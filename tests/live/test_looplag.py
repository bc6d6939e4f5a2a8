"""The event loop's lag probe and the operator's metrics page."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from typing import Any

import pytest
from django.test import Client

from deliberation.live import looplag


def _probes() -> int:
    """Probe tasks on the running loop."""
    return sum(getattr(t.get_coro(), "__qualname__", "") == "_probe" for t in asyncio.all_tasks())


def test_lags_fall_into_buckets_and_the_gauge_keeps_the_recent_maximum() -> None:
    state = looplag.LoopLag()
    now = 1_800_000_000.0
    for lag in (0.001, 0.02, 0.3, 3.0):
        state.record(lag, now)
    state.record(-0.002, now + 1)  # a timer a little early counts as no lag
    assert state.samples == 5 and state.max_s == 3.0
    # 0.001 and -0.002 -> <= 5 ms; 0.02 -> <= 25 ms; 0.3 -> <= 0.5 s; 3.0 -> +Inf
    assert state.counts == [2, 0, 1, 0, 0, 0, 1, 0, 0, 1]
    assert list(state.seconds) == [(int(now), 3.0), (int(now) + 1, 0.0)]
    assert state.recent_max_s(now + 10) == 3.0
    assert state.recent_max_s(now + looplag.GAUGE_WINDOW_SECONDS + 2) == 0.0


def test_a_blocked_loop_is_measured_and_logged_as_a_stall(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.MADANG_LOOP_LAG_INTERVAL = 0.02
    settings.MADANG_LOOP_LAG_WARN_MS = 200
    stalls_before = looplag.STATE.stalls

    async def scenario() -> None:
        looplag.ensure_started()
        looplag.ensure_started()  # once per loop
        assert _probes() == 1
        await asyncio.sleep(0.1)
        time.sleep(0.3)  # a synchronous call on the loop: every socket waits
        await asyncio.sleep(0.1)

    with caplog.at_level(logging.WARNING, logger="deliberation.live.looplag"):
        asyncio.run(scenario())
    assert looplag.STATE.stalls == stalls_before + 1
    assert looplag.STATE.max_s >= 0.25
    assert any("event loop stalled for" in r.getMessage() for r in caplog.records)


def test_the_probe_can_be_switched_off(settings: Any) -> None:
    settings.MADANG_LOOP_LAG_INTERVAL = 0

    async def scenario() -> int:
        looplag.ensure_started()
        return _probes()

    assert asyncio.run(scenario()) == 0


def test_garbage_collections_are_timed_by_generation(settings: Any) -> None:
    settings.MADANG_LOOP_LAG_INTERVAL = 0.05

    async def start() -> None:
        looplag.ensure_started()

    asyncio.run(start())
    before = looplag.STATE.gc_collections[2]
    gc.collect()
    assert looplag.STATE.gc_collections[2] == before + 1
    assert looplag.STATE.gc_max_s[2] > 0


def test_metrics_need_the_operators_token(settings: Any) -> None:
    client = Client()
    settings.MADANG_METRICS_TOKEN = ""
    assert client.get("/ops/metrics").status_code == 404
    settings.MADANG_METRICS_TOKEN = "s3cret-token"
    assert client.get("/ops/metrics").status_code == 403
    assert client.get("/ops/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.post("/ops/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 405

    looplag.STATE.record(0.03, time.time())
    text = client.get("/ops/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert text.status_code == 200 and text["Content-Type"].startswith("text/plain")
    body = text.content.decode()
    assert "# TYPE madang_event_loop_lag_seconds histogram" in body
    assert 'madang_event_loop_lag_seconds_bucket{le="+Inf"}' in body
    gauge = next(
        line for line in body.splitlines() if line.startswith("madang_event_loop_lag_max_seconds ")
    )
    assert float(gauge.split()[1]) >= 0.03
    assert 'madang_gc_collections_total{generation="2"}' in body
    assert 'madang_joins_total{outcome="shed"} 0' in body

    data = client.get(
        "/ops/metrics", {"format": "json"}, HTTP_AUTHORIZATION="Bearer s3cret-token"
    ).json()
    assert data["samples"] >= 1 and data["max_ms"] >= 30
    assert data["seconds"] and data["seconds"][-1][1] >= 30
    assert [g["generation"] for g in data["gc"]] == [0, 1, 2]
    assert data["joins"]["admitted"] == 0 and data["joins"]["waiting"] == 0


def test_what_survives_a_full_collection_is_frozen_and_handed_back_later(settings: Any) -> None:
    settings.MADANG_GC_UNFREEZE_SECONDS = 600
    gc.unfreeze()
    try:
        looplag.STATE.record_gc(2, 0.001)  # a full collection happened since the last look
        seen = looplag.STATE.gc_collections[2] - 1
        seen, unfrozen_at = looplag._freeze_survivors(seen, 1000.0, 1001.0)
        assert seen == looplag.STATE.gc_collections[2] and gc.get_freeze_count() > 0
        # No new full collection, period not over: nothing changes.
        frozen = gc.get_freeze_count()
        assert looplag._freeze_survivors(seen, unfrozen_at, 1500.0) == (seen, 1000.0)
        assert gc.get_freeze_count() == frozen
        # The period is over: the frozen objects go back to the collector.
        assert looplag._freeze_survivors(seen, unfrozen_at, 1600.0) == (seen, 1600.0)
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_a_collection_during_a_sample_does_not_stop_the_thread() -> None:
    # A collection can start inside ``record`` (it allocates), and its callback runs on the
    # same thread, with the state's lock held: it must neither wait for that lock nor fail.
    state = looplag.LoopLag()
    done = threading.Event()

    def sample_with_a_collection_inside() -> None:
        with state.lock:
            state.record_gc(2, 0.01)
            state.record(0.01, 1_800_000_000.0)
        done.set()

    worker = threading.Thread(target=sample_with_a_collection_inside, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert done.is_set(), "the sampling thread stopped on its own lock"
    assert state.gc_collections[2] == 1 and state.samples == 1
