"""``manage.py digest_text FILE``: a file of statements through the production pipeline."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from deliberation.digests.textfile import parse_lines

FIXTURE = Path(__file__).resolve().parents[1] / "analysis" / "fixtures" / "sister_city_session.txt"

# Function words, adverbs, time words and verb stems Okt tags as nouns in resident text.
NOT_CONTENT = {
    "가야", "다만", "얼마", "얼마나", "올해", "제발", "처럼", "대하", "대해", "대한", "위해",
    "통해", "듭니", "합니", "이면", "가면", "내면", "하나요", "누가", "먼저", "다시", "실제",
    "편이", "번갈아", "우리", "것", "수", "정도", "이후", "다음", "대부분", "끼리", "찍기",
}  # fmt: skip


def digest_text(path: Path) -> dict[str, Any]:
    out = io.StringIO()
    call_command("digest_text", str(path), stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def sister_city() -> dict[str, Any]:
    return digest_text(FIXTURE)


@pytest.mark.slow
def test_keywords_are_content_nouns_that_name_the_subject(sister_city: dict[str, Any]) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40 and sister_city["statements"] == 40
    words = [k["word"] for k in sister_city["keywords"]]
    assert len(words) >= 10
    for word in words:
        assert not set(word.split()) & NOT_CONTENT, word
    # The session is about sister cities, exchange and youth exchange students.
    assert {"자매도시", "교류"} <= set(words[:3])
    assert {"청소년", "교환학생"} <= set(words[:6])
    for keyword in sister_city["keywords"]:
        assert keyword["count"] == len(keyword["lines"]) >= 2
        for number in keyword["lines"]:
            assert keyword["word"].split()[0] in lines[number - 1]
    assert "score" not in json.dumps(sister_city)


@pytest.mark.slow
def test_key_statements_cite_the_lines_they_come_from(sister_city: dict[str, Any]) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    chosen = sister_city["key_statements"]
    assert chosen
    for item in chosen:
        assert item["line"] in item["cites"]
        assert lines[item["line"] - 1].endswith(item["text"])
        assert all(1 <= n <= 40 for n in item["cites"])
    groups = {g["stance"]: g for g in sister_city["stance_groups"]}
    assert set(groups) == {"for", "against", "neutral", "question"}
    assert sum(g["statements"] for g in groups.values()) == 40
    expected = sum(1 for line in lines if line.startswith("[찬성]"))
    assert groups["for"]["statements"] == expected == 21
    for stance, group in groups.items():
        assert all(item["stance"] == stance for item in group["key_statements"])


@pytest.mark.slow
def test_without_stances_there_are_no_stance_groups(tmp_path: Path) -> None:
    plain = tmp_path / "comments.txt"
    body = [line.split("] ", 1)[1] for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    plain.write_text("\n".join(body[:12]) + "\n\n", encoding="utf-8")
    result = digest_text(plain)
    assert "stance_groups" not in result
    assert result["statements"] == 12
    assert all(item["stance"] is None for item in result["key_statements"])


def test_bad_input_gets_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(CommandError, match="no statements"):
        call_command("digest_text", str(empty))
    latin = tmp_path / "latin.txt"
    latin.write_bytes("청년 일자리".encode("euc-kr"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("digest_text", str(latin))
    with pytest.raises(CommandError, match="no such file"):
        call_command("digest_text", str(tmp_path / "missing.txt"))


def test_stance_prefixes_are_read_and_line_numbers_kept() -> None:
    parsed = parse_lines("[찬성] 좋아요\n\n반대: 싫어요\nquestion\t왜요?\n[메모] 그대로\n")
    assert [(p.number, p.stance, p.text) for p in parsed] == [
        (1, "for", "좋아요"),
        (3, "against", "싫어요"),
        (4, "question", "왜요?"),
        (5, None, "[메모] 그대로"),
    ]
