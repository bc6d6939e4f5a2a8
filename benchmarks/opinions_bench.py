"""The opinion map's own figures: compute time at 2,000 participants x 300 statements, and
agreement with Pol.is's groups on the two real conversations kept with the tests.

    python -m benchmarks.opinions_bench            # prints one JSON object

The votes are sparse, as real conversations are: each participant votes on 10-60 of the
300 statements, leaning with one of three camps. The time is the median of several runs
of ``deliberation.opinions.math.compute`` (the code the rooms run), on this machine as it
is loaded at the time (``load_average`` says how busy it was).
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POLIS = ROOT / "tests" / "opinions" / "data" / "polis"


def sparse_votes(
    people: int = 2000, statements: int = 300, camps: int = 3, seed: int = 1
) -> list[tuple[int, int, int]]:
    rng = np.random.default_rng(seed)
    lean = rng.choice([-1, 1], size=(camps, statements))
    votes = []
    for p in range(people):
        camp = p % camps
        for s in rng.choice(statements, size=int(rng.integers(10, 61)), replace=False):
            r = rng.random()
            value = int(lean[camp, s]) if r < 0.8 else int(rng.choice([-1, 0, 1]))
            votes.append((p, int(s), value))
    return votes


def compute_time(runs: int = 7) -> dict[str, Any]:
    from deliberation.opinions.math import compute

    votes = sparse_votes()
    times, cpu = [], []
    groups = 0
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = compute(votes)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        groups = len(result.groups)
    return {
        "participants": 2000,
        "statements": 300,
        "votes": len(votes),
        "groups": groups,
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        # CPU time of this process: the work itself, whatever else the machine runs.
        "median_cpu_ms": round(statistics.median(cpu), 1),
        "runs": runs,
    }


def polis_agreement() -> dict[str, Any]:
    from deliberation.opinions.math import adjusted_rand_index, compute
    from deliberation.opinions.polis_files import read_polis_dir

    out = {}
    for name in ("15-per-hour-seattle", "brexit-consensus"):
        conversation = read_polis_dir(POLIS / name)
        result = compute(
            conversation.votes,
            statements=conversation.statements,
            excluded=conversation.moderated_out,
        )
        with (POLIS / name / "participants-votes.csv").open(encoding="utf-8") as handle:
            theirs = {
                int(r["participant"]): int(r["group-id"])
                for r in csv.DictReader(handle)
                if r["group-id"] != ""
            }
        mine = result.membership
        out[name] = {
            "ari": round(adjusted_rand_index(mine, theirs), 4),
            "grouped_here": len(mine),
            "grouped_by_polis": len(theirs),
            "groups_here": len(result.groups),
            "groups_by_polis": len(set(theirs.values())),
            "ms": round(result.ms, 1),
        }
    return out


def main() -> int:
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madang.settings")
    import django

    django.setup()
    figures = {
        "compute": compute_time(),
        "polis": polis_agreement(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
