"""Analysis at write time: queued once, analysed once, corpus counts kept in step."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from deliberation.analysis import sources
from deliberation.analysis.api import (
    analysis_drain,
    enqueue_analysis,
    enqueue_analysis_in_transaction,
    pending_count,
)
from deliberation.analysis.models import CorpusTerm, TextAnalysis

pytestmark = pytest.mark.django_db


def _df(term: str) -> int:
    row = CorpusTerm.objects.filter(term=term).first()
    return row.document_count if row else 0


@pytest.fixture(autouse=True)
def _fallback(settings: Any) -> None:
    # The queue's behaviour does not depend on the tagger; the fallback keeps it quick.
    settings.MADANG_ANALYZER = "fallback"
    settings.MADANG_ANALYSIS_MODE = "queue"


def test_enqueue_only_records_and_drain_analyses(fake_statement_source, session) -> None:  # type: ignore[no-untyped-def]
    fake_statement_source[1] = sources.SourceText(session.pk, "자매도시 교류를 늘려 주세요ㅋㅋㅋㅋ")
    fake_statement_source[2] = sources.SourceText(session.pk, "자매도시 예산이 부족합니다")
    enqueue_analysis("statement", 1)
    enqueue_analysis("statement", 2)
    assert pending_count() == 2
    assert TextAnalysis.objects.get(object_id=1).nouns == []

    assert analysis_drain() == 2
    row = TextAnalysis.objects.get(kind="statement", object_id=1)
    assert row.state == TextAnalysis.State.DONE
    assert row.session_id == session.pk
    assert "자매도시" in row.nouns
    assert row.normalised_text.endswith("ㅋㅋ") and "ㅋㅋㅋ" not in row.normalised_text
    assert _df("자매도시") == 2
    assert _df("교류") == 1
    assert analysis_drain() == 0


def test_reanalysis_moves_the_corpus_counts(fake_statement_source, session) -> None:  # type: ignore[no-untyped-def]
    fake_statement_source[7] = sources.SourceText(session.pk, "대학 교류")
    enqueue_analysis("statement", 7)
    analysis_drain()
    assert _df("대학") == 1
    fake_statement_source[7] = sources.SourceText(session.pk, "청년 교류")
    enqueue_analysis("statement", 7)
    analysis_drain()
    assert (_df("대학"), _df("청년"), _df("교류")) == (0, 1, 1)
    assert TextAnalysis.objects.filter(kind="statement", object_id=7).count() == 1


def test_a_text_that_is_gone_is_marked_and_skipped(fake_statement_source) -> None:  # type: ignore[no-untyped-def]
    enqueue_analysis("statement", 404)
    assert analysis_drain() == 0
    assert TextAnalysis.objects.get(object_id=404).state == TextAnalysis.State.GONE
    assert pending_count() == 0


def test_sync_mode_analyses_at_once(fake_statement_source, session, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MADANG_ANALYSIS_MODE = "sync"
    fake_statement_source[3] = sources.SourceText(session.pk, "다문화 센터")
    enqueue_analysis("statement", 3)
    assert TextAnalysis.objects.get(object_id=3).state == TextAnalysis.State.DONE


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        enqueue_analysis("nickname", 1)
    with pytest.raises(ValueError), transaction.atomic():
        enqueue_analysis_in_transaction("nickname", 1)


@pytest.mark.django_db(transaction=True)
def test_queueing_in_the_writers_transaction_needs_one() -> None:
    with pytest.raises(RuntimeError):
        enqueue_analysis_in_transaction("statement", 5)
    assert pending_count() == 0


def test_queueing_in_the_writers_transaction_commits_and_rolls_back_with_it(  # type: ignore[no-untyped-def]
    fake_statement_source, session, settings, django_capture_on_commit_callbacks
) -> None:
    class WriteFailed(Exception):
        pass

    with pytest.raises(WriteFailed), transaction.atomic():
        enqueue_analysis_in_transaction("statement", 5)
        raise WriteFailed  # the text's own write failed: its queue entry goes with it
    assert pending_count() == 0

    settings.MADANG_ANALYSIS_MODE = "sync"
    fake_statement_source[5] = sources.SourceText(session.pk, "청년 해외 일자리")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_analysis_in_transaction("statement", 5)
        assert TextAnalysis.objects.get(object_id=5).state == TextAnalysis.State.PENDING
    # analysed after the commit (sync mode drains at once)
    assert TextAnalysis.objects.get(object_id=5).state == TextAnalysis.State.DONE


def test_a_failing_tagger_retries_then_gives_up(fake_statement_source, session, settings) -> None:  # type: ignore[no-untyped-def]
    class Broken:
        name = "broken"

        def analyse(self, texts):  # type: ignore[no-untyped-def]
            raise RuntimeError("JVM out of memory")

    from deliberation.analysis.worker import MAX_ATTEMPTS, process_pending

    fake_statement_source[9] = sources.SourceText(session.pk, "교류")
    enqueue_analysis("statement", 9)
    for _ in range(MAX_ATTEMPTS):
        process_pending(analyzer=Broken())
    row = TextAnalysis.objects.get(object_id=9)
    assert row.state == TextAnalysis.State.FAILED
    assert "JVM" in row.error


def test_a_proposal_is_analysed_from_its_title_and_plain_body(session, resident) -> None:  # type: ignore[no-untyped-def]
    proposal_model = sources.optional_model("structured", "Proposal")
    if proposal_model is None:
        pytest.skip("structured.Proposal is not installed")
    proposal = proposal_model.objects.create(
        session=session,
        author=resident,
        title="자매도시 청소년 교류",
        body_html="<p>방학마다 <strong>어학연수</strong> 프로그램</p><script>evil()</script>",
    )
    enqueue_analysis("proposal", proposal.pk)
    assert analysis_drain() == 1
    row = TextAnalysis.objects.get(kind="proposal", object_id=proposal.pk)
    assert row.session_id == session.pk
    assert {"자매도시", "청소년", "어학연수"} <= set(row.nouns)
    assert "<" not in row.normalised_text and "strong" not in row.normalised_text


def test_backfill_queues_what_was_never_queued_and_the_worker_command_drains_it(
    session, resident
) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    from tests.analysis.helpers import add_statements, statement_model

    if statement_model() is None:
        pytest.skip("live.Statement is not installed")
    (lost,) = add_statements(session, ["국민외교센터 설립"], authors=[resident], enqueue=False)
    (queued,) = add_statements(session, ["유학생 지원"], authors=[resident])
    out = StringIO()
    call_command("analysis_backfill", stdout=out)
    assert "queued 1" in out.getvalue()
    assert TextAnalysis.objects.filter(object_id__in=[lost.pk, queued.pk]).count() == 2
    call_command("analysis_worker", "--drain", stdout=out)
    assert "analysed 2" in out.getvalue()
    assert "국민외교센터" in TextAnalysis.objects.get(object_id=lost.pk).nouns


def test_deleting_a_session_takes_its_texts_out_of_the_corpus_counts(
    fake_statement_source, session
) -> None:  # type: ignore[no-untyped-def]
    fake_statement_source[21] = sources.SourceText(session.pk, "자매도시 교류")
    enqueue_analysis("statement", 21)
    analysis_drain()
    assert _df("자매도시") == 1
    session.delete()
    assert _df("자매도시") == 0
    assert not TextAnalysis.objects.filter(object_id=21).exists()
