"""`make bench`: run the live-room scenarios against Madang and the stock room, then report.

    python -m benchmarks                 # every scenario with the issue's parameters
    python -m benchmarks --quick -s 1    # a small, short run of scenario 1 for development

Results go to benchmarks/results/<scenario>.json and a table in docs/benchmarks.md
(``--quick`` runs write to benchmarks/results/quick/ and leave the page alone).
"""

from __future__ import annotations

import argparse
import importlib.util
import secrets
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from benchmarks import fixtures, report
from benchmarks.deploy import bench_database_url, ensure_database, redis_url
from benchmarks.loadgen import raise_open_files_limit
from benchmarks.scenarios import SCENARIOS, Bench

RESULTS = Path(__file__).resolve().parent / "results"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small, short runs for development")
    parser.add_argument(
        "-s", "--scenarios", default="1,2,3,4,5", help="comma-separated scenario numbers"
    )
    parser.add_argument(
        "--sizes",
        default="",
        help="scenario 1's room sizes, comma-separated (development; the default is the "
        "issue's 500,2000,5000); results go to benchmarks/results/quick/",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the stock room")
    parser.add_argument("--no-analysis", action="store_true", help="skip the analysis bench")
    parser.add_argument("--workers", type=int, default=4, help="load-generator processes")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes")
    parser.add_argument("--results", type=Path, default=None, help="where to write JSON")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="CONN_MAX_AGE (seconds) in Madang's DATABASE_URL: persistent connections, "
        "as a production deployment configures them (0 = a connection per request)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for Madang's Daphne processes (repeatable)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    try:
        sizes = [int(n) for n in args.sizes.split(",") if n.strip()]
    except ValueError:
        print(f"--sizes takes whole numbers: {args.sizes!r}", file=sys.stderr)
        return 2
    if any(n < 1 for n in sizes):
        print("--sizes must be positive", file=sys.stderr)
        return 2
    partial = args.quick or bool(sizes)
    results_dir = args.results or (RESULTS / "quick" if partial else RESULTS)
    limit = raise_open_files_limit()
    secret_key = secrets.token_urlsafe(50)
    database_url = bench_database_url(args.conn_max_age)
    print(f"bench: database {database_url}, redis {redis_url()}, open files {limit}", flush=True)
    ensure_database(database_url)
    fixtures.setup_django(database_url=database_url, secret_key=secret_key, redis=redis_url())
    fixtures.migrate()
    extra_env = dict(item.split("=", 1) for item in args.env)
    meta = {
        "git_commit": report.git_commit(),
        "machine": report.machine(),
        "date": report.now_iso(),
        "quick": args.quick,
    }
    results: dict[str, dict[str, Any]] = {}
    failures = 0
    with tempfile.TemporaryDirectory(prefix="madang-bench-") as logs:
        bench = Bench(
            quick=args.quick,
            workers=args.workers,
            processes=args.processes,
            secret_key=secret_key,
            database_url=database_url,
            world=fixtures.world(),
            log_dir=Path(logs),
            baseline=not args.no_baseline,
            extra_env=extra_env,
            sizes=sizes,
        )
        for number in chosen:
            started = time.monotonic()
            print(f"scenario {number} ...", flush=True)
            try:
                result = SCENARIOS[number](bench)
            except Exception:  # noqa: BLE001 - report it and go on with the next scenario
                failures += 1
                traceback.print_exc()
                continue
            result["elapsed_s"] = round(time.monotonic() - started, 1)
            path = report.write_result(results_dir, result["scenario"], result, meta)
            results[result["scenario"]] = {**result, **meta}
            print(f"scenario {number} done in {result['elapsed_s']} s -> {path}", flush=True)
            if not partial:
                report.update_doc(results, meta)  # the table grows as scenarios finish
    if not args.no_analysis and not partial:
        failures += run_analysis_bench(results_dir)
    if results and not partial:
        print(f"table written to {report.DOC}", flush=True)
    return 1 if failures else 0


def run_analysis_bench(results_dir: Path) -> int:
    """The analysis engineer's bench (benchmarks/analysis_bench.py), when it exists."""
    if importlib.util.find_spec("benchmarks.analysis_bench") is None:
        print("analysis bench: benchmarks/analysis_bench.py not present, skipped", flush=True)
        return 0
    try:
        analysis_bench = importlib.import_module("benchmarks.analysis_bench")
        summary = analysis_bench.run(results_dir)
        print(f"analysis bench: {summary}", flush=True)
        return 0
    except Exception:  # noqa: BLE001 - the live-room figures still stand
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    sys.exit(main())
