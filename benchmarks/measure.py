"""One measured step: speakers post at a fixed rate, every client records what arrives.

``run_step`` starts a step on every worker, lets the speakers post for ``duration``
seconds, waits until every expected delivery arrived (or a grace period passed), and
turns what the workers saw into figures: deliveries per second, latency percentiles,
lost deliveries, server CPU per delivery, server and generator resources.

Expected deliveries are counted from what the room stored: for Madang every post that
was acknowledged with a sequence number must reach every client that was in its room
for the whole step; for the stock room (which stores nothing and acknowledges nothing)
every post sent.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.deploy import PROFILE_DIR, Deployment
from benchmarks.loadgen import MADANG, LoadGenerator, floats, merge_counts


@dataclass(frozen=True)
class Speaker:
    """A client that posts: its worker, its client id, its speaker number, room and rate.

    ``offset`` (seconds) shifts its schedule, so that a room's speakers post evenly spread
    over the interval rather than all at the same instants.
    """

    worker: int
    cid: int
    number: int
    room: int
    rate: float
    offset: float = 0.0


@dataclass
class Extra:
    """A command run on the workers during the step (a reaction burst, churn)."""

    name: str
    per_worker: list[dict[str, Any]]
    replies: list[Any] = field(default_factory=list)


def percentile(values: np.ndarray, q: float) -> float | None:
    if values.size == 0:
        return None
    return round(float(np.percentile(values, q)), 2)


def latency_figures(values: np.ndarray) -> dict[str, float | None]:
    return {
        "p50_ms": percentile(values, 50),
        "p99_ms": percentile(values, 99),
        "max_ms": round(float(values.max()), 2) if values.size else None,
    }


def run_step(
    gen: LoadGenerator,
    deployment: Deployment,
    *,
    number: int,
    speakers: list[Speaker],
    duration: float,
    grace: float = 3.0,
    churning: list[list[int]] | None = None,
    extras: Callable[[float, float], list[Extra]] | None = None,
) -> dict[str, Any]:
    """Run one measured step and return its figures."""
    per_worker_begin = [
        {"number": number, "churning": (churning[w] if churning else [])}
        for w in range(gen.workers)
    ]
    begun = gen.call("begin", per_worker_begin)
    members: Counter[int] = merge_counts([b["members"] for b in begun])
    room_of = {s.number: s.room for s in speakers}
    figures = deployment.figures
    cpu_before = figures.cpu_s()
    gen_cpu_before = sum(u["cpu_s"] for u in gen.call("usage"))
    start = time.monotonic() + 0.3
    end = start + duration
    wall_start = time.time() + 0.3
    plan: list[list[tuple[int, int, float, float]]] = [[] for _ in range(gen.workers)]
    for s in speakers:
        plan[s.worker].append((s.cid, s.number, s.rate, s.offset))
    profilers = deployment.profile(f"step{number}", duration) if PROFILE_DIR else []
    gen.send("speak", [{"speakers": p, "start_at": start, "end_at": end} for p in plan])
    running = extras(start, end) if extras else []
    for extra in running:
        gen.send(extra.name, extra.per_worker)
    gen.gather("speak", timeout=duration + 120)
    for extra in running:
        extra.replies = gen.gather(extra.name, timeout=duration + 300)

    # Drain: wait until every stored post reached every member, or the grace ran out.
    deadline = time.monotonic() + grace
    while True:
        progress = gen.call("progress")
        counted = "stored" if gen.protocol == MADANG else "sent"
        posted = merge_counts([p[counted] for p in progress])
        expected = sum(count * members.get(room_of[spk], 0) for spk, count in posted.items())
        receipts = sum(p["receipts"] for p in progress)
        unanswered = sum(p["unanswered"] for p in progress)
        if (receipts >= expected and not unanswered) or time.monotonic() > deadline:
            break
        time.sleep(0.1)  # polling a condition with a deadline
    drained_at = time.monotonic()
    for profiler in profilers:
        profiler.wait(timeout=duration + 60)
    cpu_after = figures.cpu_s()
    rss_kb = figures.rss_kb()
    loop = deployment.loop_lag(wall_start, time.time())
    ended = gen.call("end")
    deployment.check_alive()
    return summarise(
        ended,
        members=members,
        room_of=room_of,
        protocol=gen.protocol,
        duration=duration,
        server_cpu_s=cpu_after - cpu_before,
        gen_cpu_s=sum(e["cpu_s"] for e in ended) - gen_cpu_before,
        rss_kb=rss_kb,
        drain_s=drained_at - end,
        extras=running,
        loop=loop,
    )


def summarise(
    ended: list[dict[str, Any]],
    *,
    members: Counter[int],
    room_of: dict[int, int],
    protocol: str,
    duration: float,
    server_cpu_s: float,
    gen_cpu_s: float,
    rss_kb: int,
    drain_s: float,
    extras: list[Extra],
    loop: dict[str, float | int | None] | None = None,
) -> dict[str, Any]:
    latency = np.frombuffer(floats([e["latency_ms"] for e in ended]), dtype=np.float32)
    acks = np.frombuffer(floats([e["ack_ms"] for e in ended]), dtype=np.float32)
    receipts: Counter[tuple[int, int]] = merge_counts([e["receipts"] for e in ended])
    sent: dict[tuple[int, int], int] = {}
    acked: dict[tuple[int, int], int | None] = {}
    for e in ended:
        sent.update(e["sent"])
        acked.update(e["acked"])
    if protocol == MADANG:
        expected = [key for key, seq in acked.items() if seq is not None]
        unacked = len(set(sent) - set(acked))
    else:
        expected = list(sent)
        unacked = 0
    lost = sum(max(0, members.get(room_of[key[0]], 0) - receipts.get(key, 0)) for key in expected)
    delivered = sum(e["received"] for e in ended)
    stored = len(expected)
    return {
        "clients": sum(members.values()),
        "rooms": len(members),
        "speakers": len(room_of),
        "rate": round(len(sent) / duration, 2),
        "posts_sent": len(sent),
        "posts_stored": stored if protocol == MADANG else None,
        "posts_unacked": unacked,
        "post_errors": dict(merge_counts([e["post_errors"] for e in ended])),
        "duration_s": duration,
        "deliveries": delivered,
        "deliveries_per_s": round(delivered / duration, 1),
        **latency_figures(latency),
        "ack_p50_ms": percentile(acks, 50),
        "ack_p99_ms": percentile(acks, 99),
        "lost": lost,
        "duplicates": sum(e["duplicates"] for e in ended),
        "seq_gaps": sum(e["seq_gaps"] for e in ended),
        "closed_during_step": sum(e["closed_members"] for e in ended),
        "speaker_substitutes": sum(e.get("speaker_substitutes", 0) for e in ended),
        "speaker_missing": sum(e.get("speaker_missing", 0) for e in ended),
        "unexpected_closes": dict(merge_counts([e["unexpected_closes"] for e in ended])),
        "drain_s": round(max(0.0, drain_s), 3),
        "server_cpu_s": round(server_cpu_s, 3),
        "cpu_us_per_delivery": round(server_cpu_s / delivered * 1e6, 1) if delivered else None,
        "server_cpu_cores": round(server_cpu_s / (duration + max(drain_s, 0)), 3),
        "rss_mb": round(rss_kb / 1024, 1),
        "generator_cpu_s": round(gen_cpu_s, 3),
        "generator_cpu_cores": round(gen_cpu_s / (duration + max(drain_s, 0)), 3),
        # The largest event-loop lag of any server process in the step, its stalls so far
        # (lags at or over MADANG_LOOP_LAG_WARN_MS) and its longest oldest-generation GC.
        **(loop or {"loop_lag_max_ms": None, "loop_stalls": None, "gc_max_ms": None}),
        "statement_ids": {
            f"{k[0]}.{k[1]}": v for e in ended for k, v in e["statement_ids"].items()
        },
        "_extras": {extra.name: extra.replies for extra in extras},
    }


def passes(step: dict[str, Any], *, p99_limit_ms: float = 100.0) -> bool:
    """A sustained step: every stored post reached everyone, p99 within the limit."""
    p99 = step.get("p99_ms")
    return (
        step["lost"] == 0
        and step["posts_unacked"] == 0
        and not step["post_errors"]
        and p99 is not None
        and p99 <= p99_limit_ms
    )
