"""Building a digest's content from stored analysis and the room's record.

``build_session_digest`` / ``build_agenda_digest`` return a ``DigestContent``; the
digests app stores, edits and publishes it. Nothing is re-tagged here: keywords and
summaries come from the ``TextAnalysis`` rows written at ingest, so the cost is
reading rows and a few sparse-matrix products, roughly linear in the statements.
Every text leaving here went through ``clean_for_digest``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import Agenda, Session
from deliberation.people.models import User

from . import outcomes, records
from .charts import activity_bar_chart
from .cleaning import clean_for_digest
from .content import (
    ActivityBin,
    Citation,
    CountRow,
    DigestContent,
    Keyword,
    Participation,
    StanceGroup,
    SummaryLine,
)
from .keywords import corpus_frequencies, subject_keywords
from .live import LiveDigest, build_live_digest
from .models import TextAnalysis, TextKind
from .sources import optional_model
from .summarise import select_key_rows, tfidf_matrix

__all__ = [
    "DigestContent",
    "LiveDigest",
    "build_agenda_digest",
    "build_live_digest",
    "build_session_digest",
    "clean_for_digest",
]

Progress = Callable[[float, str], None]
BIN = dt.timedelta(minutes=5)
LINE_CHARS = outcomes.LINE_CHARS
LINES_PER_STANCE = 5
KEYWORD_LIMIT = 15

# Order in which stance groups appear; "" is an open-mic statement with no stance.
STANCE_ORDER = ("for", "against", "neutral", "question", "")


def default_stance_labels() -> dict[str, str]:
    return {
        "for": _("찬성"),
        "against": _("반대"),
        "neutral": _("중립"),
        "question": _("질문"),
        "": _("의견"),
    }


def _noop(fraction: float, label: str) -> None:
    return None


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def build_session_digest(session_id: int, *, progress: Progress | None = None) -> DigestContent:
    """The digest content of one session."""
    session = Session.objects.select_related("agenda__organisation").get(pk=session_id)
    return _build(
        scope="session",
        agenda=session.agenda,
        sessions=[session],
        title=session.title,
        progress=progress or _noop,
    )


def build_agenda_digest(agenda_id: int, *, progress: Progress | None = None) -> DigestContent:
    """The digest content of an agenda across all its sessions."""
    agenda = Agenda.objects.select_related("organisation").get(pk=agenda_id)
    sessions = list(agenda.sessions.order_by("starts_at", "pk"))
    return _build(
        scope="agenda",
        agenda=agenda,
        sessions=sessions,
        title=agenda.title,
        progress=progress or _noop,
    )


def _build(
    *, scope: str, agenda: Agenda, sessions: list[Session], title: str, progress: Progress
) -> DigestContent:
    session_ids = [s.pk for s in sessions]
    progress(0.05, _("발언을 불러오는 중"))
    statements = records.load_statements(session_ids)
    nouns_by_id, phrases_by_id = _stored_terms(session_ids)
    progress(0.25, _("참여 현황을 집계하는 중"))
    participation = _participation(session_ids, statements)
    progress(0.4, _("핵심어를 고르는 중"))
    documents = [
        (s.id, [*nouns_by_id.get(s.id, []), *phrases_by_id.get(s.id, [])]) for s in statements
    ]
    df, total = corpus_frequencies({t for _, terms in documents for t in terms})
    keywords = [
        Keyword(
            term=clean_for_digest(k.term),
            score=k.score,
            count=k.count,
            statement_ids=k.document_ids,
        )
        for k in subject_keywords(
            documents, document_frequency=df, total_documents=total, limit=KEYWORD_LIMIT
        )
    ]
    progress(0.55, _("핵심 발언을 요약하는 중"))
    key_statements = _key_statements(statements, nouns_by_id, df, total)
    progress(0.8, _("제안과 투표 결과를 정리하는 중"))
    proposals, vote = outcomes.proposal_results(session_ids)
    polls = outcomes.poll_results(session_ids)
    floor = outcomes.floor_summary(session_ids)
    moderation = outcomes.moderation_summary(session_ids)
    conclusion = outcomes.conclusion_of(session_ids)
    start, end = records.when_held(session_ids, statements)
    analysed = sum(1 for s in statements if s.id in nouns_by_id)
    content = DigestContent(
        scope=scope,
        agenda_id=agenda.pk,
        session_ids=session_ids,
        title=clean_for_digest(title),
        agenda_title=clean_for_digest(agenda.title),
        municipality=clean_for_digest(agenda.organisation.name),
        topic=agenda.topic,
        disclosure=agenda.disclosure,
        session_kinds=sorted({s.kind for s in sessions}),
        period_start=_iso(start),
        period_end=_iso(end),
        generated_at=_iso(timezone.now()) or "",
        participation=participation,
        keywords=keywords,
        key_statements=key_statements,
        proposals=proposals,
        vote=vote,
        polls=polls,
        floor=floor,
        moderation=moderation,
        conclusion=conclusion,
        analysed_statements=analysed,
        pending_analysis=len(statements) - analysed,
    )
    progress(1.0, _("완료"))
    return content


def _stored_terms(
    session_ids: Sequence[int],
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each analysed statement's nouns, and its noun phrases."""
    rows = TextAnalysis.objects.filter(
        session_id__in=list(session_ids),
        kind=TextKind.STATEMENT,
        state=TextAnalysis.State.DONE,
    ).values_list("object_id", "nouns", "phrases")
    nouns: dict[int, list[str]] = {}
    phrases: dict[int, list[str]] = {}
    for object_id, stored_nouns, stored_phrases in rows:
        nouns[object_id] = stored_nouns
        phrases[object_id] = stored_phrases or []
    return nouns, phrases


def _key_statements(
    statements: Sequence[records.StatementRecord],
    nouns_by_id: dict[int, list[str]],
    df: dict[str, int],
    total: int,
) -> list[StanceGroup]:
    labels = {**default_stance_labels(), **records.stance_labels()}
    by_stance: dict[str, list[records.StatementRecord]] = defaultdict(list)
    for statement in statements:
        if statement.id in nouns_by_id:
            by_stance[statement.stance].append(statement)
    order = [s for s in STANCE_ORDER if s in by_stance] + sorted(
        s for s in by_stance if s not in STANCE_ORDER
    )
    groups = []
    for stance in order:
        members = by_stance[stance]
        matrix = tfidf_matrix(
            [nouns_by_id[s.id] for s in members], document_frequency=df, total_documents=total
        )
        lines = []
        for chosen in select_key_rows(matrix, count=LINES_PER_STANCE):
            statement = members[chosen.index]
            citations = [Citation(statement_id=statement.id, seq=statement.seq)]
            citations += [
                Citation(statement_id=members[j].id, seq=members[j].seq) for j in chosen.similar
            ]
            lines.append(
                SummaryLine(
                    text=clean_for_digest(statement.text, limit=LINE_CHARS),
                    stance=stance,
                    statement_id=statement.id,
                    seq=statement.seq,
                    score=round(chosen.score, 6),
                    citations=citations,
                )
            )
        groups.append(
            StanceGroup(
                stance=stance,
                label=str(labels.get(stance, stance)),
                count=len(members),
                lines=lines,
            )
        )
    return groups


def _participation(
    session_ids: Sequence[int], statements: Sequence[records.StatementRecord]
) -> Participation:
    reactions, reaction_times, reactors = records.reaction_times(session_ids)
    people = {s.author_id for s in statements if s.author_id is not None}
    people |= reactors | records.participant_ids(session_ids)
    proposal_model = optional_model("structured", "Proposal")
    proposal_count = 0
    if proposal_model is not None:
        proposals = proposal_model._default_manager.filter(session_id__in=list(session_ids))
        # A proposal merged into another is counted once, as the one it became.
        proposal_count = proposals.filter(merged_into__isnull=True).count()
        people |= {a for a in proposals.values_list("author_id", flat=True) if a is not None}
    people.discard(None)  # type: ignore[arg-type]

    # Participation counts residents; facilitators and staff in the room are not "people".
    users = User.objects.filter(pk__in=people, role=User.Role.RESIDENT)
    resident_count = users.count()
    by_region = users.values("region__name").annotate(n=Count("pk")).order_by("-n", "region__name")
    by_municipality = [
        CountRow(
            key=row["region__name"] or "",
            label=clean_for_digest(row["region__name"] or str(_("지역 미입력"))),
            count=row["n"],
        )
        for row in by_region
    ]
    band_labels = dict(User.AgeBand.choices)
    band_counts = Counter(users.values_list("age_band", flat=True))
    by_age_band = [
        CountRow(key=key, label=str(band_labels[key]), count=band_counts[key])
        for key in band_labels
        if band_counts.get(key)
    ]
    if band_counts.get(""):
        by_age_band.append(CountRow(key="", label=str(_("응답 안 함")), count=band_counts[""]))

    activity = _activity_bins([s.created_at for s in statements if s.created_at], reaction_times)
    return Participation(
        people=resident_count,
        statements=len(statements),
        proposals=proposal_count,
        reactions=reactions,
        by_municipality=by_municipality,
        by_age_band=by_age_band,
        activity=activity,
        activity_svg=activity_bar_chart(activity),
    )


def _activity_bins(
    statement_times: Sequence[dt.datetime], reaction_times: Sequence[dt.datetime]
) -> list[ActivityBin]:
    if not statement_times and not reaction_times:
        return []
    # Seoul's offset is a whole number of hours (and has no DST), so 5-minute bins
    # counted on the epoch are 5-minute bins of the local clock.
    width = int(BIN.total_seconds())
    statement_bins = Counter(int(t.timestamp()) // width for t in statement_times)
    reaction_bins = Counter(int(t.timestamp()) // width for t in reaction_times)
    first = min([*statement_bins, *reaction_bins])
    last = max([*statement_bins, *reaction_bins])
    # A multi-day agenda would make thousands of empty bins; keep only busy ones then.
    contiguous = (last - first) * width <= 12 * 3600
    keys = range(first, last + 1) if contiguous else sorted({*statement_bins, *reaction_bins})
    bins = []
    for key in keys:
        start = timezone.localtime(dt.datetime.fromtimestamp(key * width, tz=dt.UTC))
        bins.append(
            ActivityBin(
                start=start.isoformat(),
                label=start.strftime("%H:%M") if contiguous else start.strftime("%m-%d %H:%M"),
                statements=statement_bins.get(key, 0),
                reactions=reaction_bins.get(key, 0),
            )
        )
    return bins
