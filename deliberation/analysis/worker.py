"""The analysis worker: claims pending texts from the database and analyses them.

Why a separate process fed from a database queue: the tagger runs on a JVM, which
costs a second or more to start, holds a large heap, and does not survive ``fork``.
Each Daphne process therefore starts one worker lazily, with ``subprocess`` (fork and
exec of a fresh interpreter, so no JVM is ever forked), on the first text it is asked
to analyse. The worker starts its JVM once, warms it, and then loops: claim a batch of
pending ``TextAnalysis`` rows, tag them, store nouns and phrases and update the corpus
term counts in one transaction. The parent wakes it through its stdin pipe; when the
parent dies the pipe closes and the worker exits. The database queue is the truth: a
text enqueued while no worker runs (or whose worker died) is picked up by the next
one, and several workers (one per Daphne process) share the queue safely because a
batch is claimed with a conditional UPDATE. ``manage.py analysis_worker`` runs the
same loop as a standalone service.

The process entry point is ``python -m deliberation.analysis.worker_process``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import select
import uuid
from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .analyzer import Analyzer, get_analyzer
from .models import CorpusTerm, TextAnalysis
from .normalise import normalise_for_analysis
from .sources import load_sources

log = logging.getLogger(__name__)

BATCH_SIZE = 64
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
IDLE_POLL_SECONDS = 5.0
MAX_ATTEMPTS = 3


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
                document_count=F("document_count") + delta
            )


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
    texts = [normalise_for_analysis(sources[(r.kind, r.object_id)].text) for r in present]
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
    with transaction.atomic():
        # A text re-enqueued while we worked (an edited proposal) lost our claim: skip it.
        still_ours = set(
            TextAnalysis.objects.select_for_update()
            .filter(id__in=[r.id for r in rows], claimed_by=token)
            .values_list("id", flat=True)
        )
        deltas: Counter[str] = Counter()
        stored: list[TextAnalysis] = []
        for row, text, analysis in zip(present, texts, analyses, strict=True):
            if row.id not in still_ours:
                continue
            if row.analysed_at is not None:
                deltas.subtract(set(row.nouns))
            deltas.update(set(analysis.nouns))
            row.session_id = sources[(row.kind, row.object_id)].session_id
            row.normalised_text = text
            row.nouns = analysis.nouns
            row.phrases = analysis.phrases
            row.analyser = analyzer.name
            row.state = TextAnalysis.State.DONE
            row.analysed_at = now
            row.attempts += 1
            row.error = ""
            row.claimed_by = ""
            row.claimed_at = None
            stored.append(row)
        TextAnalysis.objects.bulk_update(
            stored,
            [
                "session",
                "normalised_text",
                "nouns",
                "phrases",
                "analyser",
                "state",
                "analysed_at",
                "attempts",
                "error",
                "claimed_by",
                "claimed_at",
            ],
            batch_size=200,
        )
        missing = [
            r.id for r in rows if r.id in still_ours and (r.kind, r.object_id) not in sources
        ]
        if missing:
            TextAnalysis.objects.filter(id__in=missing).update(
                state=TextAnalysis.State.GONE, claimed_by="", claimed_at=None
            )
        _count_terms(deltas)
    return len(stored)


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
