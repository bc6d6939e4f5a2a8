"""What a session decided and how it ran, for digests: proposals with support and
votes, polls, the facilitator's conclusion, the open-mic floor and moderation counts.

Structured-deliberation models are read through ``optional_model`` so digests work
where that app has no models; live-room records come through ``records``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from . import records
from .cleaning import clean_for_digest
from .content import (
    Conclusion,
    CountRow,
    FloorSpeaker,
    FloorSummary,
    ModerationSummary,
    PollResult,
    ProposalResult,
    VoteSummary,
)
from .sources import optional_model

LINE_CHARS = 280


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def proposal_results(session_ids: Sequence[int]) -> tuple[list[ProposalResult], VoteSummary | None]:
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


def poll_results(session_ids: Sequence[int]) -> list[PollResult]:
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


def floor_summary(session_ids: Sequence[int]) -> FloorSummary:
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


def moderation_summary(session_ids: Sequence[int]) -> ModerationSummary:
    kinds, labels = records.moderation_kinds(session_ids)
    counts = Counter(kinds)
    flagged, hidden, restored = records.screening_counts(session_ids)
    return ModerationSummary(
        flagged=flagged,
        flagged_hidden=hidden,
        flagged_restored=restored,
        total=len(kinds),
        by_kind=[
            CountRow(key=kind, label=labels.get(kind, kind), count=n)
            for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    )


def conclusion_of(session_ids: Sequence[int]) -> Conclusion | None:
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
