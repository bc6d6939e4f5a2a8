"""Writes of the live room: statements, reactions, reports, joining.

Every service checks its actor's permission itself, runs in one transaction, and
publishes only after commit (through ``broadcast``). Refusals raise ``ActionError``
with a protocol error code; nothing stored changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import Session
from deliberation.common.privacy import mask_personal_data
from deliberation.common.text import clean_text
from deliberation.people.models import User

from . import broadcast, events, participation, permissions, reactions
from .errors import ActionError
from .models import (
    HandRaise,
    Participant,
    Reaction,
    ReactionKind,
    Report,
    Stance,
    Statement,
)
from .selectors import queue_list, report_dict, statement_dict

# Rules a sub-app adds to every statement, whichever action posts it (the deliberation's
# phase matrix for stances, questions and replies): ``check(actor, session, stance,
# parent_id)`` raises PermissionDenied or ValidationError to refuse.
StatementCheck = Callable[[User, Session, "str | None", "int | None"], None]
_statement_checks: list[StatementCheck] = []


def register_statement_check(check: StatementCheck) -> StatementCheck:
    """Add a rule every statement post must pass (registered once, in AppConfig.ready)."""
    if check not in _statement_checks:
        _statement_checks.append(check)
    return check


def _run_statement_checks(
    actor: User, session: Session, stance: str | None, parent_id: int | None
) -> None:
    for check in _statement_checks:
        try:
            check(actor, session, stance, parent_id)
        except PermissionDenied as exc:
            raise ActionError("forbidden", str(exc) or _("이 작업을 할 권한이 없습니다.")) from exc
        except ValidationError as exc:
            raise ActionError(
                getattr(exc, "code", None) or "bad_field", " ".join(exc.messages)
            ) from exc


# Rules that may hold a resident's statement in the pre-moderation queue although the
# room shows statements at once (the screening app's "hold flagged statements"):
# ``rule(actor, session, text)`` returns True to hold it.
StatementHold = Callable[[User, Session, str], bool]
_statement_holds: list[StatementHold] = []


def register_statement_hold(rule: StatementHold) -> StatementHold:
    """Add a rule that may send a statement to the pre-moderation queue (in ready())."""
    if rule not in _statement_holds:
        _statement_holds.append(rule)
    return rule


STATEMENT_MAX = 1000
REASON_MAX = 300


@dataclasses.dataclass(frozen=True)
class PostResult:
    statement_id: int
    seq: int | None
    status: str
    duplicate: bool

    def ack(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _locked_session(session_id: int) -> Session:
    try:
        # NO KEY UPDATE: posts still queue behind each other, but rows that merely point at
        # the session (votes on statements, stored in batches) are inserted alongside.
        return (
            Session.objects.select_for_update(no_key=True)
            .select_related("agenda")
            .get(pk=session_id)
        )
    except Session.DoesNotExist:
        raise ActionError("not_found", _("회의를 찾을 수 없습니다.")) from None


def _session(session_id: int) -> Session:
    try:
        return Session.objects.select_related("agenda").get(pk=session_id)
    except Session.DoesNotExist:
        raise ActionError("not_found", _("회의를 찾을 수 없습니다.")) from None


def require_participant(actor: User, session: Session) -> None:
    """Refuse anyone no longer admitted to the room (banned, lost access), or who has not
    met the session's join mode (venue code, account) for taking part."""
    if not permissions.can_take_part(actor, session):
        raise ActionError("access_lost", _("이 회의실에 참여할 수 없습니다."))
    participation.require_mode(actor, session, session.join_mode)


def require_live(session: Session) -> None:
    if session.state != Session.State.LIVE:
        raise ActionError("room_closed", _("지금은 회의가 진행 중이 아닙니다."))


def participant_for(session: Session, user: User) -> Participant:
    participant, _created = Participant.objects.get_or_create(session=session, person=user)
    return participant


def _require_not_muted(session: Session, actor: User) -> Participant:
    participant = participant_for(session, actor)
    if participant.muted:
        raise ActionError("muted", _("진행자가 발언을 제한했습니다."))
    return participant


def clean_statement_text(raw: str) -> str:
    """NFC, invisible characters stripped, at most 1,000 characters, personal data masked."""
    text = clean_text(raw)
    if not text:
        raise ActionError("empty_text", _("내용을 입력해 주세요."))
    if len(text) > STATEMENT_MAX:
        raise ActionError(
            "text_too_long",
            _("발언은 %(max)d자 이내로 입력해 주세요.") % {"max": STATEMENT_MAX},
        )
    return mask_personal_data(text)


def clean_reason(raw: str) -> str:
    reason = mask_personal_data(clean_text(raw or "", multiline=False))
    if len(reason) > REASON_MAX:
        raise ActionError(
            "bad_field",
            _("사유는 %(max)d자 이내로 입력해 주세요.") % {"max": REASON_MAX},
            field="reason",
        )
    return reason


def _existing_post(session_id: int, actor: User, client_msg_id: str) -> PostResult | None:
    found = (
        Statement.objects.filter(session_id=session_id, author=actor, client_msg_id=client_msg_id)
        .values_list("pk", "seq", "status")
        .first()
    )
    if found is None:
        return None
    return PostResult(statement_id=found[0], seq=found[1], status=found[2], duplicate=True)


def _enqueue_analysis(kind: str, object_id: int) -> None:
    """Queue a new statement for the analyser in the post's own transaction (one commit)."""
    try:
        from deliberation.analysis.api import enqueue_analysis_in_transaction
    except ImportError:  # the analysis sub-app is optional for the live room
        return
    enqueue_analysis_in_transaction(kind, object_id)


def statement_post(
    *,
    actor: User,
    session_id: int,
    client_msg_id: str,
    text: str,
    stance: str | None = None,
    parent_id: int | None = None,
) -> PostResult:
    """Store a statement once per client message id and broadcast it after commit.

    A repeat of the same ``client_msg_id`` (concurrent or later, whatever its text)
    returns the original acknowledgement and changes nothing.
    """
    found = _existing_post(session_id, actor, client_msg_id)
    if found is not None:
        return found
    cleaned = clean_statement_text(text)
    if stance is not None and stance not in Stance.values:
        raise ActionError("bad_field", _("입장 값이 올바르지 않습니다."), field="stance")
    try:
        with transaction.atomic():
            return _statement_post_new(
                actor=actor,
                session_id=session_id,
                client_msg_id=client_msg_id,
                text=cleaned,
                stance=stance,
                parent_id=parent_id,
            )
    except IntegrityError:
        # A concurrent copy won the race on the unique (session, author, client id): the
        # database's unique index, not a lock, makes a retry return the original.
        found = _existing_post(session_id, actor, client_msg_id)
        if found is None:
            raise
        return found


def _statement_post_new(
    *,
    actor: User,
    session_id: int,
    client_msg_id: str,
    text: str,
    stance: str | None,
    parent_id: int | None,
) -> PostResult:
    # The room's row is locked only from taking the seq to the commit (publish_statement):
    # posts into one room wait for each other for a few round trips, not the whole post.
    session = _session(session_id)
    require_participant(actor, session)
    staff = permissions.is_room_staff(actor, session)
    require_live(session)
    if session.locked and not staff:
        raise ActionError("room_locked", _("회의실이 읽기 전용입니다."))
    participant = _require_not_muted(session, actor)
    _run_statement_checks(actor, session, stance, parent_id)
    now = timezone.now()
    if session.slow_mode_seconds and not staff and participant.last_statement_at:
        wait = (
            participant.last_statement_at + dt.timedelta(seconds=session.slow_mode_seconds) - now
        ).total_seconds()
        if wait > 0:
            raise ActionError(
                "slow_mode",
                _("슬로 모드입니다. %(s)d초 뒤에 다시 보내 주세요.") % {"s": int(wait) + 1},
                retryable=True,
                retry_after=round(wait, 1),
            )
    parent = None
    if parent_id is not None:
        parent = Statement.objects.filter(
            pk=parent_id, session=session, status=Statement.Status.VISIBLE
        ).first()
        if parent is None:
            raise ActionError("not_found", _("답글을 달 발언을 찾을 수 없습니다."))
        if parent.parent_id is not None:  # one level of replies: answer the thread's root
            parent = Statement.objects.get(pk=parent.parent_id)
    from .floor import current_turn

    turn = current_turn(session.pk, now=now)
    pending = not staff and (
        session.premoderation or any(rule(actor, session, text) for rule in _statement_holds)
    )
    statement = Statement.objects.create(
        session=session,
        author=actor,
        client_msg_id=client_msg_id,
        text=text,
        stance=stance,
        parent=parent,
        on_stage=turn is not None and turn.person_id == actor.pk,
        status=Statement.Status.PENDING if pending else Statement.Status.VISIBLE,
    )
    Participant.objects.filter(pk=participant.pk).update(last_statement_at=now, last_seen=now)
    _enqueue_analysis("statement", statement.pk)  # before the room's row is locked
    if pending:
        broadcast.staff_notify(
            session_id=session.pk, event=events.StaffPending(statement=statement_dict(statement))
        )
    else:
        publish_statement(statement)
    return PostResult(
        statement_id=statement.pk, seq=statement.seq, status=statement.status, duplicate=False
    )


def publish_statement(statement: Statement) -> int:
    """Number a statement that just became visible and broadcast it (inside the transaction)."""
    seq = broadcast.next_seq(statement.session_id)
    statement.seq = seq
    Statement.objects.filter(pk=statement.pk).update(seq=seq)
    event = events.StatementNew(statement=statement_dict(statement))
    return broadcast.room_append(session_id=statement.session_id, event=event, seq=seq)


@transaction.atomic
def reaction_toggle(*, actor: User, session_id: int, statement_id: int, kind: str) -> bool:
    """Add or take back one reaction; counts reach the room coalesced. Returns it is on."""
    if kind not in ReactionKind.values:
        raise ActionError("bad_field", _("반응 종류가 올바르지 않습니다."), field="kind")
    session = _session(session_id)
    require_participant(actor, session)
    require_live(session)
    _require_not_muted(session, actor)
    if not Statement.objects.filter(
        pk=statement_id, session=session, status=Statement.Status.VISIBLE
    ).exists():
        raise ActionError("not_found", _("발언을 찾을 수 없습니다."))
    deleted, _rows = Reaction.objects.filter(
        statement_id=statement_id, person=actor, kind=kind
    ).delete()
    active = not deleted
    if active:
        try:
            with transaction.atomic():
                Reaction.objects.create(statement_id=statement_id, person=actor, kind=kind)
        except IntegrityError:
            pass  # a concurrent click from another tab already added it
    transaction.on_commit(lambda: reactions.mark_changed(session_id, statement_id))
    return active


@transaction.atomic
def hand_raise(*, actor: User, session_id: int) -> int:
    """Join the open-mic queue (once); returns the position, 1 = next."""
    session = _locked_session(session_id)
    require_participant(actor, session)
    require_live(session)
    if session.locked and not permissions.is_room_staff(actor, session):
        raise ActionError("room_locked", _("회의실이 읽기 전용입니다."))
    _require_not_muted(session, actor)
    from .floor import current_turn

    turn = current_turn(session.pk)
    if turn is not None and turn.person_id == actor.pk:
        raise ActionError("conflict", _("이미 발언 중입니다."))
    if not HandRaise.objects.filter(
        session=session, person=actor, lowered_at__isnull=True
    ).exists():
        HandRaise.objects.create(session=session, person=actor)
        announce_queue(session.pk)
        notify_person(session.pk, actor.pk)
    queue = queue_list(session.pk)
    return next(i for i, e in enumerate(queue, 1) if e["user_id"] == actor.pk)


@transaction.atomic
def hand_lower(*, actor: User, session_id: int) -> None:
    """Leave the open-mic queue (no-op if not in it)."""
    _locked_session(session_id)
    lowered = HandRaise.objects.filter(
        session_id=session_id, person=actor, lowered_at__isnull=True
    ).update(lowered_at=timezone.now())
    if lowered:
        announce_queue(session_id)
        notify_person(session_id, actor.pk)


def announce_queue(session_id: int) -> None:
    broadcast.room_append(
        session_id=session_id, event=events.QueueChanged(queue=queue_list(session_id))
    )


def notify_person(session_id: int, user_id: int, notice: str = "") -> None:
    """Send one person's own state (muted, hand raised) to all their tabs."""
    from .selectors import participant_state

    state = participant_state(session_id, user_id)
    broadcast.user_notify(
        session_id=session_id, user_id=user_id, event=events.You(notice=notice, **state)
    )


@transaction.atomic
def report_create(
    *, actor: User, session_id: int, statement_id: int, reason: str
) -> tuple[int, bool]:
    """Report a statement to the facilitators; returns (report id, was already reported)."""
    session = _session(session_id)
    require_participant(actor, session)
    statement = Statement.objects.filter(
        pk=statement_id, session=session, status=Statement.Status.VISIBLE
    ).first()
    if statement is None:
        raise ActionError("not_found", _("발언을 찾을 수 없습니다."))
    reason = clean_reason(reason)
    if not reason:
        raise ActionError("bad_field", _("신고 사유를 입력해 주세요."), field="reason")
    existing = Report.objects.filter(statement=statement, reporter=actor).first()
    if existing is not None:
        return existing.pk, True
    report = Report.objects.create(statement=statement, reporter=actor, reason=reason)
    _enqueue_analysis("report", report.pk)  # its reason is screened like a statement
    report = Report.objects.select_related("statement", "reporter").get(pk=report.pk)
    broadcast.staff_notify(
        session_id=session.pk, event=events.StaffReport(report=report_dict(report))
    )
    return report.pk, False


# A returning visitor's ``last_seen`` is written at most this often: a reconnect storm
# then reads one row per join instead of writing one.
LAST_SEEN_EVERY = dt.timedelta(minutes=1)


def participant_join(*, user: User, session: Session, device_id: str = "") -> bool:
    """Record that someone entered the room; False if they may not (banned, no access).

    One read of the person's row decides the ban; the row is written only when something
    changes (first visit, a removal ended, ``last_seen`` older than a minute). A first
    visit is refused when the person or their browser is banned here (or by the
    organisation), and takes the nickname for this session (a suffix if it is taken).
    """
    row = (
        Participant.objects.filter(session=session, person_id=user.pk)
        .values_list("pk", "banned", "removed", "last_seen")
        .first()
    )
    if not permissions.room_access(user, session, banned=row is not None and row[1])[0]:
        return False
    now = timezone.now()
    if row is None:
        staff = permissions.is_room_staff(user, session)
        if not staff and participation.device_banned(
            session, user=user, device_id=device_id or user.device_id
        ):
            return False
        participant, created = participation.participant_create(
            session=session, user=user, device_id=device_id, now=now
        )
        if created:
            if not staff:
                _warn_shared_device(session.pk, participant)
            return True
        if not permissions.room_access(user, session, banned=participant.banned)[0]:
            return False  # banned between the read and the insert
        row = (participant.pk, participant.banned, participant.removed, participant.last_seen)
    pk, _banned, removed, last_seen = row
    updates: dict[str, Any] = {}
    if removed:
        updates["removed"] = False  # removal ends a visit; a ban keeps them out
    if updates or last_seen is None or now - last_seen >= LAST_SEEN_EVERY:
        updates["last_seen"] = now
        Participant.objects.filter(pk=pk).update(**updates)
    return True


def _warn_shared_device(session_id: int, participant: Participant) -> None:
    """Tell the console when a newcomer's browser is that of someone banned or muted here."""
    if not participant.device_id:
        return
    warnings = [
        w
        for w in participation.shared_device_warnings(session_id)
        if w["user_id"] == participant.person_id
    ]
    for warning in warnings:
        broadcast.staff_notify(
            session_id=session_id, event=events.StaffSharedDevice(warning=warning)
        )


def entry_refusal(*, user: User, session: Session, device_id: str) -> str:
    """Why this person may not enter the room, in words, or "" (the room page's check)."""
    if permissions.is_room_staff(user, session):
        return ""
    if permissions.is_banned(user, session) or participation.device_banned(
        session, user=user, device_id=device_id or user.device_id
    ):
        return _(
            "이 기기나 참여자는 이 회의에서 차단되어 다시 참여할 수 없습니다. "
            "새 닉네임으로 다시 참여해도 마찬가지입니다."
        )
    return ""
