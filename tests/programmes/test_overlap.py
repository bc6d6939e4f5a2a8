"""The overlap engine on a hand-made Korean fixture, and the ``programme_overlap`` command."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from deliberation.analysis.analyzer import analyse_many, analyse_texts, get_analyzer
from deliberation.programmes.overlap import GENERIC_TERMS, Document, OverlapIndex
from deliberation.programmes.selectors import DUPLICATE_THRESHOLD
from tests.programmes.fixture import DUPLICATES, GENERIC_ONLY, PROGRAMMES, documents


@pytest.fixture(scope="module")
def index() -> OverlapIndex:
    return OverlapIndex.build(documents())


@pytest.fixture(scope="module")
def top(index: OverlapIndex) -> dict[str, list]:
    matches = index.top_matches(limit=3, explain=True)
    return {doc.key: found for doc, found in zip(index.documents, matches, strict=True)}


@pytest.mark.parametrize(("a", "b"), DUPLICATES)
def test_a_known_duplicate_ranks_first_both_ways(top: dict[str, list], a: str, b: str) -> None:
    assert top[a][0].key == b
    assert top[b][0].key == a
    assert top[a][0].score >= DUPLICATE_THRESHOLD


def test_programmes_sharing_only_generic_words_are_not_duplicates(
    index: OverlapIndex, top: dict[str, list]
) -> None:
    weakest_duplicate = min(top[a][0].score for a, _b in DUPLICATES)
    for key in GENERIC_ONLY:
        best = top[key][0]
        assert best.score < weakest_duplicate / 2, (key, best)
        assert best.score < DUPLICATE_THRESHOLD
    listed = {frozenset((p.a, p.b)) for p in index.pairs(min_score=DUPLICATE_THRESHOLD)}
    assert listed == {frozenset(pair) for pair in DUPLICATES}


def test_a_match_is_explained_by_shared_topic_terms_before_generic_ones(
    top: dict[str, list],
) -> None:
    contest = top["jeonbuk-contest"][0]
    assert "공모전" in contest.shared_terms
    assert contest.shared_terms[0] not in GENERIC_TERMS
    jobs = top["busan-youth-jobs"][0]
    assert "인턴십" in jobs.shared_terms
    assert not set(jobs.shared_terms[:2]) & GENERIC_TERMS


def test_spelling_variants_match_and_are_named(top: dict[str, list]) -> None:
    festival = top["mofa-festival"][0]
    assert festival.key == "gyeongbuk-festival"
    assert ("페스티벌", "페스티발") in festival.variants


def test_spacing_variants_and_word_order_still_meet() -> None:
    docs = [
        Document("a", "워킹홀리데이 안전 교육", "출국 전 청년 안전 교육"),
        Document("b", "청년 안전 교육, 워킹 홀리데이 출국 전", ""),
        Document("c", "지역 농산물 직거래 장터", "농가 소득 지원"),
    ]
    matches = OverlapIndex.build(docs).top_matches(limit=2)
    assert matches[0][0].key == "b" and matches[1][0].key == "a"
    assert matches[0][0].score > 3 * max((m.score for m in matches[2]), default=0)


def test_tagging_distinct_words_once_gives_the_analysers_own_result() -> None:
    texts = [title + " " + desc for _k, _o, title, desc in PROGRAMMES]
    okt = get_analyzer("okt")
    assert analyse_many(texts, analyzer=okt) == analyse_texts(texts, analyzer=okt)


def test_the_engine_runs_on_the_fallback_analyser_too() -> None:
    index = OverlapIndex.build(documents(), analyzer=get_analyzer("fallback"))
    found = index.top_matches(limit=1)
    keys = [d.key for d in index.documents]
    best = {keys[i]: m[0].key for i, m in enumerate(found)}
    assert sum(best[a] == b for a, b in DUPLICATES) >= 3


# --- manage.py programme_overlap ------------------------------------------------------


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _fixture_csv(tmp_path: Path) -> Path:
    rows = [["id", "title", "description", "organisation"]]
    rows += [[k, t, d, o] for k, o, t, d in PROGRAMMES]
    rows.append(["empty-description", "K-컬처 페스티발", "", "제주특별자치도"])
    return _write_csv(tmp_path / "programmes.csv", rows)


@pytest.mark.django_db
def test_the_command_prints_each_rows_most_similar_rows(tmp_path: Path) -> None:
    out = StringIO()
    call_command("programme_overlap", str(_fixture_csv(tmp_path)), "--top", "2", stdout=out)
    result = json.loads(out.getvalue())
    assert [r["id"] for r in result] == [p[0] for p in PROGRAMMES] + ["empty-description"]
    by_id = {r["id"]: r["similar"] for r in result}
    for a, b in DUPLICATES:
        assert by_id[a][0]["id"] == b
        assert 0 < by_id[a][0]["score"] <= 1
    assert len(by_id["busan-youth-jobs"]) <= 2
    assert by_id["empty-description"][0]["id"] in {"mofa-festival", "gyeongbuk-festival"}


@pytest.mark.django_db
def test_the_command_matches_the_engine_the_pages_use(tmp_path: Path, index: OverlapIndex) -> None:
    out = StringIO()
    path = _write_csv(
        tmp_path / "f.csv",
        [["id", "title", "description", "organisation"]]
        + [[k, t, d, o] for k, o, t, d in PROGRAMMES],
    )
    call_command("programme_overlap", str(path), "--top", "3", "--min-score", "0", stdout=out)
    printed = {
        r["id"]: [(s["id"], s["score"]) for s in r["similar"]] for r in json.loads(out.getvalue())
    }
    engine = index.top_matches(limit=3)
    for doc, found in zip(index.documents, engine, strict=True):
        assert printed[doc.key] == [(m.key, m.score) for m in found]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["id", "title", "organisation"], ["1", "공모전", "부산"]],
            "missing column(s) description",
        ),
        (
            [
                ["id", "title", "description", "organisation"],
                ["1", "가", "", "a"],
                ["1", "나", "", "b"],
            ],
            "row 3 repeats the id '1' of row 2",
        ),
        ([["id", "title", "description", "organisation"], ["", "가", "", "a"]], "row 2 has no id"),
        (
            [["id", "title", "description", "organisation"], ["7", "", "", "a"]],
            "row 2 has neither title nor description",
        ),
    ],
)
def test_the_command_refuses_bad_input_clearly(
    tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("programme_overlap", str(_write_csv(tmp_path / "bad.csv", rows)))


def test_the_command_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("programme_overlap", str(tmp_path / "nope.csv"))


def test_the_commands_json_is_the_standard_encoders_byte_for_byte() -> None:
    from deliberation.programmes.management.commands.programme_overlap import similar_rows_json

    rows = [
        ("P1", [("P2", 0.5646), ('따옴표"와\\역슬래시', 0.1), ("줄\n바꿈\x01", 1.0)]),
        ("빈 목록", []),
        ("P3", [("P1", 0.0001)]),
    ]
    for subset in (rows, rows[1:2], []):
        standard = [
            {"id": key, "similar": [{"id": other, "score": score} for other, score in similar]}
            for key, similar in subset
        ]
        assert similar_rows_json(subset) == json.dumps(standard, ensure_ascii=False, indent=1)
