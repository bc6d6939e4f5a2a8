"""Writes on agendas and sessions. Every service checks its actor's permission."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deliberation.common.privacy import mask_personal_data
from deliberation.common.sanitize import sanitize_rich_text
from deliberation.common.text import clean_text
from deliberation.people.models import Organisation, User

from . import permissions
from .models import Agenda, Disclosure, JoinMode, Session, SessionTransition, Topic

# The session state machine: every allowed move, and nothing else.
TRANSITIONS: dict[str, frozenset[str]] = {
    Session.State.SCHEDULED: frozenset({Session.State.LIVE, Session.State.CLOSED}),
    Session.State.LIVE: frozenset({Session.State.PAUSED, Session.State.CLOSED}),
    Session.State.PAUSED: frozenset({Session.State.LIVE, Session.State.CLOSED}),
    # closed -> live only within permissions.REOPEN_WINDOW of closing (a mistaken close).
    Session.State.CLOSED: frozenset({Session.State.LIVE, Session.State.ARCHIVED}),
    Session.State.ARCHIVED: frozenset(),
}

# Hooks other sub-apps register to react inside a transition's transaction
# (the live room announces the new state; deliberation freezes results on close).
_transition_hooks: list[Any] = []


def on_session_transition(hook: Any) -> Any:
    """Register ``hook(session=, from_state=, to_state=, actor=)``, run inside the transaction."""
    _transition_hooks.append(hook)
    return hook


def _clean_title(value: str) -> str:
    title = mask_personal_data(clean_text(value or "", multiline=False))
    if not title:
        raise ValidationError({"title": _("제목을 입력해 주세요.")})
    if len(title) > 200:
        raise ValidationError({"title": _("제목은 200자 이내로 입력해 주세요.")})
    return title


def _check_choice(field: str, value: str, choices: Any) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("선택할 수 없는 값입니다.")})
    return value


@transaction.atomic
def agenda_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    description: str = "",
    topic: str = Topic.OTHER,
    disclosure: str = Disclosure.PUBLIC,
    status: str = Agenda.Status.OPEN,
) -> Agenda:
    """Create an agenda owned by ``organisation``; its description is sanitised."""
    if not permissions.can_create_agenda(actor, organisation):
        raise PermissionDenied(_("이 기관의 의제를 만들 권한이 없습니다."))
    agenda = Agenda.objects.create(
        title=_clean_title(title),
        description_html=sanitize_rich_text(mask_personal_data(description or "")),
        topic=_check_choice("topic", topic, Topic),
        organisation=organisation,
        disclosure=_check_choice("disclosure", disclosure, Disclosure),
        status=_check_choice("status", status, Agenda.Status),
        created_by=actor,
    )
    return agenda


@transaction.atomic
def agenda_update(*, actor: User, agenda: Agenda, **fields: Any) -> Agenda:
    """Change an agenda's title, description, topic, disclosure or status."""
    agenda = Agenda.objects.select_for_update().get(pk=agenda.pk)
    if not permissions.can_edit_agenda(actor, agenda):
        raise PermissionDenied(_("이 의제를 고칠 권한이 없습니다."))
    unknown = set(fields) - {"title", "description", "topic", "disclosure", "status"}
    if unknown:
        raise ValidationError(_("고칠 수 없는 항목: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "title" in fields:
        agenda.title = _clean_title(fields["title"])
    if "description" in fields:
        agenda.description_html = sanitize_rich_text(
            mask_personal_data(fields["description"] or "")
        )
    if "topic" in fields:
        agenda.topic = _check_choice("topic", fields["topic"], Topic)
    if "disclosure" in fields:
        agenda.disclosure = _check_choice("disclosure", fields["disclosure"], Disclosure)
    if "status" in fields:
        agenda.status = _check_choice("status", fields["status"], Agenda.Status)
    agenda.save()
    for hook in _agenda_hooks:
        hook(agenda=agenda)
    return agenda


_agenda_hooks: list[Any] = []


def on_agenda_update(hook: Any) -> Any:
    """Register ``hook(agenda=)``, run inside the update's transaction (access may narrow)."""
    _agenda_hooks.append(hook)
    return hook


def _check_schedule(starts_at: dt.datetime, ends_at: dt.datetime | None) -> None:
    if starts_at.tzinfo is None:
        raise ValidationError({"starts_at": _("시각에 시간대가 없습니다.")})
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("종료 시각은 시작 시각보다 늦어야 합니다.")})


def _check_turn(turn_seconds: int) -> int:
    if not 15 <= int(turn_seconds) <= 3600:
        raise ValidationError({"turn_seconds": _("발언 시간은 15초에서 3600초 사이여야 합니다.")})
    return int(turn_seconds)


@transaction.atomic
def session_create(
    *,
    actor: User,
    agenda: Agenda,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    venue: str = "",
    turn_seconds: int = 120,
    join_mode: str = "",
    vote_mode: str = "",
    venue_code_minutes: int | None = None,
) -> Session:
    """Schedule a session on an agenda, with who may take part and who may vote."""
    if not permissions.can_edit_agenda(actor, agenda):
        raise PermissionDenied(_("이 의제에 회의를 만들 권한이 없습니다."))
    _check_schedule(starts_at, ends_at)
    return Session.objects.create(
        join_mode=_check_choice("join_mode", join_mode or JoinMode.OPEN, JoinMode),
        vote_mode=_check_choice("vote_mode", vote_mode or JoinMode.OPEN, JoinMode),
        venue_code_minutes=_check_code_minutes(venue_code_minutes or 10),
        agenda=agenda,
        title=_clean_title(title),
        kind=_check_choice("kind", kind, Session.Kind),
        starts_at=starts_at,
        ends_at=ends_at,
        venue=clean_text(venue, multiline=False)[:200],
        turn_seconds=_check_turn(turn_seconds),
        created_by=actor,
    )


def _check_code_minutes(value: int) -> int:
    if not 1 <= int(value) <= 240:
        raise ValidationError({"venue_code_minutes": _("1분에서 240분 사이로 정해 주세요.")})
    return int(value)


@transaction.atomic
def session_update(*, actor: User, session: Session, **fields: Any) -> Session:
    """Change a session's title, schedule, venue or turn length."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if not permissions.can_manage_session(actor, session):
        raise PermissionDenied(_("이 회의를 고칠 권한이 없습니다."))
    unknown = set(fields) - {
        "title",
        "starts_at",
        "ends_at",
        "venue",
        "turn_seconds",
        "kind",
        "join_mode",
        "vote_mode",
        "venue_code_minutes",
    }
    if unknown:
        raise ValidationError(_("고칠 수 없는 항목: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "kind" in fields and fields["kind"] != session.kind:
        if session.state != Session.State.SCHEDULED:
            raise ValidationError({"kind": _("시작된 회의의 형식은 바꿀 수 없습니다.")})
        session.kind = _check_choice("kind", fields["kind"], Session.Kind)
    if "title" in fields:
        session.title = _clean_title(fields["title"])
    if "venue" in fields:
        session.venue = clean_text(fields["venue"], multiline=False)[:200]
    if "turn_seconds" in fields:
        session.turn_seconds = _check_turn(fields["turn_seconds"])
    for name in ("join_mode", "vote_mode"):
        if fields.get(name):
            setattr(session, name, _check_choice(name, fields[name], JoinMode))
    if fields.get("venue_code_minutes"):
        session.venue_code_minutes = _check_code_minutes(fields["venue_code_minutes"])
    session.starts_at = fields.get("starts_at", session.starts_at)
    session.ends_at = fields.get("ends_at", session.ends_at)
    _check_schedule(session.starts_at, session.ends_at)
    session.save()
    return session


@transaction.atomic
def session_transition(*, actor: User | None, session: Session, to_state: str) -> Session:
    """Move a session along its state machine; refuse any move it does not allow."""
    session = Session.objects.select_for_update().select_related("agenda").get(pk=session.pk)
    if actor is not None and not permissions.can_manage_session(actor, session):
        raise PermissionDenied(_("이 회의를 진행할 권한이 없습니다."))
    if to_state not in Session.State.values:
        raise ValidationError(_("알 수 없는 상태입니다."), code="unknown_state")
    if to_state not in TRANSITIONS[session.state]:
        raise ValidationError(
            _("'%(a)s'에서 '%(b)s'(으)로 바꿀 수 없습니다.")
            % {
                "a": Session.State(session.state).label,
                "b": Session.State(to_state).label,
            },
            code="bad_transition",
        )
    if session.state == Session.State.CLOSED and to_state == Session.State.LIVE:
        if actor is not None and not permissions.can_reopen_session(actor, session):
            raise ValidationError(
                _("회의를 종료한 지 %(n)d분이 지나 다시 열 수 없습니다.")
                % {"n": permissions.REOPEN_WINDOW.total_seconds() // 60},
                code="reopen_expired",
            )
    from_state = session.state
    session.state = to_state
    session.save(update_fields=["state", "updated_at"])
    SessionTransition.objects.create(
        session=session, from_state=from_state, to_state=to_state, actor=actor
    )
    for hook in _transition_hooks:
        hook(session=session, from_state=from_state, to_state=to_state, actor=actor)
    return session


@transaction.atomic
def agenda_invite(*, actor: User, agenda: Agenda, username: str) -> User:
    """Let one person see a non-public agenda (and enter its rooms) by their username."""
    if not permissions.can_edit_agenda(actor, agenda):
        raise PermissionDenied(_("이 의제에 사람을 초대할 권한이 없습니다."))
    username = clean_text(username or "", multiline=False)
    invitee = User.objects.filter(username__iexact=username, is_active=True).first()
    if not username or invitee is None:
        raise ValidationError({"username": _("그런 아이디의 사용자가 없습니다.")})
    agenda.invitees.add(invitee)
    for hook in _agenda_hooks:
        hook(agenda=agenda)
    return invitee


@transaction.atomic
def agenda_uninvite(*, actor: User, agenda: Agenda, user_id: int) -> None:
    """Take an invitation back; the hooks let open rooms drop someone who lost access."""
    if not permissions.can_edit_agenda(actor, agenda):
        raise PermissionDenied(_("이 의제의 초대를 거둘 권한이 없습니다."))
    agenda.invitees.remove(user_id)
    for hook in _agenda_hooks:
        hook(agenda=agenda)
