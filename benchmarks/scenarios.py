"""The five scenarios of the benchmark issue, each against Madang and the stock room.

1. One room, one speaker, N = 500, 2,000, 5,000: sweep the rate until p99 passes 100 ms
   or a delivery is lost.
2. One room of 1,000 with 50 speakers, and a burst of 200 reactions within one second.
3. 200 rooms of 25, each room posting once a second, 50 joins and 50 leaves per second.
4. 10,000 idle residents for 5 minutes: server memory per connection, idle CPU.
5. A storm of 2,000 residents joining within 10 seconds: failed joins, handshake p99.

``--quick`` keeps the shapes with smaller numbers and shorter durations, for development.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import fixtures
from benchmarks.deploy import Deployment, deployment
from benchmarks.loadgen import (
    BASELINE,
    MADANG,
    ClientSpec,
    LoadGenerator,
    floats,
    ints,
    merge_counts,
)
from benchmarks.measure import Extra, Speaker, latency_figures, passes, run_step

# A connection may post 10 messages a second (docs/protocol.md, Limits) and the room
# answers one connection's posts one at a time, each after its commit, so one person's
# rate is bounded by the post's round trip. Speakers post at most 2 a second each; a
# higher rate into the room is spread over several speaking residents.
MAX_RATE_PER_SPEAKER = 2.0
# Scenario 1 has one speaker: the room allows one connection 10 messages a second
# (docs/protocol.md), so a second speaker joins only above that.
ONE_SPEAKER_MAX_RATE = 10.0
P99_LIMIT_MS = 100.0
# A delivery that has not arrived this long after the step's last post counts as lost.
GRACE_S = 10.0


@dataclass
class Bench:
    """What every scenario needs: the options, the bench database, where to write."""

    quick: bool
    workers: int
    processes: int
    secret_key: str
    database_url: str
    world: fixtures.World
    log_dir: Path
    baseline: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)  # scenario 1's room sizes, if not the issue's
    _residents: list[fixtures.Resident] = field(default_factory=list)

    def residents(self, count: int) -> list[fixtures.Resident]:
        if len(self._residents) < count:
            self._residents = fixtures.residents(self.world, count)
        return self._residents[:count]

    def apps(self) -> list[str]:
        return [MADANG, BASELINE] if self.baseline else [MADANG]

    @contextmanager
    def serve(self, app: str) -> Iterator[tuple[Deployment, LoadGenerator]]:
        with (
            deployment(
                app,
                processes=self.processes,
                database_url=self.database_url,
                secret_key=self.secret_key,
                log_dir=self.log_dir,
                extra_env=self.extra_env,
            ) as dep,
            LoadGenerator(app, self.workers) as gen,
        ):
            yield dep, gen

    @contextmanager
    def rooms(self, app: str, count: int, label: str) -> Iterator[list[str]]:
        """Paths of ``count`` fresh rooms (live sessions for Madang; names for the stock room)."""
        if app == BASELINE:
            yield [f"/ws/chat/{label}{i}/" for i in range(count)]
            return
        ids = fixtures.open_rooms(self.world, count, label=label)
        try:
            yield [f"/ws/sessions/{sid}/" for sid in ids]
        finally:
            fixtures.close_rooms(ids)


def build_specs(
    bench: Bench,
    dep: Deployment,
    paths: list[str],
    per_room: int,
    *,
    first: int = 0,
    count_rooms: int | None = None,
) -> list[ClientSpec]:
    """Clients ``first``.. spread evenly over the rooms and over the Daphne processes."""
    total = per_room * len(paths)
    # The stock room knows nobody: its clients connect anonymously, as in the tutorial.
    cookies = (
        [r.cookie for r in bench.residents(first + total)[first:]]
        if dep.name == MADANG
        else [""] * total
    )
    specs = []
    for i in range(total):
        cid = first + i
        server = dep.servers[cid % len(dep.servers)]
        room = i % len(paths)
        specs.append(
            ClientSpec(
                cid=cid,
                room=room,
                url=server.ws_url(paths[room]),
                origin=server.origin,
                cookie=cookies[i],
            )
        )
    return specs


def connect(
    gen: LoadGenerator,
    specs: list[ClientSpec],
    *,
    concurrency: int = 16,
    spread_s: float = 0.0,
    budget_s: float = 120.0,
) -> tuple[dict[str, Any], dict[int, int]]:
    """Open the clients (dealt round-robin to the workers); returns figures, cid -> worker.

    Joins still waiting to start after ``budget_s`` are not attempted: a run on a slow
    machine goes on with the residents it has (the figures say how many).
    """
    shares = gen.split(specs)
    worker_of = {spec.cid: w for w, share in enumerate(shares) for spec in share}
    start_at = time.monotonic() + 0.5
    started = time.monotonic()
    replies = gen.call(
        "connect",
        [
            {
                "specs": share,
                "concurrency": concurrency,
                "spread_s": spread_s,
                "start_at": start_at,
                "give_up_at": start_at + budget_s,
            }
            for share in shares
        ],
    )
    handshakes = np.frombuffer(floats([r["handshake_ms"] for r in replies]), dtype=np.float32)
    figures = {
        "attempted": len(specs),
        "opened": sum(r["opened"] for r in replies),
        "failed": sum(r["failed"] for r in replies),
        "not_attempted": sum(r["skipped"] for r in replies),
        "errors": dict(merge_counts([r["errors"] for r in replies])),
        "seconds": round(time.monotonic() - started, 2),
        "handshake_p50_ms": _pct(handshakes, 50),
        "handshake_p99_ms": _pct(handshakes, 99),
        "handshake_max_ms": round(float(handshakes.max()), 2) if handshakes.size else None,
    }
    return figures, worker_of


def _pct(values: np.ndarray, q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values.size else None


def speakers_for(
    rate: float,
    specs: list[ClientSpec],
    worker_of: dict[int, int],
    *,
    room: int = 0,
    max_rate: float = MAX_RATE_PER_SPEAKER,
) -> list[Speaker]:
    """Enough speaking residents of ``room`` to post ``rate`` statements a second.

    Their schedules are shifted so the room's posts are evenly spread in time (an open
    loop at ``rate``), not bursts of every speaker at the same instant.
    """
    in_room = [s for s in specs if s.room == room]
    count = min(len(in_room), max(1, math.ceil(rate / max_rate)))
    each = rate / count
    return [
        Speaker(
            worker=worker_of[s.cid],
            cid=s.cid,
            number=i,
            room=room,
            rate=each,
            offset=i / (count * each),
        )
        for i, s in enumerate(in_room[:count])
    ]


def _strip(step: dict[str, Any]) -> dict[str, Any]:
    step = dict(step)
    step.pop("statement_ids", None)
    step.pop("_extras", None)
    return step


def _pause() -> None:
    time.sleep(1.0)  # let queues settle between steps (not a synchronisation)


# ---------------------------------------------------------------------------
# Scenario 1: one room, one speaker, rate sweep
# ---------------------------------------------------------------------------


def scenario_1(bench: Bench) -> dict[str, Any]:
    sizes = bench.sizes or ([50, 200] if bench.quick else [500, 2000, 5000])
    targets = (
        [1000, 2000, 4000]
        if bench.quick
        else [1000, 2500, 5000, 10000, 15000, 20000, 25000, 30000, 40000]
    )
    duration = 3.0 if bench.quick else 6.0
    headline_size = 2000 if 2000 in sizes and not bench.quick else sizes[-1]
    sweeps = []
    for size in sizes:
        sweep: dict[str, Any] = {"clients": size}
        for app in bench.apps():
            sweep[app] = _sweep(bench, app, size, targets, duration)
        sweeps.append(sweep)
    headline = next(s for s in sweeps if s["clients"] == headline_size)
    # With no passing step, the row shows the lightest step (and says so).
    best = headline[MADANG]["best"] or _first_step(headline[MADANG])
    base_best = (headline.get(BASELINE) or {}).get("best") or {}
    madang_rate = best.get("deliveries_per_s")
    base_rate = base_best.get("deliveries_per_s")
    result = {
        "scenario": "1-one-room-sweep",
        "clients": headline_size,
        "rate": best.get("rate"),
        "deliveries_per_s": madang_rate,
        "p50_ms": best.get("p50_ms"),
        "p99_ms": best.get("p99_ms"),
        "max_ms": best.get("max_ms"),
        "lost": best.get("lost"),
        "cpu_us_per_delivery": best.get("cpu_us_per_delivery"),
        "rss_mb": best.get("rss_mb"),
        "baseline_deliveries_per_s": base_rate,
        "ratio": round(madang_rate / base_rate, 2) if madang_rate and base_rate else None,
        "ratio_lower_bound": ratio_lower_bound(headline),
        "sustained": headline[MADANG]["best"] is not None,
        "same_offer": same_offer(headline),
        "sustained_means": f"highest step with p99 <= {P99_LIMIT_MS:g} ms and nothing lost",
        "sweeps": sweeps,
    }
    return result


def ratio_lower_bound(sweep: dict[str, Any]) -> float | None:
    """When the stock room sustained no step: Madang's sustained rate / the stock room's
    lightest (failed) step, a lower bound of the ratio. None when a ratio exists."""
    mine = (sweep.get(MADANG) or {}).get("best")
    base = sweep.get(BASELINE) or {}
    lightest = _first_step(base).get("deliveries_per_s")
    if not mine or base.get("best") or not lightest:
        return None
    return round(mine["deliveries_per_s"] / lightest, 1)


def same_offer(sweep: dict[str, Any]) -> dict[str, Any] | None:
    """Both rooms' first step (the same offered load): what each delivered, and at what cost.

    This is the comparison that stays meaningful when neither room sustains a step.
    """
    mine = _first_step(sweep.get(MADANG) or {})
    base = _first_step(sweep.get(BASELINE) or {})
    if not mine or not base:
        return None
    keys = ("rate", "deliveries_per_s", "p50_ms", "p99_ms", "lost", "cpu_us_per_delivery")
    delivered = (
        round(mine["deliveries_per_s"] / base["deliveries_per_s"], 2)
        if base.get("deliveries_per_s")
        else None
    )
    cheaper = (
        round(base["cpu_us_per_delivery"] / mine["cpu_us_per_delivery"], 2)
        if base.get("cpu_us_per_delivery") and mine.get("cpu_us_per_delivery")
        else None
    )
    return {
        "madang": {k: mine.get(k) for k in keys},
        "baseline": {k: base.get(k) for k in keys},
        "delivered_ratio": delivered,
        "cpu_per_delivery_ratio": cheaper,
    }


def _first_step(sweep: dict[str, Any]) -> dict[str, Any]:
    steps = sweep.get("steps") or []
    return steps[0] if steps else {}


def _sweep(
    bench: Bench, app: str, size: int, targets: list[int], duration: float
) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    with bench.rooms(app, 1, "s1") as paths, bench.serve(app) as (dep, gen):
        specs = build_specs(bench, dep, paths, size)
        joined, worker_of = connect(gen, specs)
        # Warm-up (not reported): first posts pay for imports, caches and connections.
        run_step(gen, dep, number=1, speakers=speakers_for(2.0, specs, worker_of), duration=2.0)
        for k, target in enumerate(targets):
            _pause()
            rate = target / size
            step = run_step(
                gen,
                dep,
                number=k + 2,
                speakers=speakers_for(rate, specs, worker_of, max_rate=ONE_SPEAKER_MAX_RATE),
                duration=duration,
                grace=GRACE_S,
            )
            steps.append(_strip(step))
            print(_line(f"s1 {app} N={size}", step), flush=True)
            if not passes(step, p99_limit_ms=P99_LIMIT_MS):
                break
        gen.call("close")
    sustained = [s for s in steps if passes(s, p99_limit_ms=P99_LIMIT_MS)]
    best = max(sustained, key=lambda s: s["deliveries_per_s"]) if sustained else None
    return {"join": joined, "best": best, "steps": steps}


def _line(label: str, step: dict[str, Any]) -> str:
    return (
        f"  {label}: rate {step['rate']}/s -> {step['deliveries_per_s']:.0f} deliveries/s, "
        f"p50 {step['p50_ms']} p99 {step['p99_ms']} max {step['max_ms']} ms, "
        f"lost {step['lost']}, cpu {step['cpu_us_per_delivery']} us/delivery, "
        f"server {step['server_cpu_cores']} cores, generator {step['generator_cpu_cores']} cores, "
        f"loop lag max {step.get('loop_lag_max_ms')} ms, gc max {step.get('gc_max_ms')} ms"
    )


# ---------------------------------------------------------------------------
# Scenario 2: 1,000 residents, 50 speakers, a burst of 200 reactions
# ---------------------------------------------------------------------------


def scenario_2(bench: Bench) -> dict[str, Any]:
    size = 100 if bench.quick else 1000
    speaking = 10 if bench.quick else 50
    reactors = 40 if bench.quick else 200
    duration = 6.0 if bench.quick else 20.0
    per_speaker = 0.2
    runs: dict[str, Any] = {}
    for app in bench.apps():
        with bench.rooms(app, 1, "s2") as paths, bench.serve(app) as (dep, gen):
            specs = build_specs(bench, dep, paths, size)
            joined, worker_of = connect(gen, specs)
            warm = run_step(
                gen, dep, number=1, speakers=speakers_for(1.0, specs, worker_of), duration=1.5
            )
            speakers = [
                Speaker(worker_of[s.cid], s.cid, i, 0, per_speaker, i / (speaking * per_speaker))
                for i, s in enumerate(specs[:speaking])
            ]
            burst = None
            if app == MADANG:
                statement_id = next(iter(warm["statement_ids"].values()))
                chosen = [s.cid for s in specs[speaking : speaking + reactors]]
                by_worker: list[list[int]] = [[] for _ in range(gen.workers)]
                for cid in chosen:
                    by_worker[worker_of[cid]].append(cid)
                gen.call("watch_reactions", statement_id=statement_id, total=reactors)

                def extras(
                    start: float,
                    end: float,
                    statement_id: int = statement_id,
                    by_worker: list[list[int]] = by_worker,
                ) -> list[Extra]:
                    at = start + (end - start) / 2
                    return [
                        Extra(
                            "react",
                            [
                                {
                                    "reactors": cids,
                                    "statement_id": statement_id,
                                    "kind": "공감",
                                    "start_at": at,
                                    "spread_s": 1.0,
                                }
                                for cids in by_worker
                            ],
                        )
                    ]

                step = run_step(
                    gen,
                    dep,
                    number=2,
                    speakers=speakers,
                    duration=duration,
                    extras=extras,
                    grace=GRACE_S,
                )
                burst = _reaction_figures(gen, step, reactors)
            else:
                step = run_step(
                    gen, dep, number=2, speakers=speakers, duration=duration, grace=GRACE_S
                )
            print(_line(f"s2 {app}", step), flush=True)
            gen.call("close")
        runs[app] = {"join": joined, "step": _strip(step), "reactions": burst}
    mine = runs[MADANG]["step"]
    base = (runs.get(BASELINE) or {}).get("step") or {}
    burst = runs[MADANG]["reactions"] or {}
    return {
        "scenario": "2-speakers-and-reactions",
        "clients": size,
        "rate": mine["rate"],
        "speakers": speaking,
        "deliveries_per_s": mine["deliveries_per_s"],
        "p50_ms": mine["p50_ms"],
        "p99_ms": mine["p99_ms"],
        "max_ms": mine["max_ms"],
        "lost": mine["lost"],
        "cpu_us_per_delivery": mine["cpu_us_per_delivery"],
        "rss_mb": mine["rss_mb"],
        "reaction_burst": reactors,
        "reaction_drain_ms": burst.get("drain_ms"),
        "reaction_p99_ms": burst.get("p99_ms"),
        "baseline_deliveries_per_s": base.get("deliveries_per_s"),
        "baseline_p99_ms": base.get("p99_ms"),
        "ratio": None,
        "ratio_note": "same offered load on both; the stock room has no reactions",
        "runs": runs,
    }


def _reaction_figures(gen: LoadGenerator, step: dict[str, Any], total: int) -> dict[str, Any]:
    """Time from the last reaction sent until each client saw all of them counted."""
    acked = sum(len(r["acks_us"]) // 8 for r in gen.call("reaction_report", total=total))
    # Every client should end up holding the acknowledged reactions, all of them counted.
    reports = gen.call("reaction_report", total=acked)
    done = np.frombuffer(ints([r["done_us"] for r in reports]), dtype=np.int64)
    acks = np.frombuffer(ints([r["acks_us"] for r in reports]), dtype=np.int64)
    last_ack = int(acks.max()) if acks.size else 0
    waits = (done - last_ack) / 1000.0 if done.size and last_ack else np.array([])
    return {
        "reactions_acked": int(acks.size),
        "errors": dict(merge_counts([r["errors"] for r in reports])),
        "clients_with_final_counts": int(done.size),
        "clients_without_final_counts": sum(r["not_done"] for r in reports),
        "drain_ms": round(float(waits.max()), 2) if waits.size else None,
        "p50_ms": _pct(waits, 50),
        "p99_ms": _pct(waits, 99),
        "sent": total,
        "total_counted": acked,
    }


# ---------------------------------------------------------------------------
# Scenario 3: 200 rooms of 25, one post a second per room, churn
# ---------------------------------------------------------------------------


def scenario_3(bench: Bench) -> dict[str, Any]:
    room_count = 20 if bench.quick else 200
    per_room = 10 if bench.quick else 25
    churn_rate = 5.0 if bench.quick else 50.0
    duration = 6.0 if bench.quick else 30.0
    runs: dict[str, Any] = {}
    for app in bench.apps():
        with bench.rooms(app, room_count, "s3r") as paths, bench.serve(app) as (dep, gen):
            specs = build_specs(bench, dep, paths, per_room)
            first = len(specs)
            churners = build_specs(bench, dep, paths, 1, first=first)
            fresh_count = int(churn_rate * duration) + 10
            fresh = build_specs(
                bench,
                dep,
                paths * math.ceil(fresh_count / room_count),
                1,
                first=first + len(churners),
            )[:fresh_count]
            joined, worker_of = connect(gen, specs + churners)
            speakers = []
            for room in range(room_count):
                s = specs[room]  # client i sits in room i % room_count
                # every room posts once a second, the rooms' posts spread over the second
                speakers.append(
                    Speaker(worker_of[s.cid], s.cid, room, room, 1.0, room / room_count)
                )
            leaving: list[list[int]] = [[] for _ in range(gen.workers)]
            for c in churners:
                leaving[worker_of[c.cid]].append(c.cid)
            pools = gen.split(fresh)
            per_worker_rate = churn_rate / gen.workers

            def extras(
                start: float,
                end: float,
                leaving: list[list[int]] = leaving,
                pools: list[list[ClientSpec]] = pools,
                per_worker_rate: float = per_worker_rate,
            ) -> list[Extra]:
                return [
                    Extra(
                        "churn",
                        [
                            {
                                "leavers": leaving[w],
                                "pool": pools[w],
                                "per_second": per_worker_rate,
                                "start_at": start,
                                "end_at": end,
                            }
                            for w in range(gen.workers)
                        ],
                    )
                ]

            step = run_step(
                gen,
                dep,
                number=2,
                speakers=speakers,
                duration=duration,
                churning=leaving,
                extras=extras,
                grace=GRACE_S,
            )
            churn = step_churn(step["_extras"].get("churn"))
            print(_line(f"s3 {app}", step), flush=True)
            gen.call("close")
        runs[app] = {"join": joined, "step": _strip(step), "churn": churn}
    mine = runs[MADANG]["step"]
    base = (runs.get(BASELINE) or {}).get("step") or {}
    return {
        "scenario": "3-many-rooms-churn",
        "clients": room_count * per_room,
        "rooms": room_count,
        "rate": mine["rate"],
        "churn_per_s": churn_rate,
        "deliveries_per_s": mine["deliveries_per_s"],
        "p50_ms": mine["p50_ms"],
        "p99_ms": mine["p99_ms"],
        "max_ms": mine["max_ms"],
        "lost": mine["lost"],
        "cpu_us_per_delivery": mine["cpu_us_per_delivery"],
        "rss_mb": mine["rss_mb"],
        "churn": runs[MADANG]["churn"],
        "baseline_deliveries_per_s": base.get("deliveries_per_s"),
        "baseline_p99_ms": base.get("p99_ms"),
        "ratio": None,
        "ratio_note": "same offered load on both: compare p99 and CPU per delivery",
        "runs": runs,
    }


def step_churn(extras_replies: Any) -> dict[str, Any]:
    replies = extras_replies or []
    if not replies:
        return {}
    handshakes = np.frombuffer(floats([r["handshake_ms"] for r in replies]), dtype=np.float32)
    return {
        "joins": sum(r["joins"] for r in replies),
        "leaves": sum(r["leaves"] for r in replies),
        "failed_joins": sum(r["failed"] for r in replies),
        "errors": dict(merge_counts([r["errors"] for r in replies])),
        "handshake_p50_ms": _pct(handshakes, 50),
        "handshake_p99_ms": _pct(handshakes, 99),
    }


# ---------------------------------------------------------------------------
# Scenario 4: 10,000 idle residents
# ---------------------------------------------------------------------------


def scenario_4(bench: Bench) -> dict[str, Any]:
    size = 500 if bench.quick else 10000
    idle_s = 15.0 if bench.quick else 300.0
    baseline_idle_s = 10.0 if bench.quick else 30.0
    runs: dict[str, Any] = {}
    for app in bench.apps():
        idle = idle_s if app == MADANG else baseline_idle_s
        runs[app] = _idle(bench, app, size, idle)
    mine = runs[MADANG]
    base = runs.get(BASELINE) or {}
    return {
        "scenario": "4-idle",
        "clients": size,
        "rate": 0,
        "idle_s": idle_s,
        "rss_kb_per_connection": mine["rss_kb_per_connection"],
        "idle_cpu_pct": mine["idle_cpu_pct"],
        "deliveries_per_s": None,
        "p50_ms": mine["check"]["p50_ms"],
        "p99_ms": mine["check"]["p99_ms"],
        "max_ms": mine["check"]["max_ms"],
        "lost": mine["check"]["lost"],
        "cpu_us_per_delivery": None,
        "rss_mb": mine["rss_mb"],
        "baseline_rss_kb_per_connection": base.get("rss_kb_per_connection"),
        "baseline_deliveries_per_s": None,
        "ratio": None,
        "runs": runs,
    }


def _idle(bench: Bench, app: str, size: int, idle_s: float) -> dict[str, Any]:
    with bench.rooms(app, 1, "s4") as paths, bench.serve(app) as (dep, gen):
        specs = build_specs(bench, dep, paths, size)
        figures = dep.figures
        rss_before = figures.rss_kb()
        joined, worker_of = connect(gen, specs, concurrency=16)
        time.sleep(3.0)  # let the join bursts' garbage be collected before weighing
        rss_connected = figures.rss_kb()
        cpu_before = figures.cpu_s()
        gen_before = sum(u["cpu_s"] for u in gen.call("usage"))
        started = time.monotonic()
        deadline = started + idle_s
        while time.monotonic() < deadline:
            time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
            dep.check_alive()
        idle_cpu = figures.cpu_s() - cpu_before
        usage = gen.call("usage")
        gen_idle = sum(u["cpu_s"] for u in usage) - gen_before
        still_open = sum(u["open"] for u in usage)
        rss_after = figures.rss_kb()
        # Everyone still connected must still hear the room.
        check = run_step(
            gen,
            dep,
            number=2,
            speakers=speakers_for(1.0, specs, worker_of),
            duration=2.0,
            grace=10.0,
        )
        gen.call("close")
    opened = max(1, joined["opened"])
    result = {
        "join": joined,
        "rss_mb_before": round(rss_before / 1024, 1),
        "rss_mb": round(rss_connected / 1024, 1),
        "rss_mb_after_idle": round(rss_after / 1024, 1),
        "rss_kb_per_connection": round((rss_connected - rss_before) / opened, 1),
        "rss_kb_per_connection_after_idle": round((rss_after - rss_before) / opened, 1),
        "idle_s": idle_s,
        "idle_cpu_s": round(idle_cpu, 2),
        "idle_cpu_pct": round(idle_cpu / idle_s * 100, 2),
        "generator_idle_cpu_s": round(gen_idle, 2),
        "still_open": still_open,
        "check": _strip(check),
    }
    print(
        f"  s4 {app}: {joined['opened']} open, {result['rss_kb_per_connection']} KB/connection, "
        f"idle cpu {result['idle_cpu_pct']}%, lost {check['lost']}",
        flush=True,
    )
    return result


# ---------------------------------------------------------------------------
# Scenario 5: connection storm
# ---------------------------------------------------------------------------


def scenario_5(bench: Bench) -> dict[str, Any]:
    size = 200 if bench.quick else 2000
    window = 3.0 if bench.quick else 10.0
    runs: dict[str, Any] = {}
    for app in bench.apps():
        with bench.rooms(app, 1, "s5") as paths, bench.serve(app) as (dep, gen):
            specs = build_specs(bench, dep, paths, size)
            cpu_before = dep.figures.cpu_s()
            joined, worker_of = connect(gen, specs, spread_s=window)
            join_cpu = dep.figures.cpu_s() - cpu_before
            check = run_step(
                gen,
                dep,
                number=2,
                speakers=speakers_for(1.0, specs, worker_of),
                duration=2.0,
                grace=10.0,
            )
            gen.call("close")
        runs[app] = {
            "join": joined,
            "join_cpu_ms_per_join": round(join_cpu / max(1, size) * 1000, 2),
            "check": _strip(check),
        }
        print(
            f"  s5 {app}: {joined['opened']}/{size} joined in {joined['seconds']} s, "
            f"handshake p99 {joined['handshake_p99_ms']} ms, failed {joined['failed']}",
            flush=True,
        )
    mine = runs[MADANG]
    base = runs.get(BASELINE) or {}
    return {
        "scenario": "5-connection-storm",
        "clients": size,
        "rate": round(size / window, 1),
        "window_s": window,
        "failed_joins": mine["join"]["failed"],
        "handshake_p50_ms": mine["join"]["handshake_p50_ms"],
        "handshake_p99_ms": mine["join"]["handshake_p99_ms"],
        "deliveries_per_s": None,
        "p50_ms": mine["check"]["p50_ms"],
        "p99_ms": mine["check"]["p99_ms"],
        "max_ms": mine["check"]["max_ms"],
        "lost": mine["check"]["lost"],
        "cpu_us_per_delivery": None,
        "rss_mb": mine["check"]["rss_mb"],
        "baseline_failed_joins": (base.get("join") or {}).get("failed"),
        "baseline_handshake_p99_ms": (base.get("join") or {}).get("handshake_p99_ms"),
        "baseline_deliveries_per_s": None,
        "ratio": None,
        "runs": runs,
    }


# ---------------------------------------------------------------------------
# Scenario 6: statement fan-out with voting on statements off, then on
# ---------------------------------------------------------------------------


def scenario_6(bench: Bench) -> dict[str, Any]:
    """One room, one speaker at a fixed rate: the same fan-out measured without votes, then
    with voting on and residents voting on statements throughout (counts coalesced, the
    opinion map recomputed every few seconds)."""
    size = 300 if bench.quick else 2000
    rate = 4.0
    votes_per_s = 30.0 if bench.quick else 200.0
    duration = 8.0 if bench.quick else 20.0
    steps: dict[str, Any] = {}
    with bench.rooms(MADANG, 1, "s6") as paths, bench.serve(MADANG) as (dep, gen):
        session_id = int(paths[0].rstrip("/").rsplit("/", 1)[1])
        specs = build_specs(bench, dep, paths, size)
        joined, worker_of = connect(gen, specs)
        warm = run_step(
            gen, dep, number=1, speakers=speakers_for(2.0, specs, worker_of), duration=3.0
        )
        statement_ids = sorted(set(warm["statement_ids"].values()))
        voters_by_worker: list[list[int]] = [[] for _ in range(gen.workers)]
        for s in specs[1:]:
            voters_by_worker[worker_of[s.cid]].append(s.cid)
        for number, voting in ((2, False), (3, True)):
            fixtures.set_voting(session_id, voting)
            speakers = speakers_for(rate, specs, worker_of)

            def extras(start: float, end: float, voting: bool = voting) -> list[Extra]:
                if not voting:
                    return []
                share = votes_per_s / gen.workers
                return [
                    Extra(
                        "vote",
                        [
                            {
                                "voters": cids,
                                "statement_ids": statement_ids,
                                "start_at": start,
                                "end_at": end,
                                "rate": share,
                            }
                            for cids in voters_by_worker
                        ],
                    )
                ]

            step = run_step(
                gen,
                dep,
                number=number,
                speakers=speakers,
                duration=duration,
                extras=extras,
                grace=GRACE_S,
            )
            votes = gen.call("vote_report") if voting else []
            label = "voting on" if voting else "voting off"
            print(_line(f"s6 {label}", step), flush=True)
            steps[label] = {
                "step": _strip(step),
                "votes_acked": sum(v["acks"] for v in votes),
                "vote_errors": dict(merge_counts([v["errors"] for v in votes])),
                "maps": fixtures.opinion_map_state(session_id),
            }
        gen.call("close")
    off, on = steps["voting off"]["step"], steps["voting on"]["step"]
    return {
        "scenario": "6-statement-fanout-with-voting",
        "clients": size,
        "rate": rate,
        "votes_per_s_offered": votes_per_s,
        "votes_acked": steps["voting on"]["votes_acked"],
        "vote_errors": steps["voting on"]["vote_errors"],
        "off_deliveries_per_s": off["deliveries_per_s"],
        "off_p50_ms": off["p50_ms"],
        "off_p99_ms": off["p99_ms"],
        "off_lost": off["lost"],
        "on_deliveries_per_s": on["deliveries_per_s"],
        "on_p50_ms": on["p50_ms"],
        "on_p99_ms": on["p99_ms"],
        "on_lost": on["lost"],
        "on_cpu_us_per_delivery": on["cpu_us_per_delivery"],
        "off_cpu_us_per_delivery": off["cpu_us_per_delivery"],
        "join": joined,
        "runs": steps,
    }


SCENARIOS = {
    "1": scenario_1,
    "2": scenario_2,
    "3": scenario_3,
    "4": scenario_4,
    "5": scenario_5,
    "6": scenario_6,
}

__all__ = ["SCENARIOS", "Bench", "latency_figures"]
