"""Facilitation and moderation of a live room. Every action is written to the audit log.

The public moderation log (selectors.public_moderation_log) shows the kind of action and
its reason, never a hidden statement's text.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas import services as agenda_services
from deliberation.agendas.models import Session
from deliberation.people.models import User

from . import broadcast, events, participation, permissions
from .errors import ActionError
from .models import HandRaise, ModerationAction, Participant, Report, Statement
from .selectors import moderation_entry, session_settings, statement_dict
from .services import (
    _locked_session,
    announce_queue,
    clean_reason,
    notify_person,
    publish_statement,
)

SLOW_MODE_MAX = 3600


def require_staff(actor: User, session: Session) -> None:
    if not permissions.is_room_staff(actor, session):
        raise ActionError("forbidden", _("진행자만 할 수 있습니다."))


def log_action(
    *,
    session: Session,
    actor: User | None,
    kind: str,
    target_kind: str = "",
    target_id: int | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> ModerationAction:
    """Write one audit-log entry and show its public form in the room."""
    action = ModerationAction.objects.create(
        session=session,
        actor=actor,
        kind=kind,
        target_kind=target_kind,
        target_id=target_id,
        reason=reason,
        detail=detail or {},
    )
    broadcast.room_append(
        session_id=session.pk, event=events.ModerationLogged(entry=moderation_entry(action))
    )
    return action


def announce_settings(session: Session) -> None:
    broadcast.room_append(
        session_id=session.pk, event=events.RoomState(**session_settings(session))
    )


# --- Room controls ----------------------------------------------------------------------

_STATE_ACTION: dict[str, str] = {
    Session.State.LIVE: ModerationAction.Kind.ROOM_OPEN,
    Session.State.PAUSED: ModerationAction.Kind.ROOM_PAUSE,
    Session.State.CLOSED: ModerationAction.Kind.ROOM_CLOSE,
}


@transaction.atomic
def room_set_state(*, actor: User, session_id: int, to_state: str) -> Session:
    """Open, pause or close the room through the session's state machine."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    try:
        session = agenda_services.session_transition(
            actor=actor, session=session, to_state=to_state
        )
    except ValidationError as exc:
        raise ActionError("bad_transition", " ".join(exc.messages)) from None
    except PermissionDenied:
        raise ActionError("forbidden", _("진행자만 할 수 있습니다.")) from None
    return session


def on_session_transition(
    *, session: Session, from_state: str, to_state: str, actor: Any = None
) -> None:
    """Hook run inside every session transition (from the room or the session page):
    the room learns its new state and the audit log records who moved it."""
    if to_state in (Session.State.CLOSED, Session.State.ARCHIVED):
        from .floor import floor_end_for_open_turn

        floor_end_for_open_turn(session_id=session.pk)
    if to_state in _STATE_ACTION:
        log_action(session=session, actor=actor, kind=_STATE_ACTION[to_state], target_kind="room")
    announce_settings(session)


@transaction.atomic
def room_configure(
    *,
    actor: User,
    session_id: int,
    locked: bool | None = None,
    slow_mode_seconds: int | None = None,
    premoderation: bool | None = None,
    reason: str = "",
) -> Session:
    """Lock the room read-only, set slow mode, switch pre-moderation."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    reason = clean_reason(reason)
    changes: list[tuple[str, dict[str, Any]]] = []
    kind: str
    if locked is not None and locked != session.locked:
        session.locked = locked
        kind = ModerationAction.Kind.LOCK if locked else ModerationAction.Kind.UNLOCK
        changes.append((kind, {"locked": locked}))
    if slow_mode_seconds is not None and slow_mode_seconds != session.slow_mode_seconds:
        if not 0 <= slow_mode_seconds <= SLOW_MODE_MAX:
            raise ActionError("bad_field", _("슬로 모드는 0~3600초입니다."), field="seconds")
        session.slow_mode_seconds = slow_mode_seconds
        changes.append((ModerationAction.Kind.SLOW_MODE, {"seconds": slow_mode_seconds}))
    if premoderation is not None and premoderation != session.premoderation:
        session.premoderation = premoderation
        changes.append((ModerationAction.Kind.PREMODERATION, {"enabled": premoderation}))
    if not changes:
        return session
    session.save(update_fields=["locked", "slow_mode_seconds", "premoderation", "updated_at"])
    for kind, detail in changes:
        log_action(
            session=session,
            actor=actor,
            kind=kind,
            target_kind="room",
            reason=reason,
            detail=detail,
        )
    announce_settings(session)
    return session


# --- Statements -------------------------------------------------------------------------


def _statement(session: Session, statement_id: int, *, lock: bool = True) -> Statement:
    qs = Statement.objects.select_related("author")
    if lock:
        qs = qs.select_for_update(of=("self",))
    statement = qs.filter(pk=statement_id, session=session).first()
    if statement is None:
        raise ActionError("not_found", _("발언을 찾을 수 없습니다."))
    return statement


@transaction.atomic
def statement_approve(*, actor: User, session_id: int, statement_id: int) -> int:
    """Pre-moderation: show a waiting statement to the room; returns its seq."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    statement = _statement(session, statement_id)
    if statement.status != Statement.Status.PENDING:
        raise ActionError("conflict", _("승인 대기 중인 발언이 아닙니다."))
    statement.status = Statement.Status.VISIBLE
    statement.save(update_fields=["status"])
    seq = publish_statement(statement)
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.APPROVE,
        target_kind="statement",
        target_id=statement.pk,
    )
    broadcast.staff_notify(
        session_id=session.pk,
        event=events.StaffPendingDone(statement_id=statement.pk, status=statement.status),
    )
    return seq


@transaction.atomic
def statement_reject(*, actor: User, session_id: int, statement_id: int, reason: str = "") -> None:
    """Pre-moderation: keep a waiting statement out of the room (the author is told)."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    statement = _statement(session, statement_id)
    if statement.status != Statement.Status.PENDING:
        raise ActionError("conflict", _("승인 대기 중인 발언이 아닙니다."))
    statement.status = Statement.Status.REJECTED
    statement.save(update_fields=["status"])
    reason = clean_reason(reason)
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.REJECT,
        target_kind="statement",
        target_id=statement.pk,
        reason=reason,
    )
    broadcast.staff_notify(
        session_id=session.pk,
        event=events.StaffPendingDone(statement_id=statement.pk, status=statement.status),
    )
    notify_person(session.pk, statement.author_id, notice=_("발언이 승인되지 않았습니다."))


@transaction.atomic
def statement_pin(*, actor: User, session_id: int, statement_id: int, pinned: bool) -> None:
    """Pin a statement above the discussion, or unpin it."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    statement = _statement(session, statement_id)
    if pinned and statement.status != Statement.Status.VISIBLE:
        raise ActionError("conflict", _("공개된 발언만 고정할 수 있습니다."))
    if statement.pinned == pinned:
        return
    statement.pinned = pinned
    statement.save(update_fields=["pinned"])
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.PIN if pinned else ModerationAction.Kind.UNPIN,
        target_kind="statement",
        target_id=statement.pk,
    )
    broadcast.room_append(
        session_id=session.pk,
        event=events.StatementPinned(statement_id=statement.pk, pinned=pinned),
    )


@transaction.atomic
def statement_hide(*, actor: User, session_id: int, statement_id: int, reason: str = "") -> None:
    """Hide a statement from everyone now; it stays in the record."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    statement = _statement(session, statement_id)
    if statement.status == Statement.Status.HIDDEN:
        return
    if statement.status != Statement.Status.VISIBLE:
        raise ActionError("conflict", _("공개된 발언만 숨길 수 있습니다."))
    statement.status = Statement.Status.HIDDEN
    statement.pinned = False
    statement.save(update_fields=["status", "pinned"])
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.HIDE,
        target_kind="statement",
        target_id=statement.pk,
        reason=clean_reason(reason),
    )
    broadcast.room_append(
        session_id=session.pk, event=events.StatementHidden(statement_id=statement.pk)
    )


@transaction.atomic
def statement_restore(*, actor: User, session_id: int, statement_id: int, reason: str = "") -> None:
    """Show a hidden statement again."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    statement = _statement(session, statement_id)
    if statement.status != Statement.Status.HIDDEN:
        raise ActionError("conflict", _("숨긴 발언이 아닙니다."))
    statement.status = Statement.Status.VISIBLE
    statement.save(update_fields=["status"])
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.RESTORE,
        target_kind="statement",
        target_id=statement.pk,
        reason=clean_reason(reason),
    )
    broadcast.room_append(
        session_id=session.pk, event=events.StatementRestored(statement=statement_dict(statement))
    )


@transaction.atomic
def statement_mark_answered(
    *, actor: User, session_id: int, statement_id: int, answer_id: int | None
) -> None:
    """Mark a question answered (optionally by another statement)."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    statement = _statement(session, statement_id)
    if answer_id is not None:
        _statement(session, answer_id, lock=False)
    statement.answered = True
    statement.answer_id = answer_id
    statement.save(update_fields=["answered", "answer"])
    broadcast.room_append(
        session_id=session.pk,
        event=events.StatementAnswered(statement_id=statement.pk, answer_id=answer_id),
    )


# --- Participants -----------------------------------------------------------------------


def _target(session: Session, user_id: int) -> tuple[User, Participant]:
    person = User.objects.filter(pk=user_id).first()
    participant = (
        Participant.objects.select_for_update().filter(session=session, person_id=user_id).first()
    )
    if person is None or participant is None:
        raise ActionError("not_found", _("이 회의실의 참여자가 아닙니다."))
    if permissions.is_room_staff(person, session):
        raise ActionError("forbidden", _("진행자에게는 할 수 없습니다."))
    return person, participant


@transaction.atomic
def participant_mute(
    *, actor: User, session_id: int, user_id: int, muted: bool, reason: str = ""
) -> None:
    """Stop (or let again) one participant posting, reacting and raising a hand."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    person, participant = _target(session, user_id)
    if participant.muted == muted:
        return
    participant.muted = muted
    participant.save(update_fields=["muted"])
    if muted:
        _lower_hand(session.pk, person.pk)
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.MUTE if muted else ModerationAction.Kind.UNMUTE,
        target_kind="participant",
        target_id=person.pk,
        reason=clean_reason(reason),
    )
    notify_person(session.pk, person.pk)


def _lower_hand(session_id: int, user_id: int) -> None:
    if HandRaise.objects.filter(
        session_id=session_id, person_id=user_id, lowered_at__isnull=True
    ).update(lowered_at=timezone.now()):
        announce_queue(session_id)


def _send_off(session: Session, person: User, reason_code: str) -> None:
    from .floor import floor_end_for_person

    _lower_hand(session.pk, person.pk)
    floor_end_for_person(session_id=session.pk, user_id=person.pk, reason="removed")
    broadcast.user_notify(
        session_id=session.pk,
        user_id=person.pk,
        event=events.Kicked(
            reason=reason_code,
            message=_("진행자가 회의실에서 내보냈습니다.")
            if reason_code == "removed"
            else _("이 회의실에서 차단되었습니다."),
        ),
    )


@transaction.atomic
def participant_remove(*, actor: User, session_id: int, user_id: int, reason: str = "") -> None:
    """Send someone out of the room now (they may come back)."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    person, participant = _target(session, user_id)
    participant.removed = True
    participant.save(update_fields=["removed"])
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.REMOVE,
        target_kind="participant",
        target_id=person.pk,
        reason=clean_reason(reason),
    )
    _send_off(session, person, "removed")


@transaction.atomic
def participant_ban(
    *,
    actor: User,
    session_id: int,
    user_id: int,
    banned: bool = True,
    reason: str = "",
    organisation: bool = False,
) -> None:
    """Ban someone and their browser from this room (or from every session of the
    organisation), disconnected within a second; or lift the ban.

    Other identities of this room on the same browser are banned with them.
    """
    session = _locked_session(session_id)
    require_staff(actor, session)
    person, participant = _target(session, user_id)
    if participant.banned == banned:
        return
    participant.banned = banned
    participant.save(update_fields=["banned"])
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.BAN if banned else ModerationAction.Kind.UNBAN,
        target_kind="participant",
        target_id=person.pk,
        reason=clean_reason(reason),
        detail={"scope": "organisation" if organisation else "session"} if banned else None,
    )
    if not banned:
        participation.unban_devices(session=session, person=person)
        return
    others = participation.ban_devices(
        session=session,
        person=person,
        participant=participant,
        actor=actor,
        organisation=organisation,
    )
    _send_off(session, person, "banned")
    for other in User.objects.filter(pk__in=others):
        _send_off(session, other, "banned")


@transaction.atomic
def report_resolve(*, actor: User, session_id: int, report_id: int, status: str) -> None:
    """Close a report as dismissed or actioned."""
    session = _locked_session(session_id)
    require_staff(actor, session)
    if status not in (Report.Status.DISMISSED, Report.Status.ACTIONED):
        raise ActionError("bad_field", _("처리 결과가 올바르지 않습니다."), field="status")
    report = Report.objects.filter(pk=report_id, statement__session=session).first()
    if report is None:
        raise ActionError("not_found", _("신고를 찾을 수 없습니다."))
    report.status = status
    report.resolved_by = actor
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "resolved_by", "resolved_at"])
    log_action(
        session=session,
        actor=actor,
        kind=ModerationAction.Kind.REPORT_RESOLVE,
        target_kind="report",
        target_id=report.pk,
        detail={"status": status},
    )
    broadcast.staff_notify(
        session_id=session.pk, event=events.StaffReportResolved(report_id=report.pk, status=status)
    )


def on_agenda_update(*, agenda: Any) -> None:
    """Hook inside an agenda update: access may have narrowed; every room re-checks."""
    for session_id in agenda.sessions.filter(
        state__in=(Session.State.LIVE, Session.State.PAUSED, Session.State.SCHEDULED)
    ).values_list("pk", flat=True):
        broadcast.access_recheck(session_id=session_id)
