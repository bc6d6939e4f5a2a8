"""The event loop's lag, sampled in every server process, and its pauses for garbage collection.

A timer is set every ``MADANG_LOOP_LAG_INTERVAL`` seconds; how late it fires is the time
the loop spent on something else: one slow callback, a database call made on the loop, a
long garbage collection. A stall of one process freezes every socket it serves, so it is
logged when it happens (``MADANG_LOOP_LAG_WARN_MS``) and exported at ``/ops/metrics``
(Prometheus text, or JSON with ``?format=json``) for monitoring and for the benchmark.

Garbage collections are timed through ``gc.callbacks``: a stall that coincides with a
long collection of the oldest generation points at the heap, not at the code.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.http import require_GET

from . import joingate

log = logging.getLogger(__name__)

# Histogram bounds in seconds (Prometheus ``le`` labels); the last bucket is +Inf.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# Per-second maxima kept for the JSON form (the benchmark reads its step's seconds).
SECONDS_KEPT = 300
# The gauge's window: long enough that a scrape every 15 s sees every stall.
GAUGE_WINDOW_SECONDS = 15


@dataclass
class LoopLag:
    """What the probe has seen in this process (shared with the metrics view's thread)."""

    samples: int = 0
    total_s: float = 0.0
    max_s: float = 0.0
    stalls: int = 0
    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    # (unix second, largest lag in it) for the last SECONDS_KEPT seconds with a sample
    seconds: deque[tuple[int, float]] = field(default_factory=lambda: deque(maxlen=SECONDS_KEPT))
    gc_collections: list[int] = field(default_factory=lambda: [0, 0, 0])
    gc_total_s: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    gc_max_s: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    # Reentrant: a garbage collection can start inside ``record`` (it allocates), and its
    # callback runs on the same thread.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def record(self, lag_s: float, now: float) -> None:
        lag_s = max(0.0, lag_s)
        with self.lock:
            self.samples += 1
            self.total_s += lag_s
            self.max_s = max(self.max_s, lag_s)
            index = next((i for i, bound in enumerate(BUCKETS) if lag_s <= bound), len(BUCKETS))
            self.counts[index] += 1
            second = int(now)
            if self.seconds and self.seconds[-1][0] == second:
                self.seconds[-1] = (second, max(self.seconds[-1][1], lag_s))
            else:
                self.seconds.append((second, lag_s))

    def record_gc(self, generation: int, seconds: float) -> None:
        # Called from gc.callbacks, which may run while any lock is held by this very
        # thread: it takes none (single stores under the GIL; a reader may see one
        # collection's figures half updated, never a stopped thread).
        self.gc_collections[generation] += 1
        self.gc_total_s[generation] += seconds
        self.gc_max_s[generation] = max(self.gc_max_s[generation], seconds)

    def recent_max_s(self, now: float, window: float = GAUGE_WINDOW_SECONDS) -> float:
        with self.lock:
            return max((lag for second, lag in self.seconds if second >= now - window), default=0.0)

    def as_dict(self, now: float) -> dict[str, Any]:
        with self.lock:
            return {
                "pid": os.getpid(),
                "interval_s": interval(),
                "samples": self.samples,
                "mean_ms": round(self.total_s / self.samples * 1000, 3) if self.samples else 0.0,
                "max_ms": round(self.max_s * 1000, 3),
                "stalls": self.stalls,
                "seconds": [[second, round(lag * 1000, 3)] for second, lag in self.seconds],
                "gc": [
                    {
                        "generation": generation,
                        "collections": self.gc_collections[generation],
                        "total_ms": round(self.gc_total_s[generation] * 1000, 3),
                        "max_ms": round(self.gc_max_s[generation] * 1000, 3),
                    }
                    for generation in range(3)
                ],
                "now": now,
            }


STATE = LoopLag()
_probes: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
_gc_started: dict[int, float] = {}


def interval() -> float:
    return float(getattr(settings, "MADANG_LOOP_LAG_INTERVAL", 0.1))


def _on_gc(phase: str, info: dict[str, int]) -> None:
    # Collections run on whichever thread allocated: keyed by thread, never shared.
    thread = threading.get_ident()
    if phase == "start":
        _gc_started[thread] = time.perf_counter()
        return
    started = _gc_started.pop(thread, None)
    if started is not None:
        STATE.record_gc(int(info.get("generation", 0)), time.perf_counter() - started)


def _freeze_survivors(full_seen: int, unfrozen_at: float, now: float) -> tuple[int, float]:
    """After a full collection, move what survived it out of the collector's way.

    A process serving thousands of sockets holds millions of long-lived objects; each
    collection of the oldest generation walks all of them with the loop stopped. What
    survived a full collection is frozen (``gc.freeze``): later full collections walk only
    what is newer. Every ``MADANG_GC_UNFREEZE_SECONDS`` the frozen objects are handed back,
    so garbage among them (a closed connection's cycles) is collected by the next full
    collection, which freezes again.
    """
    full = STATE.gc_collections[2]
    if full != full_seen:
        gc.freeze()
        full_seen = full
    period = float(getattr(settings, "MADANG_GC_UNFREEZE_SECONDS", 600))
    if period > 0 and now - unfrozen_at >= period:
        gc.unfreeze()
        unfrozen_at = now
    return full_seen, unfrozen_at


async def _probe(loop: asyncio.AbstractEventLoop, every: float, warn_s: float) -> None:
    freeze = bool(getattr(settings, "MADANG_GC_FREEZE", False))
    full_seen, unfrozen_at = STATE.gc_collections[2], loop.time()
    while True:
        expected = loop.time() + every
        await asyncio.sleep(every)  # a periodic sample, not synchronisation
        lag = loop.time() - expected
        STATE.record(lag, time.time())
        if freeze:
            full_seen, unfrozen_at = _freeze_survivors(full_seen, unfrozen_at, loop.time())
        if lag >= warn_s:
            with STATE.lock:
                STATE.stalls += 1
            log.warning(
                "event loop stalled for %.0f ms (pid %d; longest collection of the oldest "
                "generation so far %.0f ms)",
                lag * 1000,
                os.getpid(),
                STATE.gc_max_s[2] * 1000,
            )


def ensure_started() -> None:
    """Start the probe on the running loop (once per loop); a no-op when switched off."""
    every = interval()
    if every <= 0:
        return
    loop = asyncio.get_running_loop()
    task = _probes.get(loop)
    if task is not None and not task.done():
        return
    if _on_gc not in gc.callbacks:
        gc.callbacks.append(_on_gc)
    warn_s = float(getattr(settings, "MADANG_LOOP_LAG_WARN_MS", 250)) / 1000
    _probes[loop] = loop.create_task(_probe(loop, every, warn_s))


class LoopLagMiddleware:
    """ASGI middleware: the first connection or request of a process starts the probe."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        ensure_started()
        return await self.app(scope, receive, send)


def _prometheus(now: float) -> str:
    data = STATE.as_dict(now)
    with STATE.lock:
        counts = list(STATE.counts)
        total = STATE.total_s
    lines = [
        "# HELP madang_event_loop_lag_seconds How late the event loop ran a periodic timer.",
        "# TYPE madang_event_loop_lag_seconds histogram",
    ]
    running = 0
    for bound, count in zip(BUCKETS, counts, strict=False):
        running += count
        lines.append(f'madang_event_loop_lag_seconds_bucket{{le="{bound}"}} {running}')
    running += counts[-1]
    lines += [
        f'madang_event_loop_lag_seconds_bucket{{le="+Inf"}} {running}',
        f"madang_event_loop_lag_seconds_sum {total:.6f}",
        f"madang_event_loop_lag_seconds_count {running}",
        "# HELP madang_event_loop_lag_max_seconds The largest lag of the last "
        f"{GAUGE_WINDOW_SECONDS} seconds.",
        "# TYPE madang_event_loop_lag_max_seconds gauge",
        f"madang_event_loop_lag_max_seconds {STATE.recent_max_s(now):.6f}",
        "# HELP madang_event_loop_stalls_total Samples at or over the warning threshold.",
        "# TYPE madang_event_loop_stalls_total counter",
        f"madang_event_loop_stalls_total {data['stalls']}",
        "# HELP madang_gc_pause_seconds_max The longest garbage collection, by generation.",
        "# TYPE madang_gc_pause_seconds_max gauge",
    ]
    lines += [
        f'madang_gc_pause_seconds_max{{generation="{g["generation"]}"}} {g["max_ms"] / 1000:.6f}'
        for g in data["gc"]
    ]
    lines += [
        "# HELP madang_gc_collections_total Garbage collections, by generation.",
        "# TYPE madang_gc_collections_total counter",
    ]
    lines += [
        f'madang_gc_collections_total{{generation="{g["generation"]}"}} {g["collections"]}'
        for g in data["gc"]
    ]
    joins = joingate.figures()
    lines += [
        "# HELP madang_joins_total Room joins by what the join gate did: admitted, shed "
        "(told to come back later) or abandoned (the client left while waiting).",
        "# TYPE madang_joins_total counter",
        *(
            f'madang_joins_total{{outcome="{k}"}} {joins[k]}'
            for k in ("admitted", "shed", "abandoned")
        ),
        "# HELP madang_joins_in_progress Room joins running or waiting their turn.",
        "# TYPE madang_joins_in_progress gauge",
        *(f'madang_joins_in_progress{{state="{k}"}} {joins[k]}' for k in ("running", "waiting")),
    ]
    return "\n".join(lines) + "\n"


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """This process's figures, for the operator's monitoring (a bearer token, else 404)."""
    token = str(getattr(settings, "MADANG_METRICS_TOKEN", "") or "")
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponseForbidden()
    now = time.time()
    if request.GET.get("format") == "json":
        return JsonResponse({**STATE.as_dict(now), "joins": joingate.figures()})
    return HttpResponse(_prometheus(now), content_type="text/plain; version=0.0.4")
