"""Reads of structured deliberation, as plain data ready for JSON and templates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count

from deliberation.agendas.models import Session
from deliberation.live.selectors import SHARED_READ_SECONDS, SharedReads
from deliberation.people.names import staff_badge

from . import permissions
from .models import (
    Ballot,
    BallotChoice,
    FrozenResults,
    Phase,
    PhaseKind,
    Poll,
    PollOption,
    PollVote,
    Proposal,
    VoteConfig,
    WrapUp,
)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def phase_dict(phase: Phase) -> dict[str, Any]:
    return {
        "id": phase.pk,
        "kind": phase.kind,
        "label": str(PhaseKind(phase.kind).label),
        "order": phase.order,
        "planned_seconds": phase.planned_seconds,
        "status": phase.status,
        "started_at": _iso(phase.started_at),
        "ends_at": _iso(phase.ends_at),
    }


def phases_list(session_id: int) -> list[dict[str, Any]]:
    return [phase_dict(p) for p in Phase.objects.filter(session_id=session_id)]


def current_phase(session_id: int) -> Phase | None:
    return Phase.objects.filter(session_id=session_id, status=Phase.Status.RUNNING).first()


def current_phase_kind(session_id: int) -> str:
    """The running phase's kind, or ``permissions.NONE``."""
    kind = (
        Phase.objects.filter(session_id=session_id, status=Phase.Status.RUNNING)
        .values_list("kind", flat=True)
        .first()
    )
    return kind or permissions.NONE


def proposal_dict(
    proposal: Proposal, supporters: int | None = None, edited: bool | None = None
) -> dict[str, Any]:
    author = proposal.author
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "body_html": proposal.body_html,
        "author": author.display_name if author else "",
        "author_badge": staff_badge(author) if author else "",
        "status": proposal.status,
        "merged_into": proposal.merged_into_id,
        "supporters": supporters if supporters is not None else proposal.supports.count(),
        "edited": edited if edited is not None else proposal.revisions.exists(),
        # What was merged into this proposal stays readable under it, with its author.
        "merged_from": [
            {
                "id": m.pk,
                "title": m.title,
                "body_html": m.body_html,
                "author": m.author.display_name if m.author else "",
            }
            for m in proposal.merged_from.select_related("author").order_by("pk")
        ],
    }


def proposals_list(session_id: int, *, include_merged: bool = False) -> list[dict[str, Any]]:
    qs = (
        Proposal.objects.filter(session_id=session_id)
        .select_related("author")
        .annotate(n_supports=Count("supports", distinct=True), n_revisions=Count("revisions"))
    )
    if not include_merged:
        qs = qs.filter(status=Proposal.Status.OPEN)
    return [
        proposal_dict(
            p,
            supporters=p.n_supports,  # type: ignore[attr-defined]
            edited=bool(p.n_revisions),  # type: ignore[attr-defined]
        )
        for p in qs
    ]


def supported_ids(session_id: int, user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Proposal.objects.filter(session_id=session_id, supports__person=user).values_list(
            "pk", flat=True
        )
    )


def vote_config_dict(config: VoteConfig | None) -> dict[str, Any]:
    if config is None:
        return {
            "method": VoteConfig.Method.APPROVAL,
            "top_k": 3,
            "hide_results": False,
            "closed": False,
        }
    return {
        "method": config.method,
        "top_k": config.top_k,
        "hide_results": config.hide_results,
        "closed": config.is_closed,
    }


def vote_results(session_id: int) -> list[dict[str, Any]]:
    """Open proposals ranked: approvals in an approval vote, Borda points in a ranking vote.

    In a ranking vote of top k, a first choice earns k points, a second k - 1, and so
    on. Ties are broken by more first choices, then by the earlier proposal.
    """
    return _vote_results(session_id, VoteConfig.objects.filter(session_id=session_id).first())


def _vote_results(session_id: int, config: VoteConfig | None) -> list[dict[str, Any]]:
    top_k = config.top_k if config else 3
    ranking = config is not None and config.method == VoteConfig.Method.RANKING
    proposals = list(
        Proposal.objects.filter(session_id=session_id, status=Proposal.Status.OPEN).order_by(
            "created_at", "pk"
        )
    )
    votes: Counter[int] = Counter()
    firsts: Counter[int] = Counter()
    points: Counter[int] = Counter()
    for proposal_id, rank in BallotChoice.objects.filter(ballot__session_id=session_id).values_list(
        "proposal_id", "rank"
    ):
        votes[proposal_id] += 1
        if rank == 1:
            firsts[proposal_id] += 1
        if ranking and rank is not None:
            points[proposal_id] += max(top_k + 1 - rank, 0)
        elif not ranking:
            points[proposal_id] += 1
    order = {p.pk: i for i, p in enumerate(proposals)}
    ranked = sorted(proposals, key=lambda p: (-points[p.pk], -firsts[p.pk], order[p.pk]))
    results = []
    place = 0
    previous: tuple[int, int] | None = None
    for i, p in enumerate(ranked, start=1):
        key = (points[p.pk], firsts[p.pk])
        if key != previous:
            place = i
            previous = key
        results.append(
            {
                "proposal_id": p.pk,
                "title": p.title,
                "score": points[p.pk],
                "votes": votes[p.pk],
                "first_choices": firsts[p.pk],
                "place": place,
            }
        )
    return results


def ballot_count(session_id: int) -> int:
    return Ballot.objects.filter(session_id=session_id).count()


def results_visible(session_id: int, user: Any) -> bool:
    """Vote results are hidden from everyone but facilitators until the vote closes, if chosen."""
    config = VoteConfig.objects.filter(session_id=session_id).first()
    if _results_open(config):
        return True
    session = Session.objects.select_related("agenda__organisation").get(pk=session_id)
    return permissions.role_in(user, session) == permissions.FACILITATOR


def _results_open(config: VoteConfig | None) -> bool:
    """Results shown to everyone (not only facilitators)."""
    return config is None or not config.hide_results or config.is_closed


def my_ballot(session_id: int, user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        BallotChoice.objects.filter(ballot__session_id=session_id, ballot__voter=user)
        .order_by("rank", "pk")
        .values_list("proposal_id", flat=True)
    )


def poll_counts(poll_id: int) -> tuple[int, dict[str, int]]:
    """(number of people who answered, answers per option id)."""
    voters = PollVote.objects.filter(poll_id=poll_id).count()
    counts = {
        str(o["pk"]): o["n"]
        for o in PollOption.objects.filter(poll_id=poll_id)
        .annotate(n=Count("votes"))
        .values("pk", "n")
    }
    return voters, counts


def poll_dict(poll: Poll) -> dict[str, Any]:
    voters, counts = poll_counts(poll.pk)
    return {**_poll_body(poll), "voters": voters, "counts": counts}


def _poll_body(poll: Poll) -> dict[str, Any]:
    """A poll without its counts (which change with every answer)."""
    return {
        "id": poll.pk,
        "question": poll.question,
        "kind": poll.kind,
        "status": poll.status,
        "options": [{"id": o.pk, "label": o.label} for o in poll.options.all()],
    }


def polls_list(session_id: int) -> list[dict[str, Any]]:
    return _with_counts(session_id, _poll_bodies(session_id))


def _poll_bodies(session_id: int) -> list[dict[str, Any]]:
    """The session's polls without their counts."""
    return [
        _poll_body(p)
        for p in Poll.objects.filter(session_id=session_id).prefetch_related("options")
    ]


def _with_counts(session_id: int, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``bodies`` with each poll's voters and answers per option, read now (as poll_dict)."""
    if not bodies:
        return []
    voters = dict(
        PollVote.objects.filter(poll__session_id=session_id)
        .order_by()
        .values("poll_id")
        .annotate(n=Count("pk"))
        .values_list("poll_id", "n")
    )
    counts: dict[int, dict[str, int]] = {}
    for option_id, poll_id, n in (
        PollOption.objects.filter(poll__session_id=session_id)
        .annotate(n=Count("votes"))
        .values_list("pk", "poll_id", "n")
    ):
        counts.setdefault(poll_id, {})[str(option_id)] = n
    return [
        {**body, "voters": voters.get(body["id"], 0), "counts": counts.get(body["id"], {})}
        for body in bodies
    ]


def my_poll_answers(session_id: int, user: Any) -> dict[str, list[int]]:
    if not getattr(user, "is_authenticated", False):
        return {}
    out: dict[str, list[int]] = {}
    for poll_id, option_id in PollVote.objects.filter(
        poll__session_id=session_id, person=user
    ).values_list("poll_id", "options__pk"):
        answers = out.setdefault(str(poll_id), [])
        if option_id is not None:
            answers.append(option_id)
    return {poll_id: sorted(answers) for poll_id, answers in out.items()}


def wrapup_html(session_id: int) -> str:
    return (
        WrapUp.objects.filter(session_id=session_id)
        .values_list("conclusion_html", flat=True)
        .first()
        or ""
    )


def stance_counts(session_id: int) -> dict[str, int]:
    """Visible top-level statements per stance (for, against, neutral, question)."""
    from .stances import count_stances

    return count_stances(session_id)


def frozen_results(session_id: int) -> dict[str, Any] | None:
    data = (
        FrozenResults.objects.filter(session_id=session_id).values_list("data", flat=True).first()
    )
    return data  # type: ignore[return-value]


def room_state(session: Session, user: Any) -> dict[str, Any]:
    """The structured part of a room snapshot, as this person may see it.

    The room's part is read once per seq and shared by everyone joining meanwhile
    (``shared_reads``); poll counts (which change without a seq) and the person's own
    pieces are read for each snapshot.
    """
    sid = session.pk
    room = _room_part.get(sid, session.last_seq, lambda: (session.last_seq, _room_part_read(sid)))
    role = permissions.role_in(user, session)
    visible = room["results_open"] or role == permissions.FACILITATOR
    return {
        "phases": room["phases"],
        "current_phase_id": room["current_phase_id"],
        "role": role,
        "proposals": room["proposals"],
        "supported": supported_ids(sid, user),
        "vote": {
            **room["vote_config"],
            "ballots": room["ballots"],
            "results": room["results"] if visible else None,
            "my_ballot": my_ballot(sid, user),
        },
        "polls": _with_counts(sid, room["polls"]),
        "my_poll_answers": my_poll_answers(sid, user),
        "stances": room["stances"],
        "wrapup_html": room["wrapup_html"],
        "final": room["final"],
    }


def _room_part_read(sid: int) -> dict[str, Any]:
    """What every person sees alike at one seq (vote results before the visibility rule)."""
    config = VoteConfig.objects.filter(session_id=sid).first()
    phases = list(Phase.objects.filter(session_id=sid))
    current = next((p for p in phases if p.status == Phase.Status.RUNNING), None)
    return {
        "phases": [phase_dict(p) for p in phases],
        "current_phase_id": current.pk if current else None,
        "proposals": proposals_list(sid),
        "vote_config": vote_config_dict(config),
        "ballots": ballot_count(sid),
        "results": _vote_results(sid, config),
        "results_open": _results_open(config),
        "polls": _poll_bodies(sid),
        "stances": stance_counts(sid),
        "wrapup_html": wrapup_html(sid),
        "final": frozen_results(sid),
    }


_room_part: SharedReads[dict[str, Any]] = SharedReads(SHARED_READ_SECONDS)


def _percent(n: int, total: int) -> int:
    return round(100 * n / total) if total else 0


def final_results_view(session_id: int) -> dict[str, Any] | None:
    """The frozen results shaped for a page: bars as percentages, labels resolved."""
    data = frozen_results(session_id)
    if not data or (not data.get("structured", True) and not data.get("polls")):
        return None
    vote = data.get("vote") or {}
    results = vote.get("results") or []
    top = max((r["score"] for r in results), default=0)
    merged: dict[int, list[str]] = {}
    for p in data.get("proposals") or []:
        if p.get("merged_into"):
            merged.setdefault(p["merged_into"], []).append(p["title"])
    polls = []
    for poll in data.get("polls") or []:
        voters = poll.get("voters", 0)
        counts = poll.get("counts") or {}
        polls.append(
            {
                "question": poll["question"],
                "voters": voters,
                "options": [
                    {
                        "label": o["label"],
                        "count": counts.get(str(o["id"]), 0),
                        "percent": _percent(counts.get(str(o["id"]), 0), voters),
                    }
                    for o in poll.get("options", [])
                ],
            }
        )
    stances = data.get("stances") or {}
    total = sum(stances.values())
    from .stances import STANCES

    labels = dict(zip(STANCES, _stance_labels(), strict=True))
    return {
        "frozen_at": data.get("frozen_at"),
        "method": vote.get("method"),
        "ballots": vote.get("ballots", 0),
        "results": [
            {**r, "percent": _percent(r["score"], top), "merged": merged.get(r["proposal_id"], [])}
            for r in results
        ],
        "polls": polls,
        "stances": [
            {
                "key": k,
                "label": labels[k],
                "count": stances.get(k, 0),
                "percent": _percent(stances.get(k, 0), total),
            }
            for k in STANCES
        ],
        "stance_total": total,
        "conclusion_html": data.get("conclusion_html", ""),
    }


def _stance_labels() -> list[str]:
    from deliberation.live.models import Stance

    return [str(Stance(v).label) for v in Stance.values]
