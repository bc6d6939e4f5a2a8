"""The analysis worker: claims pending texts from the database and analyses them.

Why a separate process fed from a database queue: the tagger runs on a JVM, which
costs a second or more to start, holds a large heap, and does not survive ``fork``.
The first server process on a host that has a text to analyse starts the worker
lazily, with ``subprocess`` (fork and exec of a fresh interpreter, so no JVM is ever
forked); the worker holds a lock file (one per database) so sibling processes on the
host start no second JVM and leave their texts to its polling. The worker starts its
JVM once, warms it, lowers its priority behind the live room, and then loops: claim a
batch of pending ``TextAnalysis`` rows, tag them, store nouns and phrases and update
the corpus term counts in one transaction. Its parent wakes it through its stdin pipe;
when the parent dies the pipe closes and the worker exits, and the next process that
queues a text starts a new one. The database queue is the truth: a text queued while
no worker runs is picked up by the next one, and workers on several hosts share the
queue safely because a batch is claimed with a conditional UPDATE.
``manage.py analysis_worker`` runs the same loop as a standalone service.

The process entry point is ``python -m deliberation.analysis.worker_process``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import select
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from .analyzer import Analysis, Analyzer, get_analyzer
from .api import AnalysedText, run_text_hooks
from .models import CorpusTerm, TextAnalysis, TextKind
from .normalise import normalise_for_analysis
from .sources import load_sources

log = logging.getLogger(__name__)

BATCH_SIZE = 64
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
IDLE_POLL_SECONDS = 2.0
MAX_ATTEMPTS = 3
UNTAGGED_KINDS = frozenset({TextKind.REPORT})


def _claim(token: str, batch_size: int) -> list[TextAnalysis]:
    now = timezone.now()
    claimable = Q(state=TextAnalysis.State.PENDING) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )
    ids = list(
        TextAnalysis.objects.filter(claimable)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    )
    if not ids:
        return []
    TextAnalysis.objects.filter(claimable, id__in=ids).update(claimed_by=token, claimed_at=now)
    return list(TextAnalysis.objects.filter(id__in=ids, claimed_by=token).order_by("id"))


def _count_terms(deltas: Counter[str]) -> None:
    """Apply document-frequency changes: +1 for a text that now has a noun, -1 if no more."""
    changed = {t: d for t, d in deltas.items() if d}
    if not changed:
        return
    CorpusTerm.objects.bulk_create(
        [CorpusTerm(term=t, document_count=0) for t in changed], ignore_conflicts=True
    )
    by_delta: dict[int, list[str]] = {}
    for term, delta in changed.items():
        by_delta.setdefault(delta, []).append(term)
    for delta, terms in by_delta.items():
        for start in range(0, len(terms), 500):
            CorpusTerm.objects.filter(term__in=terms[start : start + 500]).update(
                # Never below zero, whatever happened to the rows counted before.
                document_count=Greatest(F("document_count") + delta, 0)
            )


def forget_session_terms(sender: object, instance: Any, **kwargs: object) -> None:
    """pre_delete of a session: its analysed texts stop counting in the corpus (one
    read and a few grouped updates, in the deleting transaction)."""
    deltas: Counter[str] = Counter()
    rows = TextAnalysis.objects.filter(session_id=instance.pk, analysed_at__isnull=False)
    for nouns in rows.values_list("nouns", flat=True).iterator(chunk_size=2000):
        deltas.subtract(set(nouns))
    _count_terms(deltas)


def analyse_batch(rows: Sequence[TextAnalysis], token: str, analyzer: Analyzer) -> int:
    """Tag one claimed batch and store the results; returns how many were stored."""
    by_kind: dict[str, list[TextAnalysis]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    sources = {}
    for kind, kind_rows in by_kind.items():
        for object_id, source in load_sources(kind, [r.object_id for r in kind_rows]).items():
            sources[(kind, object_id)] = source

    present = [r for r in rows if (r.kind, r.object_id) in sources]
    run_text_hooks(
        [
            AnalysedText(r.kind, r.object_id, sources[(r.kind, r.object_id)].session_id, s.text)
            for r in present
            for s in [sources[(r.kind, r.object_id)]]
        ]
    )
    # Report reasons are screened (the hooks above), not tagged: they say nothing of the topic.
    tagged = [r for r in present if r.kind not in UNTAGGED_KINDS]
    texts = [normalise_for_analysis(sources[(r.kind, r.object_id)].text) for r in tagged]
    try:
        analyses = analyzer.analyse(texts)
    except Exception as exc:  # the tagger failed on this batch: retry, then give up
        log.exception("analysis batch failed")
        TextAnalysis.objects.filter(id__in=[r.id for r in rows], claimed_by=token).update(
            attempts=F("attempts") + 1, claimed_by="", claimed_at=None, error=str(exc)[:300]
        )
        TextAnalysis.objects.filter(id__in=[r.id for r in rows], attempts__gte=MAX_ATTEMPTS).update(
            state=TextAnalysis.State.FAILED
        )
        return 0

    now = timezone.now()
    results = [
        (row, sources[(row.kind, row.object_id)].session_id, text, analysis)
        for row, text, analysis in zip(tagged, texts, analyses, strict=True)
    ] + [
        (row, sources[(row.kind, row.object_id)].session_id, "", Analysis(nouns=[], phrases=[]))
        for row in present
        if row.kind in UNTAGGED_KINDS
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            stored_ids = _store_postgresql(results, token, analyzer.name, now)
        else:
            stored_ids = _store_each(results, token, analyzer.name, now)
        deltas: Counter[str] = Counter()
        for row, _session_id, _text, analysis in results:
            if row.pk not in stored_ids:
                continue
            if row.analysed_at is not None:
                deltas.subtract(set(row.nouns))
            deltas.update(set(analysis.nouns))
        missing = [r.pk for r in rows if (r.kind, r.object_id) not in sources]
        if missing:
            TextAnalysis.objects.filter(pk__in=missing, claimed_by=token).update(
                state=TextAnalysis.State.GONE, claimed_by="", claimed_at=None
            )
        _count_terms(deltas)
    return len(stored_ids)


Result = tuple[TextAnalysis, "int | None", str, Analysis]


def _store_each(results: Sequence[Result], token: str, name: str, now: dt.datetime) -> set[int]:
    """Store results one UPDATE per text; a text whose claim was lost is skipped."""
    stored = set()
    for row, session_id, text, analysis in results:
        # A text re-queued while we worked (an edited proposal) lost our claim and is
        # left for the next pass.
        if TextAnalysis.objects.filter(pk=row.pk, claimed_by=token).update(
            session_id=session_id,
            normalised_text=text,
            nouns=analysis.nouns,
            phrases=analysis.phrases,
            analyser=name,
            state=TextAnalysis.State.DONE,
            analysed_at=now,
            attempts=F("attempts") + 1,
            error="",
            claimed_by="",
            claimed_at=None,
        ):
            stored.add(row.pk)
    return stored


def _store_postgresql(
    results: Sequence[Result], token: str, name: str, now: dt.datetime
) -> set[int]:
    """The same as ``_store_each`` in one UPDATE ... FROM (VALUES ...) statement."""
    if not results:
        return set()
    table = TextAnalysis._meta.db_table
    values = ", ".join(["(%s::bigint, %s::bigint, %s, %s::jsonb, %s::jsonb)"] * len(results))
    params: list[Any] = []
    for row, session_id, text, analysis in results:
        params += [
            row.pk,
            session_id,
            text,
            json.dumps(analysis.nouns, ensure_ascii=False),
            json.dumps(analysis.phrases, ensure_ascii=False),
        ]
    # Only the table name (from the model) and placeholders are formatted in.
    sql = (
        f'UPDATE "{table}" AS t SET session_id = v.session_id, normalised_text = v.text, '  # noqa: S608
        "nouns = v.nouns, phrases = v.phrases, analyser = %s, state = %s, analysed_at = %s, "
        "attempts = t.attempts + 1, error = '', claimed_by = '', claimed_at = NULL "
        f"FROM (VALUES {values}) AS v(id, session_id, text, nouns, phrases) "
        "WHERE t.id = v.id AND t.claimed_by = %s RETURNING t.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [name, TextAnalysis.State.DONE, now, *params, token])
        return {pk for (pk,) in cursor.fetchall()}


def process_pending(
    *, limit: int | None = None, batch_size: int = BATCH_SIZE, analyzer: Analyzer | None = None
) -> int:
    """Analyse pending texts until none is left (or ``limit`` is reached)."""
    analyzer = analyzer or get_analyzer()
    token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    done = 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        rows = _claim(token, size)
        if not rows:
            break
        done += analyse_batch(rows, token, analyzer)
    return done


def run_forever(*, wake_fd: int | None = None, poll_seconds: float = IDLE_POLL_SECONDS) -> None:
    """The worker loop: analyse, then sleep until woken (or the poll interval passes)."""
    from django.db import close_old_connections

    analyzer = get_analyzer()
    warm_up = getattr(analyzer, "warm_up", None)
    if warm_up is not None:
        warm_up()
    log.info("analysis worker %s ready (%s)", os.getpid(), analyzer.name)
    while True:
        close_old_connections()
        try:
            process_pending(analyzer=analyzer)
        except Exception:  # a database hiccup must not kill the worker
            log.exception("analysis worker pass failed")
        if wake_fd is None:
            select.select([], [], [], poll_seconds)
            continue
        readable, _, _ = select.select([wake_fd], [], [], poll_seconds)
        if readable and not os.read(wake_fd, 4096):
            log.info("analysis worker %s: parent gone, exiting", os.getpid())
            return
