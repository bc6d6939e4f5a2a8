"""Building a digest's content from stored analysis and the room's record.

``build_session_digest`` / ``build_agenda_digest`` return a ``DigestContent``; the
digests app stores, edits and publishes it. Nothing is re-tagged here: keywords and
summaries come from the ``TextAnalysis`` rows written at ingest, so the cost is
reading rows and a few sparse-matrix products, roughly linear in the statements.
Every text leaving here went through ``clean_for_digest``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import Agenda, Session
from deliberation.common.privacy import mask_personal_data
from deliberation.common.sanitize import strip_all_markup
from deliberation.people.models import User

from . import records
from .charts import activity_bar_chart
from .content import (
    ActivityBin,
    Citation,
    Conclusion,
    CountRow,
    DigestContent,
    FloorSpeaker,
    FloorSummary,
    Keyword,
    ModerationSummary,
    Participation,
    PollResult,
    ProposalResult,
    StanceGroup,
    SummaryLine,
    VoteSummary,
)
from .keywords import corpus_frequencies, tfidf_keywords
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
LINE_CHARS = 280
LINES_PER_STANCE = 5
KEYWORD_LIMIT = 15
_SPACES = re.compile(r"\s+")

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


def clean_for_digest(text: str, *, limit: int | None = None) -> str:
    """Plain text fit to leave the room: no markup, no personal data, one line.

    Angle brackets left after stripping (a resident writing "a < b", or escaped
    markup) become full-width brackets, so no export (Markdown passes raw HTML
    through) can ever turn them back into a tag.
    """
    text = html.unescape(strip_all_markup(text or ""))
    text = text.replace("<", "\uff1c").replace(">", "\uff1e")
    text = mask_personal_data(_SPACES.sub(" ", text).strip())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


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
    nouns_by_id = _stored_nouns(session_ids)
    progress(0.25, _("참여 현황을 집계하는 중"))
    participation = _participation(session_ids, statements)
    progress(0.4, _("핵심어를 고르는 중"))
    documents = [(s.id, nouns_by_id.get(s.id, [])) for s in statements]
    df, total = corpus_frequencies({t for _, nouns in documents for t in nouns})
    keywords = [
        Keyword(
            term=clean_for_digest(k.term),
            score=k.score,
            count=k.count,
            statement_ids=k.document_ids,
        )
        for k in tfidf_keywords(
            documents, document_frequency=df, total_documents=total, limit=KEYWORD_LIMIT
        )
    ]
    progress(0.55, _("핵심 발언을 요약하는 중"))
    key_statements = _key_statements(statements, nouns_by_id, df, total)
    progress(0.8, _("제안과 투표 결과를 정리하는 중"))
    proposals, vote = _proposals(session_ids)
    polls = _polls(session_ids)
    floor = _floor(session_ids)
    moderation = _moderation(session_ids)
    conclusion = _conclusion(session_ids)
    times = [s.created_at for s in statements if s.created_at is not None]
    start = min([s.starts_at for s in sessions] + times, default=None)
    end = max(times, default=None)
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


def _stored_nouns(session_ids: Sequence[int]) -> dict[int, list[str]]:
    rows = TextAnalysis.objects.filter(
        session_id__in=list(session_ids),
        kind=TextKind.STATEMENT,
        state=TextAnalysis.State.DONE,
    ).values_list("object_id", "nouns")
    return {object_id: nouns for object_id, nouns in rows}


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
        proposal_count = proposals.count()
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


def _proposals(session_ids: Sequence[int]) -> tuple[list[ProposalResult], VoteSummary | None]:
    model = optional_model("structured", "Proposal")
    if model is None:
        return [], None
    rows = list(
        model._default_manager.filter(session_id__in=list(session_ids))
        .annotate(supporter_count=Count("supports", distinct=True))
        .order_by("created_at", "pk")
    )
    merged_from: dict[int, list[int]] = defaultdict(list)
    for p in rows:
        if p.merged_into_id:
            merged_from[p.merged_into_id].append(p.pk)
    votes, points = _vote_tallies(session_ids)
    vote = _vote_summary(session_ids)
    results = [
        ProposalResult(
            id=p.pk,
            title=clean_for_digest(p.title),
            summary=clean_for_digest(p.body_html, limit=LINE_CHARS),
            status=p.status,
            supporters=p.supporter_count,
            merged_from=sorted(merged_from.get(p.pk, [])),
            votes=votes.get(p.pk, 0),
            points=points.get(p.pk) if points else None,
        )
        for p in rows
        if not p.merged_into_id
    ]
    if vote is not None and not vote.results_hidden:
        key = (
            (lambda r: (-(r.points or 0), -r.votes, r.id))
            if points
            else (lambda r: (-r.votes, -r.supporters, r.id))
        )
        results.sort(key=key)
        for rank, result in enumerate(results, start=1):
            result.rank = rank
    else:
        results.sort(key=lambda r: (-r.supporters, r.id))
    return results, vote


def _vote_summary(session_ids: Sequence[int]) -> VoteSummary | None:
    config_model = optional_model("structured", "VoteConfig")
    ballot_model = optional_model("structured", "Ballot")
    if config_model is None or ballot_model is None or len(session_ids) != 1:
        return None
    config = config_model._default_manager.filter(session_id=session_ids[0]).first()
    if config is None:
        return None
    ballots = ballot_model._default_manager.filter(session_id=session_ids[0]).count()
    closed = config.closed_at is not None  # type: ignore[attr-defined]
    return VoteSummary(
        method=config.method,  # type: ignore[attr-defined]
        closed=closed,
        ballots=ballots,
        results_hidden=bool(config.hide_results and not closed),  # type: ignore[attr-defined]
    )


def _vote_tallies(session_ids: Sequence[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Per proposal: ballots choosing it, and Borda points when ballots rank."""
    choice_model = optional_model("structured", "BallotChoice")
    config_model = optional_model("structured", "VoteConfig")
    if choice_model is None:
        return {}, {}
    votes: Counter[int] = Counter()
    points: Counter[int] = Counter()
    ranked = False
    top_k = {
        c.session_id: c.top_k  # type: ignore[attr-defined]
        for c in (
            config_model._default_manager.filter(session_id__in=list(session_ids))
            if config_model
            else []
        )
    }
    for proposal_id, rank, session_id in choice_model._default_manager.filter(
        ballot__session_id__in=list(session_ids)
    ).values_list("proposal_id", "rank", "ballot__session_id"):
        votes[proposal_id] += 1
        if rank is not None:
            ranked = True
            points[proposal_id] += max(top_k.get(session_id, 3) - rank + 1, 0)
    return dict(votes), (dict(points) if ranked else {})


def _polls(session_ids: Sequence[int]) -> list[PollResult]:
    poll_model = optional_model("structured", "Poll")
    if poll_model is None:
        return []
    results = []
    polls = poll_model._default_manager.filter(session_id__in=list(session_ids)).prefetch_related(
        "options"
    )
    for poll in polls.annotate(voters=Count("votes", distinct=True)).order_by("created_at", "pk"):
        options = poll.options.annotate(n=Count("votes")).order_by("order", "pk")  # type: ignore[attr-defined]
        results.append(
            PollResult(
                id=poll.pk,
                question=clean_for_digest(poll.question),  # type: ignore[attr-defined]
                kind=poll.kind,  # type: ignore[attr-defined]
                status=poll.status,  # type: ignore[attr-defined]
                voters=poll.voters,  # type: ignore[attr-defined]
                options=[
                    CountRow(key=str(o.pk), label=clean_for_digest(o.label), count=o.n)
                    for o in options
                ],
            )
        )
    return results


def _floor(session_ids: Sequence[int]) -> FloorSummary:
    turns = records.load_floor_turns(session_ids)
    if not turns:
        return FloorSummary()
    # Speakers appear as "발언자 1, 2 ..." in order of first turn: the ministry reads
    # how the floor was shared, not who the residents are.
    order: dict[int | None, int] = {}
    seconds: Counter[int | None] = Counter()
    counts: Counter[int | None] = Counter()
    for turn in turns:
        order.setdefault(turn.person_id, len(order) + 1)
        seconds[turn.person_id] += turn.seconds
        counts[turn.person_id] += 1
    return FloorSummary(
        speakers=len(order),
        turns=len(turns),
        total_seconds=sum(seconds.values()),
        by_speaker=[
            FloorSpeaker(
                label=_("발언자 %(n)d") % {"n": n}, turns=counts[person], seconds=seconds[person]
            )
            for person, n in order.items()
        ],
    )


def _moderation(session_ids: Sequence[int]) -> ModerationSummary:
    kinds, labels = records.moderation_kinds(session_ids)
    counts = Counter(kinds)
    return ModerationSummary(
        total=len(kinds),
        by_kind=[
            CountRow(key=kind, label=labels.get(kind, kind), count=n)
            for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    )


def _conclusion(session_ids: Sequence[int]) -> Conclusion | None:
    model = optional_model("structured", "WrapUp")
    if model is None:
        return None
    parts = []
    updated = None
    for wrap_up in model._default_manager.filter(session_id__in=list(session_ids)).order_by(
        "session__starts_at", "pk"
    ):
        text = clean_for_digest(wrap_up.conclusion_html)  # type: ignore[attr-defined]
        if text:
            parts.append(text)
            updated = max(filter(None, [updated, wrap_up.updated_at]))  # type: ignore[attr-defined]
    if not parts:
        return None
    return Conclusion(text="\n\n".join(parts), updated_at=_iso(updated))
