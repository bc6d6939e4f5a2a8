"""Reads of the opinion map: vote counts, a person's votes, the map's summary, the snapshot."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q

from deliberation.agendas.models import Session
from deliberation.live.models import Statement
from deliberation.people.models import User

from .models import OpinionRoom, StatementVote, VoteValue
from .permissions import can_see_map

TO_VOTE_LIMIT = 30
TEXT_LIMIT = 240
VALUE_NAMES: dict[int, str] = {
    int(VoteValue.AGREE): "agree",
    int(VoteValue.DISAGREE): "disagree",
    int(VoteValue.PASS): "pass",
}
VALUES_BY_NAME = {name: int(value) for value, name in VALUE_NAMES.items()}


def opinion_room(session_id: int) -> OpinionRoom | None:
    return OpinionRoom.objects.filter(session_id=session_id).first()


def vote_counts(
    session_id: int, statement_ids: Iterable[int] | None = None
) -> dict[str, list[int]]:
    """``{statement id: [agree, disagree, pass]}`` of statements with votes."""
    qs = StatementVote.objects.filter(session_id=session_id)
    if statement_ids is not None:
        qs = qs.filter(statement_id__in=list(statement_ids))
    rows = qs.values("statement_id").annotate(
        agree=Count("pk", filter=Q(value=VoteValue.AGREE)),
        disagree=Count("pk", filter=Q(value=VoteValue.DISAGREE)),
        passed=Count("pk", filter=Q(value=VoteValue.PASS)),
    )
    return {str(r["statement_id"]): [r["agree"], r["disagree"], r["passed"]] for r in rows}


def counts_for(session_id: int, statement_ids: Iterable[int]) -> dict[str, list[int]]:
    """Counts of the given statements, zeros included (a vote taken back shows as zero)."""
    ids = list(statement_ids)
    counts = vote_counts(session_id, ids)
    return {str(i): counts.get(str(i), [0, 0, 0]) for i in ids}


def my_votes(session_id: int, user_id: int) -> dict[str, str]:
    rows = StatementVote.objects.filter(session_id=session_id, person_id=user_id).values_list(
        "statement_id", "value"
    )
    return {str(s): VALUE_NAMES[v] for s, v in rows}


def map_inputs(session_id: int) -> tuple[list[tuple[int, int, int]], list[int], list[int]]:
    """The votes the map groups (participant, statement, value), the statements that
    count, and those moderated out."""
    votes: list[tuple[int, int, int]] = list(
        StatementVote.objects.filter(session_id=session_id).values_list(
            "person_id", "statement_id", "value"
        )
    )
    statuses = dict(Statement.objects.filter(session_id=session_id).values_list("pk", "status"))
    counting = sorted(s for s, st in statuses.items() if st == Statement.Status.VISIBLE)
    out = sorted(
        s
        for s, st in statuses.items()
        if st in (Statement.Status.HIDDEN, Statement.Status.REJECTED)
    )
    return votes, counting, out


def statement_card(statement: Statement) -> dict[str, Any]:
    return {
        "id": statement.pk,
        "seq": statement.seq,
        "text": statement.text[:TEXT_LIMIT],
        "author": statement.author.display_name,
        "author_id": statement.author_id,
    }


def featured_dict(room: OpinionRoom | None) -> dict[str, Any] | None:
    if room is None or room.featured is None:
        return None
    if room.featured.status != Statement.Status.VISIBLE:
        return None
    return statement_card(room.featured)


def statements_to_vote(session_id: int, user_id: int) -> list[dict[str, Any]]:
    """The statements a person has not voted on yet (not their own), newest first."""
    voted = StatementVote.objects.filter(session_id=session_id, person_id=user_id).values(
        "statement_id"
    )
    rows = (
        Statement.objects.filter(session_id=session_id, status=Statement.Status.VISIBLE)
        .exclude(author_id=user_id)
        .exclude(pk__in=voted)
        .select_related("author")
        .order_by("-pk")[:TO_VOTE_LIMIT]
    )
    return [statement_card(s) for s in rows]


def _texts(ids: set[int]) -> dict[int, Statement]:
    return {s.pk: s for s in Statement.objects.filter(pk__in=ids, status=Statement.Status.VISIBLE)}


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """What everyone may see of a map: groups, their statements, consensus, divisive.

    No participant is named; statements are given with their text (visible ones only).
    """
    if not result:
        return {"groups": [], "consensus": [], "divisive": [], "grouped": 0, "voters": 0}
    ids = {
        int(r["statement"]) for g in result.get("groups", []) for r in g.get("representative", [])
    } | {int(c["statement"]) for c in [*result.get("consensus", []), *result.get("divisive", [])]}
    texts = _texts(ids)

    def item(row: dict[str, Any]) -> dict[str, Any] | None:
        st = texts.get(int(row["statement"]))
        if st is None:
            return None
        return {**row, "text": st.text[:TEXT_LIMIT], "seq": st.seq}

    groups = [
        {
            "id": g["id"],
            "size": g["size"],
            "representative": [x for x in map(item, g.get("representative", [])) if x],
        }
        for g in result.get("groups", [])
    ]
    participants = result.get("participants", {})
    return {
        "groups": groups,
        "consensus": [x for x in map(item, result.get("consensus", [])) if x],
        "divisive": [x for x in map(item, result.get("divisive", [])) if x],
        "grouped": sum(1 for v in participants.values() if v[2] is not None),
        "voters": len(participants),
        "version": result.get("version", ""),
    }


def dots(result: dict[str, Any]) -> list[list[Any]]:
    """The map's dots, anonymous: ``[x, y, group]`` in an order that names no one."""
    return sorted(
        ([v[0], v[1], v[2]] for v in result.get("participants", {}).values()),
        key=lambda d: (d[0], d[1]),
    )


def group_of(result: dict[str, Any], user_id: int) -> int | None:
    row = result.get("participants", {}).get(str(user_id))
    return None if row is None else row[2]


def snapshot_part(session: Session, user: User) -> dict[str, Any]:
    """The ``opinions`` part of every room snapshot."""
    room = OpinionRoom.objects.select_related("featured__author").filter(session=session).first()
    result = room.result if room is not None else {}
    to_vote = statements_to_vote(session.pk, user.pk)
    ids = {c["id"] for c in to_vote}
    featured = featured_dict(room)
    if featured is not None:
        ids.add(featured["id"])
    part: dict[str, Any] = {
        "voting": bool(room and room.voting),
        "featured": featured,
        "to_vote": to_vote,
        "mine": my_votes(session.pk, user.pk),
        "counts": counts_for(session.pk, ids) if ids else {},
        "summary": summary(result),
        "my_group": group_of(result, user.pk),
    }
    if can_see_map(user, session):
        part["dots"] = dots(result)
        part["counts"] = vote_counts(session.pk)
    return part
