"""The word-tag cache: Okt's tags of each word kept in the database, so that a file whose
words are all known is compared without starting the JVM."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone

from deliberation.analysis import analyzer as analyzer_module
from deliberation.analysis.analyzer import OktAnalyzer, analyse_many, analyse_texts
from deliberation.analysis.models import TaggedWord
from deliberation.analysis.wordtags import DatabaseWordTags
from deliberation.programmes.overlap import OverlapIndex
from tests.programmes.fixture import PROGRAMMES, documents

pytestmark = pytest.mark.django_db

TEXTS = [f"{title} {desc}" for _k, _o, title, desc in PROGRAMMES]


@pytest.fixture
def starts() -> Iterator[mock.MagicMock]:
    """Counts the starts of Okt (JVM and tagger) by every analyser made in the test;
    ``get_analyzer`` hands out a new analyser, with an empty memory, per test."""
    analyzer_module._build.cache_clear()
    with mock.patch.object(
        OktAnalyzer, "_start", autospec=True, side_effect=OktAnalyzer._start
    ) as counted:
        yield counted
    analyzer_module._build.cache_clear()


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "programmes.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "description", "organisation"])
        writer.writerows([k, t, d, o] for k, o, t, d in PROGRAMMES)
    return path


def _run(path: Path) -> list[dict]:
    out = StringIO()
    call_command("programme_overlap", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_a_second_run_of_the_command_does_not_start_the_tagger(
    tmp_path: Path, starts: mock.MagicMock
) -> None:
    path = _csv(tmp_path)
    first = _run(path)
    assert starts.call_count == 1
    version = OktAnalyzer().version
    stored = set(TaggedWord.objects.filter(analyser=version).values_list("word", flat=True))
    assert {"페스티발", "공모전"} <= stored

    analyzer_module._build.cache_clear()  # a new process: nothing in memory
    second = _run(path)
    assert starts.call_count == 1
    assert second == first


def test_only_new_words_go_to_the_tagger(starts: mock.MagicMock) -> None:
    store = DatabaseWordTags()
    OktAnalyzer().analyse_by_words(["자매도시 청소년 교류"], store=store)
    fresh = OktAnalyzer()
    with mock.patch.object(fresh, "tag_words", wraps=fresh.tag_words) as tagged:
        fresh.analyse_by_words(["자매도시 청소년 교류", "청소년 해외 봉사단"], store=store)
    tagged.assert_called_once_with(["해외", "봉사단"])


def test_stored_tags_give_the_analysers_own_result(starts: mock.MagicMock) -> None:
    store = DatabaseWordTags()
    okt = OktAnalyzer()
    okt.analyse_by_words(TEXTS, store=store)
    from_store = OktAnalyzer()
    assert analyse_many(TEXTS, analyzer=from_store, store=store) == analyse_texts(
        TEXTS, analyzer=okt
    )
    assert from_store._okt is None  # answered from the table alone


def test_tags_of_another_analyser_version_are_not_used_and_go(starts: mock.MagicMock) -> None:
    store = DatabaseWordTags()
    OktAnalyzer().analyse_by_words(TEXTS, store=store)
    assert starts.call_count == 1
    old_version = OktAnalyzer().version
    with mock.patch.object(OktAnalyzer, "RULES", OktAnalyzer.RULES + 1):
        upgraded = OktAnalyzer()
        assert upgraded.version != old_version
        assert len(upgraded.version) <= TaggedWord._meta.get_field("analyser").max_length
        assert upgraded.unknown_words(TEXTS[0].split(), store=store) == list(
            dict.fromkeys(TEXTS[0].split())
        )
        upgraded.analyse_by_words(TEXTS, store=store)
        assert starts.call_count == 2
        assert set(TaggedWord.objects.values_list("analyser", flat=True)) == {upgraded.version}


def test_the_table_keeps_the_most_recently_used_words() -> None:
    store = DatabaseWordTags(max_rows=3)
    today = timezone.localdate()
    store.save("v1", {"가나": (("가나", "Noun"),), "다라": (("다라", "Noun"),)})
    TaggedWord.objects.update(used_on=today - dt.timedelta(days=10))
    assert store.load("v1", ["가나"]) == {"가나": (("가나", "Noun"),)}
    used = dict(TaggedWord.objects.values_list("word", "used_on"))
    assert used == {"가나": today, "다라": today - dt.timedelta(days=10)}

    store.save("v1", {"마바": (("마바", "Noun"),), "사아": (("사아", "Noun"),)})
    assert set(TaggedWord.objects.values_list("word", flat=True)) == {"가나", "마바", "사아"}


def test_words_too_long_for_the_table_are_tagged_but_not_kept() -> None:
    store = DatabaseWordTags()
    long_word = "가" * 150
    store.save("v1", {long_word: ((long_word, "Noun"),), "교류": (("교류", "Noun"),)})
    assert list(TaggedWord.objects.values_list("word", flat=True)) == ["교류"]
    assert store.load("v1", [long_word, "교류"]) == {"교류": (("교류", "Noun"),)}


def test_an_unreachable_table_means_tagging_without_the_cache(
    caplog: pytest.LogCaptureFixture, starts: mock.MagicMock
) -> None:
    store = DatabaseWordTags()
    okt = OktAnalyzer()
    with (
        mock.patch.object(TaggedWord.objects, "using", side_effect=DatabaseError("no table")),
        caplog.at_level(logging.WARNING, logger="deliberation.analysis.wordtags"),
    ):
        result = okt.analyse_by_words(TEXTS[:2], store=store)
    assert result == okt.analyse(TEXTS[:2])
    assert "word-tag cache unavailable" in caplog.text and "no table" in caplog.text


def test_a_tagger_failing_on_its_thread_fails_the_build(starts: mock.MagicMock) -> None:
    starts.side_effect = RuntimeError("no Java here")
    with pytest.raises(RuntimeError, match="no Java here"):
        OverlapIndex.build(documents(), store=DatabaseWordTags())


def test_a_file_not_in_utf8_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "cp949.csv"
    path.write_bytes("id,title,description,organisation\n1,청년 공모전,,부산\n".encode("cp949"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("programme_overlap", str(path))


def test_analysing_a_programme_on_the_server_fills_the_cache(starts: mock.MagicMock) -> None:
    from deliberation.programmes.models import Programme
    from deliberation.programmes.services import programme_analyse

    programme = Programme(title="청년 해외 인턴십 지원", description="자매도시 기업 연수")
    programme_analyse([programme])
    assert "인턴십" in programme.title_terms
    stored = set(TaggedWord.objects.values_list("word", flat=True))
    assert {"청년", "인턴십", "자매도시", "연수"} <= stored
