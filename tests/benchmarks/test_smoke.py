"""The benchmark harness works: a short run loses nothing (speed lives in `make bench`).

Fifty residents join one room through two real Daphne processes (the test database,
the real Redis), a speaker posts for two seconds, and every stored statement reaches
every resident, in sequence, once. The stock room gets the same short run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from benchmarks import fixtures
from benchmarks.loadgen import BASELINE, MADANG
from benchmarks.measure import run_step
from benchmarks.scenarios import Bench, build_specs, connect, speakers_for
from tests.support.daphne import database_url_of_test_db

pytestmark = [pytest.mark.redis]

RESIDENTS = 50


def _bench(settings: Any, tmp_path: Path, database_url: str = "") -> Bench:
    return Bench(
        quick=True,
        workers=2,
        processes=2,
        secret_key=settings.SECRET_KEY,
        database_url=database_url,
        world=fixtures.world() if database_url else fixtures.World(0, 0, 0),
        log_dir=tmp_path,
    )


def _short_run(bench: Bench, app: str) -> dict[str, Any]:
    with bench.rooms(app, 1, "smoke") as paths, bench.serve(app) as (dep, gen):
        specs = build_specs(bench, dep, paths, RESIDENTS)
        joined, worker_of = connect(gen, specs)
        assert joined["failed"] == 0, joined["errors"]
        step = run_step(
            gen,
            dep,
            number=1,
            speakers=speakers_for(4.0, specs, worker_of),
            duration=2.0,
            grace=20.0,
        )
        gen.call("close")
    return step


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL")
    or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs REDIS_URL and a PostgreSQL DATABASE_URL",
)
def test_every_resident_hears_every_stored_statement_once(
    transactional_db: None, settings: Any, tmp_path: Path
) -> None:
    step = _short_run(_bench(settings, tmp_path, database_url_of_test_db()), MADANG)

    assert step["posts_sent"] > 0
    assert step["posts_stored"] == step["posts_sent"]
    assert step["clients"] == RESIDENTS
    assert step["lost"] == 0
    assert step["seq_gaps"] == 0
    assert step["duplicates"] == 0
    assert step["deliveries"] == step["posts_stored"] * RESIDENTS
    # Each process's event-loop lag was sampled during the step and read back.
    assert isinstance(step["loop_lag_max_ms"], float) and step["loop_lag_max_ms"] >= 0
    assert isinstance(step["loop_stalls"], int) and isinstance(step["gc_max_ms"], float)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_the_stock_room_delivers_the_same_short_run(settings: Any, tmp_path: Path) -> None:
    step = _short_run(_bench(settings, tmp_path), BASELINE)

    assert step["posts_sent"] > 0
    assert step["lost"] == 0
    assert step["deliveries"] == step["posts_sent"] * RESIDENTS
    assert step["loop_lag_max_ms"] is None  # the stock room has no probe
