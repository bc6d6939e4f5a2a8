"""Overlap bench: ``manage.py programme_overlap`` on a generated registry of N programmes.

    python -m benchmarks.programme_overlap_bench                # 10,000 rows
    python -m benchmarks.programme_overlap_bench --rows 2000    # a short development run

Rows are generated (seeded) from municipalities, foreign partner cities, fields, target
groups and sentence patterns, so titles and descriptions are inflected Korean with a
realistic vocabulary (the distinct word count is reported: it is what the tagger pays
for). The command runs as a fresh process, exactly as staff run it, against a fresh
SQLite database of its own (migrated first, not timed):

- cold: the word-tag cache is empty, so the JVM starts and Okt tags every distinct word
  (what someone running the command on their own data for the first time pays);
- warm: the same file again, every word's tags in the cache, no JVM.

Each run reports wall and CPU seconds (the process and its JVM threads), the time the
command itself printed (the rest is Python and Django starting) and the load average
before and after: the bench machine is shared. Then the stages are timed in this
process. Results go to benchmarks/results/programme_overlap.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

REGIONS = """서울 부산 대구 인천 광주 대전 울산 세종 수원 성남 고양 용인 부천 안산 안양 남양주 화성
평택 의정부 시흥 파주 김포 광명 군포 하남 오산 이천 안성 춘천 원주 강릉 동해 속초 삼척 청주
충주 제천 천안 공주 보령 아산 서산 논산 당진 전주 군산 익산 정읍 남원 김제 목포 여수 순천
나주 광양 포항 경주 김천 안동 구미 영주 영천 상주 문경 경산 창원 진주 통영 사천 김해 밀양
거제 양산 제주 서귀포 해운대 수영 달서 유성 완주 고흥 해남 울진 거창 합천""".split()
CITIES = """후쿠오카 오사카 삿포로 시즈오카 이시카와 시마네 상하이 칭다오 웨이하이 옌타이 간쑤
허난 하얼빈 호치민 하노이 다낭 타이응우옌 방콕 치앙마이 자카르타 마닐라 세부 울란바토르
알마티 타슈켄트 블라디보스토크 로스앤젤레스 시애틀 하와이 밴쿠버 토론토 시드니 브리즈번
오클랜드 바르셀로나 리옹 함부르크 프랑크푸르트 헬싱키 프라하 부다페스트 이스탄불 두바이
나이로비 상파울루 멕시코시티 리마 프놈펜 비엔티안""".split()
FIELDS = """문화 체육 농업 관광 교육 의료 환경 스마트시티 해양 항공 에너지 수산 전통공예 음식
영화 음악 게임 웹툰 뷰티 바이오 물류 조선 자동차 반도체 산림 습지 생태 평화 인권 기후""".split()
TARGETS = """청소년 대학생 청년 어르신 결혼이민자 유학생 외국인근로자 기업인 공무원 교사 주민
다문화가족 귀국청년 예비창업자 여성기업인 장애인 농업인 어업인""".split()
ACTIVITIES = """캠프 포럼 아카데미 설명회 박람회 축제 페스티벌 페스티발 워크숍 연수 멘토링 공모전
토론회 세미나 탐방 홈스테이 봉사단 서포터즈 해설사 교류전 전시회 콘서트 대회""".split()
TITLES = [
    "{r} 청년 해외 {job} 지원 사업",
    "{r} {c} 자매도시 {f} 교류",
    "{r} {c} 우호도시 {t} {a}",
    "{r} 국민외교 {a}",
    "{r} {t} 글로벌 {f} {a}",
    "{f} 분야 {c} 공동 {a}",
    "{r} 외국인 주민 {f} {a}",
    "{t} 대상 {f} 국제교류 {a}",
    "{r} {f} 공공외교 {a} 운영",
    "{c}와 함께하는 {r} {f} {a}",
]
JOBS = ["일자리", "인턴십", "인턴쉽", "취업", "창업", "워킹홀리데이", "워킹 홀리데이"]
SENTENCES = [
    "{t}이 {c} 현지 기관과 {f} 분야에서 협력하도록 돕습니다.",
    "{r}의 {t}에게 {f} 체험과 {a} 참여 기회를 제공합니다.",
    "{c} 방문단을 초청해 {f} 교류 협약을 맺고 후속 사업을 발굴합니다.",
    "참가자는 사전 교육을 받은 뒤 {c}에서 {f} 현장을 탐방합니다.",
    "{a} 결과는 시민 보고회로 공유하고 내년 사업 계획에 반영합니다.",
    "{t}의 어학 연수와 현지 적응 교육을 함께 지원하는 것이 특징입니다.",
    "지역 대학과 기업이 참여해 {f} 인재를 기르고 해외 진출을 돕습니다.",
    "온라인 설명회와 오프라인 {a}를 병행하여 참여 문턱을 낮춥니다.",
    "{c} 한인회와 협력하여 {t}의 현지 정착을 지원합니다.",
    "사업 성과는 참여 인원, 협약 건수, 만족도로 평가합니다.",
    "{r} 국제교류센터가 운영을 맡고 외교부 지역 국민외교센터가 자문합니다.",
    "작년 {a}에 참여한 {t}이 멘토로 활동합니다.",
]


def generate(rows: int, seed: int = 17) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        slots = {
            "r": rng.choice(REGIONS),
            "c": rng.choice(CITIES),
            "f": rng.choice(FIELDS),
            "t": rng.choice(TARGETS),
            "a": rng.choice(ACTIVITIES),
            "job": rng.choice(JOBS),
        }
        title = rng.choice(TITLES).format(**slots)
        description = " ".join(
            s.format(**slots) for s in rng.sample(SENTENCES, k=rng.randint(2, 4))
        )
        if rng.random() < 0.05:
            description = ""
        out.append(
            {
                "id": f"P{i:05d}",
                "title": title,
                "description": description,
                "organisation": slots["r"],
            }
        )
    return out


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "title", "description", "organisation"])
        writer.writeheader()
        writer.writerows(rows)


def _command(path: Path, env: dict[str, str]) -> tuple[dict[str, Any], bytes]:
    load_before = os.getloadavg()
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "programme_overlap", str(path)],
        capture_output=True,
        env=env,
        cwd=str(ROOT),
        check=True,
    )
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    printed = re.search(rb"compared in ([0-9.]+) s", done.stderr)
    return {
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "command_printed_seconds": float(printed.group(1)) if printed else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }, done.stdout


def run(rows: int) -> dict[str, Any]:
    data = generate(rows)
    words = {w for r in data for w in f"{r['title']} {r['description']}".split()}
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "platform"), str(ROOT)])
        env.setdefault("DJANGO_SETTINGS_MODULE", "madang.settings")
        env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=str(ROOT),
            check=True,
        )
        path = Path(tmp) / "registry.csv"
        write_csv(data, path)
        cold, cold_out = _command(path, env)
        warm, warm_out = _command(path, env)
        printed = json.loads(warm_out)
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
        stages = _stages(path)
    return {
        "rows": rows,
        "distinct_words": len(words),
        "characters": sum(len(r["title"]) + len(r["description"]) for r in data),
        "cold": cold,
        "warm": warm,
        "warm_output_same_as_cold": warm_out == cold_out,
        "rows_with_matches": sum(1 for r in printed if r["similar"]),
        "stages_seconds": stages,
        "cpus": os.cpu_count(),
    }


def _stages(path: Path) -> dict[str, float]:
    """The same work in this process, stage by stage (warm cache, then the tagger)."""
    import django

    for entry in (str(ROOT), str(ROOT / "platform")):
        if entry not in sys.path:
            sys.path.insert(0, entry)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madang.settings")
    django.setup()
    from deliberation.analysis.analyzer import OktAnalyzer, analyse_normalised
    from deliberation.analysis.wordtags import word_tag_store
    from deliberation.programmes.management.commands.programme_overlap import (
        SHORT_RUN_JVM_OPTIONS,
        read_documents,
        similar_rows_json,
    )
    from deliberation.programmes.overlap import (
        OverlapIndex,
        _analysis_texts,
        _features,
        _ngram_text,
        ngram_counts,
        terms_of,
    )

    times = [time.perf_counter()]

    def lap() -> None:
        times.append(time.perf_counter())

    okt = OktAnalyzer()
    documents = read_documents(path)
    lap()
    texts = _analysis_texts(documents)
    unknown = okt.unknown_words((w for t in texts for w in t.split()), store=word_tag_store())
    assert not unknown, "the warm run left words out of the cache"
    lap()
    counts, grams = ngram_counts([_ngram_text(doc) for doc in documents])
    lap()
    analyses = analyse_normalised(texts, analyzer=okt)
    features = [
        _features(terms_of(analyses[2 * i]), terms_of(analyses[2 * i + 1]))
        for i in range(len(documents))
    ]
    lap()
    index = OverlapIndex(documents, features, (counts, grams))
    lap()
    found = index.top_positions(limit=5, min_score=0.1)
    lap()
    keys = [str(d.key) for d in documents]
    similar_rows_json([(k, [(keys[j], s) for j, s in f]) for k, f in zip(keys, found, strict=True)])
    lap()
    # The tagger as the command starts it (its short-run JVM options).
    os.environ.setdefault("JAVA_TOOL_OPTIONS", SHORT_RUN_JVM_OPTIONS)
    cold = OktAnalyzer()
    cold.load()
    lap()
    cold.tag_words(list(dict.fromkeys(w for t in texts for w in t.split())))
    lap()
    names = [
        "read_csv",
        "cache_lookup",
        "ngram_counts",
        "analyses_from_cached_tags",
        "tf_idf_index",
        "similarities_top5",
        "json",
        "cold_only_tagger_start",
        "cold_only_tagging_distinct_words",
    ]
    return {n: round(b - a, 2) for n, (a, b) in zip(names, pairwise(times), strict=True)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.programme_overlap_bench")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    result = run(args.rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "programme_overlap.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
