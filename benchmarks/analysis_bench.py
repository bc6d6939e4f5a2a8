"""Analysis bench: ingest throughput through the real worker, and digest time by size.

    python -m benchmarks.analysis_bench              # 1,000 / 5,000 / 10,000 statements
    python -m benchmarks.analysis_bench --sizes 500  # a short development run

``make bench`` calls ``run(results_dir)`` after the live-room scenarios, in a process
already set up for the bench database. Statements are stored as the room stores them
and queued with ``enqueue_analysis`` (the write path's only analysis cost); the real
worker process (its own JVM, started once and warmed) analyses them. Then each
session's digest is built from the stored analysis, several times, and the median
kept. Results go to benchmarks/results/analysis.json and a section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- analysis:start (written by benchmarks/analysis_bench.py) -->"
END = "<!-- analysis:end -->"
SIZES = (1_000, 5_000, 10_000)
TARGET_SECONDS_10K = 5.0
LATENCY_SAMPLE = 300
ANALYSIS_DB = "madang_bench_analysis"

_SUBJECTS = [
    "지역 청년",
    "지방대학",
    "외국인 주민",
    "자매도시",
    "국민외교센터",
    "중소기업",
    "유학생",
    "다문화 가족",
    "농수산물 수출",
    "청소년",
    "어르신",
    "귀국 동포",
]
_TOPICS = [
    "해외 일자리",
    "국제교류 프로그램",
    "어학 연수",
    "통역 지원",
    "교류 축제",
    "창업 지원",
    "장학금",
    "홍보",
    "온라인 상담",
    "수출 박람회",
    "공공외교 교육",
    "기숙사",
]
# {s}/{t} are the slots; {s:이} puts the right particle after the slot's last syllable.
_PATTERNS = [
    "{s:을} 위한 {t:이} 더 필요합니다",
    "{t} 예산을 늘려 주세요",
    "{s:이} {t}에 참여하기 어렵습니다",
    "{t} 정보가 부족해요ㅠㅠㅠ",
    "{s:와} 함께하는 {t:을} 제안합니다!!!",
    "{t:은} 좋은데 {s}에게는 홍보가 안 돼요",
    "솔직히 {t:은} 효과가 없는 것 같아요",
    "{s} 대상 {t} 신청 절차가 너무 복잡합니다",
    "{t} 담당 부서가 어디인지 궁금합니다",
    "작년 {t}에 다녀왔는데 {s}에게 정말 도움이 됐어요ㅋㅋㅋㅋ",
]
_FILLERS = ["", "", "", "진짜 ", "그냥 ", "정말 ", "저희 동네는 "]
_STANCES = ["for", "against", "neutral", "question", None]
# Particle pairs: (after a final consonant, after a vowel).
_PARTICLES = {"이": ("이", "가"), "을": ("을", "를"), "은": ("은", "는"), "와": ("과", "와")}


class _Slot(str):
    """A slot value that formats "{s:이}" as the word plus its correct particle."""

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        last = self[-1]
        batchim = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0
        closed, open_ = _PARTICLES[spec]
        return f"{self}{closed if batchim else open_}"


def _statement(rng: random.Random) -> str:
    return rng.choice(_PATTERNS).format(
        s=_Slot(rng.choice(_SUBJECTS)), t=_Slot(rng.choice(_TOPICS))
    )


def resident_texts(count: int, seed: int = 2026) -> list[str]:
    """Statements that read like residents': short, repetitive, with tone markers."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        text = rng.choice(_FILLERS) + _statement(rng)
        if rng.random() < 0.3:
            text += " " + _statement(rng)
        texts.append(text)
    return texts


def _ensure_django() -> None:
    from django.apps import apps

    if apps.ready:
        return
    sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
    import secrets

    from benchmarks import fixtures
    from benchmarks.deploy import BENCH_DB, bench_database_url, ensure_database, redis_url

    # A database of its own: the live-room bench's Daphne processes start analysis
    # workers on theirs, which would take a share of this bench's queue.
    database_url = bench_database_url().replace(f"/{BENCH_DB}", f"/{ANALYSIS_DB}")
    ensure_database(database_url)
    fixtures.setup_django(
        database_url=database_url, secret_key=secrets.token_urlsafe(50), redis=redis_url()
    )
    fixtures.migrate()


def _wait_for_analysis(session_ids: list[int], timeout: float) -> None:
    from django.apps import apps

    from deliberation.analysis.models import TextAnalysis

    statement = apps.get_model("live", "Statement")
    pending = TextAnalysis.objects.filter(
        kind="statement",
        state=TextAnalysis.State.PENDING,
        object_id__in=statement.objects.filter(session_id__in=session_ids).values("pk"),
    )
    deadline = time.monotonic() + timeout
    while pending.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pending.count()} statements still pending analysis")
        time.sleep(0.05)


def _enqueue_timed(api: Any, ids: list[int]) -> list[float]:
    latencies = []
    for pk in ids:
        t = time.perf_counter()
        api.enqueue_analysis("statement", pk)
        latencies.append(time.perf_counter() - t)
    return latencies


def _p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def _ms(seconds: float) -> float:
    return round(seconds * 1e3, 2)


def _make_world(sizes: tuple[int, ...]) -> tuple[Any, list[Any], list[Any]]:
    from django.utils import timezone

    from deliberation.agendas.models import Agenda, Disclosure, Session
    from deliberation.people.models import Organisation, User

    org, _ = Organisation.objects.get_or_create(
        slug="bench-analysis-city",
        defaults={"name": "분석벤치시", "kind": Organisation.Kind.METROPOLITAN},
    )
    regions = [
        Organisation.objects.get_or_create(
            slug=f"bench-analysis-region-{i}",
            defaults={"name": f"분석벤치구{i}", "kind": Organisation.Kind.LOCAL, "parent": org},
        )[0]
        for i in range(8)
    ]
    bands = [b for b, _ in User.AgeBand.choices] + [""]
    authors = []
    for i in range(300):
        user, _ = User.objects.get_or_create(
            username=f"bench-analysis-{i}",
            defaults={
                "nickname": f"분석참여자{i}",
                "region": regions[i % len(regions)],
                "age_band": bands[i % len(bands)],
            },
        )
        authors.append(user)
    agenda = Agenda.objects.create(
        title="분석 벤치마크 의제", organisation=org, disclosure=Disclosure.PUBLIC
    )
    start = timezone.now() - dt.timedelta(hours=3)
    sessions = [
        Session.objects.create(
            agenda=agenda, title=f"분석 벤치 {n}건", starts_at=start, state=Session.State.CLOSED
        )
        for n in sizes
    ]
    return agenda, sessions, authors


def _store_statements(session: Any, count: int, authors: list[Any], seed: int) -> list[int]:
    from django.apps import apps
    from django.db.models import DateTimeField, ExpressionWrapper, F, Value
    from django.utils import timezone

    statement = apps.get_model("live", "Statement")
    rng = random.Random(seed)
    start = timezone.now() - dt.timedelta(hours=3)
    every = dt.timedelta(hours=2) / count
    rows = [
        statement(
            session=session,
            author=authors[rng.randrange(len(authors))],
            client_msg_id=f"bench-{seed}-{i}",
            text=text,
            stance=rng.choice(_STANCES),
            seq=i + 1,
        )
        for i, text in enumerate(resident_texts(count, seed))
    ]
    created = statement.objects.bulk_create(rows, batch_size=1000)
    # Spread the statements over two hours of the session, by their room sequence.
    statement.objects.filter(session=session).update(
        created_at=ExpressionWrapper(
            Value(start) + (F("seq") - 1) * Value(every), output_field=DateTimeField()
        )
    )
    return [row.pk for row in created]


def run(results_dir: Path = RESULTS, *, sizes: tuple[int, ...] = SIZES, repeats: int = 3) -> dict:
    """Run the analysis bench; write analysis.json and the docs section; return a summary.

    Called from ``make bench`` (a process already set up for the live-room bench's
    database, whose queue holds that bench's statements) it runs itself in a fresh
    process on its own database.
    """
    from django.apps import apps

    if apps.ready:
        return _run_in_subprocess(results_dir, sizes=sizes, repeats=repeats)
    return _run(results_dir, sizes=sizes, repeats=repeats)


def _run_in_subprocess(results_dir: Path, *, sizes: tuple[int, ...], repeats: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "platform"), str(ROOT)])
    subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.analysis_bench",
            "--results",
            str(results_dir),
            "--sizes",
            ",".join(str(n) for n in sizes),
            "--repeats",
            str(repeats),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    result = json.loads((results_dir / "analysis.json").read_text(encoding="utf-8"))
    return {
        "statements_per_s": result["ingest"]["statements_per_s"],
        "digest_s": {d["statements"]: d["seconds_median"] for d in result["digest"]},
    }


def _run(results_dir: Path, *, sizes: tuple[int, ...], repeats: int) -> dict:
    _ensure_django()
    from django.conf import settings
    from django.utils import timezone

    from deliberation.analysis import api
    from deliberation.analysis.digest import build_session_digest
    from deliberation.analysis.live import build_live_digest, forget_live_digest
    from deliberation.analysis.models import TextAnalysis

    settings.MADANG_ANALYSIS_MODE = "worker"
    # Measure the worker's capacity: in service it runs at nice 10 behind the room.
    os.environ["MADANG_ANALYSIS_NICE"] = "0"
    agenda, sessions, authors = _make_world(sizes)
    session_ids = [s.pk for s in sessions]
    try:
        ids_by_session = {
            s.pk: _store_statements(s, n, authors, seed=i)
            for i, (s, n) in enumerate(zip(sessions, sizes, strict=True))
        }

        # Cold start: the first statement starts the worker and its JVM.
        first_session = sessions[0].pk
        started = time.perf_counter()
        api.enqueue_analysis("statement", ids_by_session[first_session][0])
        _wait_for_analysis([first_session], timeout=120)
        cold_start_s = time.perf_counter() - started

        # Write path: what enqueue_analysis costs a post, statements queued one by one
        # in autocommit as after a post's commit; first with the worker asleep (the
        # queue write alone), then while it analyses them.
        queued = [pk for pks in ids_by_session.values() for pk in pks][1:]
        quiet, busy = queued[:LATENCY_SAMPLE], queued[LATENCY_SAMPLE : 2 * LATENCY_SAMPLE]
        rest = queued[2 * LATENCY_SAMPLE :]
        settings.MADANG_ANALYSIS_MODE = "queue"
        quiet_latencies = _enqueue_timed(api, quiet)
        settings.MADANG_ANALYSIS_MODE = "worker"
        busy_latencies = _enqueue_timed(api, busy)
        api.worker_handle.wake()
        _wait_for_analysis(session_ids, timeout=600)

        # Throughput: the rest queued at once, then timed until the worker has them all.
        now = timezone.now()
        TextAnalysis.objects.bulk_create(
            [TextAnalysis(kind="statement", object_id=pk, requested_at=now) for pk in rest],
            batch_size=2000,
        )
        started = time.perf_counter()
        api.worker_handle.wake()
        _wait_for_analysis(session_ids, timeout=1800)
        ingest_s = time.perf_counter() - started
        worker_pid = api.worker_handle.pid
        api.worker_handle.stop()

        digests: list[dict[str, Any]] = []
        for session, size in zip(sessions, sizes, strict=True):
            runs = []
            for _ in range(repeats):
                t = time.perf_counter()
                content = build_session_digest(session.pk)
                runs.append(time.perf_counter() - t)
            digests.append(
                {
                    "statements": size,
                    "seconds_median": round(statistics.median(runs), 3),
                    "seconds_runs": [round(r, 3) for r in runs],
                    "keywords": [k.term for k in content.keywords[:5]],
                    "summary_lines": sum(len(g.lines) for g in content.key_statements),
                }
            )

        biggest = sessions[-1].pk
        forget_live_digest()
        t = time.perf_counter()
        build_live_digest(biggest)
        live_first_s = time.perf_counter() - t
        t = time.perf_counter()
        build_live_digest(biggest)
        live_refresh_s = time.perf_counter() - t
    finally:
        api.worker_handle.stop()
        agenda.delete()

    per_10k = next((d["seconds_median"] for d in digests if d["statements"] == 10_000), None)
    result = {
        "scenario": "analysis",
        "analyser": settings.MADANG_ANALYZER,
        "ingest": {
            "statements": len(rest),
            "seconds": round(ingest_s, 2),
            "statements_per_s": round(len(rest) / ingest_s, 1),
            "worker_cold_start_s": round(cold_start_s, 2),
            "enqueue_ms_mean": _ms(statistics.mean(quiet_latencies)),
            "enqueue_ms_p99": _ms(_p99(quiet_latencies)),
            "enqueue_busy_ms_mean": _ms(statistics.mean(busy_latencies)),
            "enqueue_busy_ms_p99": _ms(_p99(busy_latencies)),
            "worker_pid_differs": worker_pid is not None,
        },
        "digest": digests,
        "digest_10k_target_s": TARGET_SECONDS_10K,
        "digest_10k_met": per_10k is not None and per_10k <= TARGET_SECONDS_10K,
        "live_digest": {
            "statements": sizes[-1],
            "first_build_s": round(live_first_s, 3),
            "refresh_s": round(live_refresh_s, 4),
        },
    }
    from benchmarks import report

    meta = {
        "git_commit": report.git_commit(),
        "machine": report.machine(),
        "date": report.now_iso(),
    }
    report.write_result(results_dir, "analysis", result, meta)
    if results_dir.resolve() == RESULTS.resolve():
        update_doc(result, meta)
    return {
        "statements_per_s": result["ingest"]["statements_per_s"],
        "digest_s": {d["statements"]: d["seconds_median"] for d in digests},
    }


def section(result: dict, meta: dict) -> str:
    """The Markdown written between the analysis markers in docs/benchmarks.md."""
    ingest = result["ingest"]
    lines = [
        START,
        f"Measured {meta['date']} at commit `{meta['git_commit']}` "
        f"({meta['machine'].get('cpu', '')}, {meta['machine'].get('cores')} cores).",
        "",
        f"- Ingest through the real worker ({result['analyser']}): "
        f"**{ingest['statements_per_s']} statements/s** "
        f"({ingest['statements']} statements in {ingest['seconds']} s; "
        f"worker cold start incl. JVM {ingest['worker_cold_start_s']} s; "
        f"`enqueue_analysis` on the write path {ingest['enqueue_ms_mean']} ms mean, "
        f"{ingest['enqueue_ms_p99']} ms p99 with the worker idle; "
        f"{ingest.get('enqueue_busy_ms_mean', '?')} ms mean, "
        f"{ingest.get('enqueue_busy_ms_p99', '?')} ms p99 while it analysed at nice 0).",
        f"- Machine load average when the bench started: "
        f"{', '.join(str(x) for x in meta['machine'].get('load_average_at_start', []))}.",
        "",
        "| statements | digest time (median) | runs |",
        "|---:|---:|---|",
    ]
    for d in result["digest"]:
        runs = ", ".join(f"{r:.2f}" for r in d["seconds_runs"])
        lines.append(f"| {d['statements']:,} | {d['seconds_median']:.2f} s | {runs} |")
    live = result["live_digest"]
    lines += [
        "",
        f"- Target: 10,000 statements in at most {result['digest_10k_target_s']:.0f} s: "
        f"{'met' if result['digest_10k_met'] else 'NOT met'}.",
        f"- Live digest panel on {live['statements']:,} statements: first build "
        f"{live['first_build_s']:.2f} s, incremental refresh {live['refresh_s'] * 1000:.0f} ms.",
        END,
    ]
    return "\n".join(lines)


def update_doc(result: dict, meta: dict, doc: Path = DOC) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    block = section(result, meta)
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n## Korean text analysis and digests\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analysis_bench")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    print(_run(args.results, sizes=sizes, repeats=args.repeats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
