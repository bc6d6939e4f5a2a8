"""Writes of the opinion map: votes, the voting switch, the statement up for a vote, the map."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import Session
from deliberation.live import broadcast
from deliberation.live.errors import ActionError
from deliberation.live.events import encode
from deliberation.live.models import Participant, Statement
from deliberation.live.permissions import can_still_read, room_access
from deliberation.live.services import require_live, require_participant
from deliberation.people.models import User

from . import events, live, selectors
from .math import OpinionMap, compute
from .models import OpinionRoom, StatementVote, VoteValue
from .permissions import can_run_voting

log = logging.getLogger(__name__)

# A map younger than this is not computed again by another server process.
FRESH_SECONDS = 2.0


def _session(session_id: int) -> Session:
    session = Session.objects.select_related("agenda").filter(pk=session_id).first()
    if session is None:
        raise ActionError("not_found", _("회의를 찾을 수 없습니다."))
    return session


def _room(session_id: int, *, lock: bool = False) -> OpinionRoom:
    qs = OpinionRoom.objects.select_for_update() if lock else OpinionRoom.objects
    room = qs.filter(session_id=session_id).first()
    if room is None:
        try:
            with transaction.atomic():
                room = OpinionRoom.objects.create(session_id=session_id)
        except IntegrityError:
            room = qs.get(session_id=session_id)
    return room


@transaction.atomic
def opinion_vote_cast(*, actor: User, session: Session, statement_id: int, value: int) -> int:
    """Vote agree (1), disagree (-1) or pass (0) on someone else's statement; a new vote
    replaces the last. Counts reach the room's staff coalesced; the map follows within
    seconds. ``session`` as the action runner loaded it (with its agenda and organiser)."""
    if value not in VoteValue.values:
        raise ActionError("bad_field", _("투표 값이 올바르지 않습니다."), field="value")
    require_participant(actor, session)
    require_live(session)
    # The statement's author and the room's voting switch in one read.
    row = (
        Statement.objects.filter(
            pk=statement_id, session_id=session.pk, status=Statement.Status.VISIBLE
        )
        .values_list("author_id", "session__opinion_room__voting")
        .first()
    )
    if row is None or not row[1]:
        voting = OpinionRoom.objects.filter(session_id=session.pk, voting=True).exists()
        if not voting:
            raise ActionError("voting_off", _("지금은 발언 투표를 받지 않습니다."))
        raise ActionError("not_found", _("발언을 찾을 수 없습니다."))
    if row[0] == actor.pk:
        raise ActionError("own_statement", _("자신의 발언에는 투표할 수 없습니다."))
    # One statement: insert, or overwrite this person's earlier vote.
    StatementVote.objects.bulk_create(
        [
            StatementVote(
                session_id=session.pk,
                statement_id=statement_id,
                person=actor,
                value=value,
                updated_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["statement", "person"],
        update_fields=["value", "updated_at"],
    )
    session_id = session.pk
    transaction.on_commit(lambda: live.votes_changed(session_id, statement_id))
    return value


# One vote as the room's buffer holds it: (person id, statement id, value).
BufferedVote = tuple[int, int, int]


@transaction.atomic
def opinion_votes_store(
    *, session_id: int, votes: Sequence[BufferedVote]
) -> list[int | ActionError]:
    """Store a room's buffered votes in one transaction: each checked as ``opinion_vote_cast``
    checks one (the person still admitted, the session live, voting on, the statement
    visible and someone else's), then one upsert where a person's last vote on a statement
    wins. Returns, in order, each vote's stored value or the error that refused it."""
    session = (
        Session.objects.select_related("agenda", "agenda__organisation")
        .filter(pk=session_id)
        .first()
    )
    person_ids = {person for person, _s, _v in votes}
    people = User.objects.filter(pk__in=person_ids, is_active=True).in_bulk()
    banned = set(
        Participant.objects.filter(
            session_id=session_id, person_id__in=person_ids, banned=True
        ).values_list("person_id", flat=True)
    )
    refused: dict[int, ActionError] = {}
    for person_id in person_ids:
        user = people.get(person_id)
        if session is None or user is None:
            refused[person_id] = ActionError("access_lost", _("이 회의실에 참여할 수 없습니다."))
        elif not room_access(user, session, banned=person_id in banned)[0]:
            refused[person_id] = (
                ActionError("room_closed", _("지금은 회의가 진행 중이 아닙니다."))
                if can_still_read(user, session)
                else ActionError("access_lost", _("이 회의실에 참여할 수 없습니다."))
            )
        elif session.state != Session.State.LIVE:
            refused[person_id] = ActionError("room_closed", _("지금은 회의가 진행 중이 아닙니다."))
    voting = OpinionRoom.objects.filter(session_id=session_id, voting=True).exists()
    authors = dict(
        Statement.objects.filter(
            pk__in={statement for _p, statement, _v in votes},
            session_id=session_id,
            status=Statement.Status.VISIBLE,
        ).values_list("pk", "author_id")
    )
    outcomes: list[int | ActionError] = []
    last: dict[tuple[int, int], int] = {}
    for person_id, statement_id, value in votes:
        if person_id in refused:
            outcomes.append(refused[person_id])
        elif value not in VoteValue.values:
            outcomes.append(
                ActionError("bad_field", _("투표 값이 올바르지 않습니다."), field="value")
            )
        elif not voting:
            outcomes.append(ActionError("voting_off", _("지금은 발언 투표를 받지 않습니다.")))
        elif statement_id not in authors:
            outcomes.append(ActionError("not_found", _("발언을 찾을 수 없습니다.")))
        elif authors[statement_id] == person_id:
            outcomes.append(ActionError("own_statement", _("자신의 발언에는 투표할 수 없습니다.")))
        else:
            last[(statement_id, person_id)] = value
            outcomes.append(value)
    if last:
        now = timezone.now()
        # In key order, so that two processes' batches lock rows in the same order.
        StatementVote.objects.bulk_create(
            [
                StatementVote(
                    session_id=session_id,
                    statement_id=statement_id,
                    person_id=person_id,
                    value=value,
                    updated_at=now,
                )
                for (statement_id, person_id), value in sorted(last.items())
            ],
            update_conflicts=True,
            unique_fields=["statement", "person"],
            update_fields=["value", "updated_at"],
        )
        changed = sorted({statement_id for statement_id, _p in last})
        transaction.on_commit(lambda: live.votes_changed_many(session_id, changed))
    return outcomes


def _config_event(room: OpinionRoom) -> events.OpinionConfig:
    return events.OpinionConfig(voting=room.voting, featured=selectors.featured_dict(room))


def _require_runner(actor: User, session: Session) -> None:
    if not can_run_voting(actor, session):
        raise ActionError("forbidden", _("이 작업을 할 권한이 없습니다."))


@transaction.atomic
def opinion_voting_set(*, actor: User, session_id: int, enabled: bool) -> OpinionRoom:
    """Turn voting on statements on or off for this session (facilitators)."""
    session = _session(session_id)
    _require_runner(actor, session)
    room = _room(session_id, lock=True)
    if room.voting != enabled:
        room.voting = enabled
        room.save(update_fields=["voting"])
        broadcast.room_append(session_id=session_id, event=_config_event(room))
    return room


@transaction.atomic
def opinion_feature(*, actor: User, session_id: int, statement_id: int | None) -> OpinionRoom:
    """Put a statement up for a vote (phones show it first), or take it down (None)."""
    session = _session(session_id)
    _require_runner(actor, session)
    room = _room(session_id, lock=True)
    if statement_id is not None:
        statement = (
            Statement.objects.select_related("author")
            .filter(pk=statement_id, session_id=session_id, status=Statement.Status.VISIBLE)
            .first()
        )
        if statement is None:
            raise ActionError("not_found", _("발언을 찾을 수 없습니다."))
        room.featured = statement
        if not room.voting:
            room.voting = True  # putting a statement up for a vote opens voting
    else:
        room.featured = None
    room.save(update_fields=["featured", "voting"])
    broadcast.room_append(session_id=session_id, event=_config_event(room))
    return room


def _version(result: dict[str, object]) -> str:
    people = result.get("participants") or {}
    assert isinstance(people, dict)
    digest = hashlib.sha256(
        repr(sorted((k, v[2]) for k, v in people.items())).encode()
        + repr(result.get("groups")).encode()
    )
    return digest.hexdigest()[:12]


def opinion_map_refresh(*, session_id: int, final: bool = False, force: bool = False) -> bool:
    """Group the session's voters again and tell the room; returns whether it was computed.

    Skipped when the stored map already includes the newest vote, or (unless ``final`` or
    ``force``) when another server process computed it less than FRESH_SECONDS ago.
    """
    newest: dt.datetime | None = StatementVote.objects.filter(session_id=session_id).aggregate(
        m=Max("updated_at")
    )["m"]
    room = _room(session_id)
    if not force and not final:
        if room.votes_seen is not None and newest is not None and room.votes_seen >= newest:
            return False
        if (
            room.computed_at is not None
            and (timezone.now() - room.computed_at).total_seconds() < FRESH_SECONDS
        ):
            live.refresh_later(session_id)
            return False
    votes, counting, out = selectors.map_inputs(session_id)
    previous_result = room.result or {}
    previous = {
        int(p): int(v[2])
        for p, v in (previous_result.get("participants") or {}).items()
        if v[2] is not None
    }
    previous_k = len(previous_result.get("groups") or []) or None
    result_map: OpinionMap = compute(
        votes, statements=counting, excluded=out, previous=previous, previous_k=previous_k
    )
    result = result_map.to_dict()
    result["version"] = _version(result)
    with transaction.atomic():
        room = _room(session_id, lock=True)
        room.result = result
        room.computed_at = timezone.now()
        room.votes_seen = newest
        room.final = final
        room.save(update_fields=["result", "computed_at", "votes_seen", "final"])
        _announce(session_id, previous_result, result)
    log.debug("opinion map of room %s: %.1f ms", session_id, result_map.ms)
    return True


def _announce(session_id: int, before: dict[str, object], after: dict[str, object]) -> None:
    """After commit: the groups to the room, the dots to staff, changed groups to each person."""
    if before.get("version") == after.get("version") and before:
        return
    broadcast.room_notify(
        session_id=session_id, event=events.OpinionGroups(summary=selectors.summary(after))
    )
    broadcast.staff_notify(
        session_id=session_id,
        event=events.OpinionMapDots(dots=selectors.dots(after), version=str(after["version"])),
    )
    old = before.get("participants") or {}
    new = after.get("participants") or {}
    assert isinstance(old, dict) and isinstance(new, dict)
    texts = {
        person: encode(events.OpinionMine(group=row[2]).to_dict())
        for person, row in new.items()
        if old.get(person) is None or old[person][2] != row[2]
    }
    if texts:
        # One message for everyone whose group changed; each hub tells its own sockets.
        group = broadcast.room_group(session_id)
        transaction.on_commit(lambda: broadcast.publish(group, "", to="users", texts=texts))
