"""The open mic's floor: timed turns granted from the queue, ended by the server's clock.

Turns end on time with nobody watching: every server process with sockets in the room
sets a timer for ``ends_at`` (the room hub), and reads end overdue turns lazily.
``floor_expire`` is idempotent under the turn's row lock, so two processes firing at
the same moment end a turn once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.people.models import User

from . import broadcast, events
from .errors import ActionError
from .models import FloorTurn, HandRaise, ModerationAction, Participant
from .moderation import log_action, require_staff
from .selectors import floor_dict, queue_list
from .services import _locked_session, announce_queue, notify_person, require_live

EXTEND_DEFAULT = 60


def current_turn(session_id: int, *, now: dt.datetime | None = None) -> FloorTurn | None:
    """The turn holding the floor now (an overdue turn no longer holds it)."""
    now = now or timezone.now()
    return (
        FloorTurn.objects.filter(session_id=session_id, ended_at__isnull=True, ends_at__gt=now)
        .select_related("person")
        .first()
    )


def _end_turn(turn: FloorTurn, reason: str, *, now: dt.datetime) -> dict[str, object]:
    turn.ended_at = min(now, turn.ends_at) if reason == FloorTurn.EndReason.EXPIRED else now
    turn.end_reason = reason
    turn.save(update_fields=["ended_at", "end_reason"])
    return {"turn_id": turn.pk, "user_id": turn.person_id, "reason": reason}


def _announce_floor(session_id: int, turn: FloorTurn | None, previous: dict | None) -> None:
    event = events.FloorChanged(floor=floor_dict(turn), previous=previous)
    broadcast.room_append(session_id=session_id, event=event)


def _open_turn_locked(session_id: int) -> FloorTurn | None:
    return (
        FloorTurn.objects.select_for_update()
        .filter(session_id=session_id, ended_at__isnull=True)
        .select_related("person")
        .first()
    )


def _start_turn(session_id: int, person: User, actor: User | None, seconds: int) -> FloorTurn:
    now = timezone.now()
    HandRaise.objects.filter(session_id=session_id, person=person, lowered_at__isnull=True).update(
        lowered_at=now
    )
    return FloorTurn.objects.create(
        session_id=session_id,
        person=person,
        granted_by=actor,
        started_at=now,
        ends_at=now + dt.timedelta(seconds=seconds),
    )


@transaction.atomic
def floor_grant(*, actor: User, session_id: int, user_id: int | None = None) -> FloorTurn:
    """Give the floor to the next in the queue (or a chosen person) for a timed turn."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    require_live(session)
    now = timezone.now()
    if user_id is None:
        hand = (
            HandRaise.objects.filter(session=session, lowered_at__isnull=True)
            .select_related("person")
            .order_by("raised_at", "pk")
            .first()
        )
        if hand is None:
            raise ActionError("queue_empty", _("손을 든 참여자가 없습니다."))
        person = hand.person
    else:
        chosen = User.objects.filter(pk=user_id).first()
        if (
            chosen is None
            or not Participant.objects.filter(session=session, person=chosen, banned=False).exists()
        ):
            raise ActionError("not_found", _("이 회의실의 참여자가 아닙니다."))
        person = chosen
    previous = None
    turn = _open_turn_locked(session.pk)
    if turn is not None:
        overdue = turn.ends_at <= now
        reason = FloorTurn.EndReason.EXPIRED if overdue else FloorTurn.EndReason.ENDED
        previous = _end_turn(turn, reason, now=now)
    new = _start_turn(session.pk, person, actor, session.turn_seconds)
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.FLOOR_GRANT,
        target_kind="participant",
        target_id=person.pk,
    )
    _announce_floor(session.pk, new, previous)
    announce_queue(session.pk)
    notify_person(session.pk, person.pk)
    return new


@transaction.atomic
def floor_extend(*, actor: User, session_id: int, seconds: int = EXTEND_DEFAULT) -> FloorTurn:
    """Give the current speaker more time."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    turn = _open_turn_locked(session.pk)
    if turn is None or turn.ends_at <= timezone.now():
        raise ActionError("no_floor", _("발언 중인 사람이 없습니다."))
    turn.ends_at = turn.ends_at + dt.timedelta(seconds=seconds)
    turn.save(update_fields=["ends_at"])
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.FLOOR_EXTEND,
        target_kind="participant",
        target_id=turn.person_id,
        detail={"seconds": seconds},
    )
    _announce_floor(session.pk, turn, None)
    return turn


@transaction.atomic
def floor_end(
    *, actor: User, session_id: int, reason: str = FloorTurn.EndReason.ENDED
) -> dict[str, object]:
    """End the current turn now."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    turn = _open_turn_locked(session.pk)
    now = timezone.now()
    if turn is None or turn.ends_at <= now:
        raise ActionError("no_floor", _("발언 중인 사람이 없습니다."))
    previous = _end_turn(turn, reason, now=now)
    kind = (
        ModerationAction.Kind.FLOOR_SKIP
        if reason == FloorTurn.EndReason.SKIPPED
        else ModerationAction.Kind.FLOOR_END
    )
    log_action(
        session=session, actor=actor, kind=kind, target_kind="participant", target_id=turn.person_id
    )
    _announce_floor(session.pk, None, previous)
    return previous


@transaction.atomic
def floor_yield(*, actor: User, session_id: int) -> dict[str, object]:
    """The speaker ends their own turn early ("I'm done")."""
    session = _locked_session(session_id)
    turn = _open_turn_locked(session.pk)
    now = timezone.now()
    if turn is None or turn.ends_at <= now or turn.person_id != actor.pk:
        raise ActionError("no_floor", _("지금 발언권을 가지고 있지 않습니다."))
    previous = _end_turn(turn, FloorTurn.EndReason.ENDED, now=now)
    _announce_floor(session.pk, None, previous)
    notify_person(session.pk, actor.pk)
    return previous


@transaction.atomic
def floor_skip(*, actor: User, session_id: int) -> FloorTurn | None:
    """End the current turn and give the floor to the next in the queue, if anyone."""
    floor_end(actor=actor, session_id=session_id, reason=FloorTurn.EndReason.SKIPPED)
    if not queue_list(session_id):
        return None
    return floor_grant(actor=actor, session_id=session_id)


def floor_expire(*, session_id: int) -> bool:
    """End the turn whose time is up (server clock). Safe to call from every process."""
    with transaction.atomic():
        # The room's row first, as every other floor change takes it: no lock-order deadlock.
        if (
            FloorTurn.objects.filter(
                session_id=session_id, ended_at__isnull=True, ends_at__lte=timezone.now()
            ).first()
            is None
        ):
            return False
        _locked_session(session_id)
        turn = _open_turn_locked(session_id)
        now = timezone.now()
        if turn is None or turn.ends_at > now:
            return False
        previous = _end_turn(turn, FloorTurn.EndReason.EXPIRED, now=now)
        _announce_floor(session_id, None, previous)
        notify_person(session_id, turn.person_id)
        return True


def floor_end_for_person(*, session_id: int, user_id: int, reason: str) -> None:
    """Inside a moderation transaction: a removed or banned speaker loses the floor."""
    turn = _open_turn_locked(session_id)
    if turn is not None and turn.person_id == user_id:
        previous = _end_turn(turn, reason, now=timezone.now())
        _announce_floor(session_id, None, previous)


def floor_deadline(session_id: int) -> dt.datetime | None:
    """When the open turn ends (for the hub's timer), or None."""
    return (
        FloorTurn.objects.filter(session_id=session_id, ended_at__isnull=True)
        .values_list("ends_at", flat=True)
        .first()
    )


def floor_end_for_open_turn(*, session_id: int) -> None:
    """Inside a session transition to closed: whoever speaks stops."""
    turn = _open_turn_locked(session_id)
    if turn is not None:
        previous = _end_turn(turn, FloorTurn.EndReason.CLOSED, now=timezone.now())
        _announce_floor(session_id, None, previous)
