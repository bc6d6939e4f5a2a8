"""The explicit table of client actions. A client's ``type`` is only ever a key here.

Handlers are sync functions run through ``database_sync_to_async``. The runner loads
the person and the session afresh for every action, refuses anyone who lost access,
checks the action's own permission, and only then calls the handler, which calls a
service and returns the ack payload (or raises ``ActionError``). Sub-apps register
their actions and snapshot parts in their ``AppConfig.ready()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from django.utils.translation import gettext as _

from deliberation.agendas.models import Session
from deliberation.people.models import User

from . import floor, moderation, permissions, services
from .errors import ActionError

__all__ = [
    "ActionContext",
    "ActionError",
    "ActionSpec",
    "action_table",
    "field_bool",
    "field_int",
    "field_str",
    "register_action",
    "register_snapshot_part",
    "run_action",
    "snapshot_parts",
]

Permission = Callable[[User, Session], bool]


@dataclasses.dataclass(frozen=True)
class ActionContext:
    """Who acts, where, over which connection (fresh from the database for each action)."""

    user: User
    session: Session
    session_id: int
    staff: bool
    connection_id: str


Handler = Callable[[ActionContext, dict[str, Any]], dict[str, Any] | None]
# Runs on the event loop with (user id, session id, payload) and returns the ack payload;
# it checks access and permission itself, when it stores the action (e.g. in a batch).
Batched = Callable[[int, int, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclasses.dataclass(frozen=True)
class ActionSpec:
    name: str
    handler: Handler
    permission: Permission
    description: str = ""
    # Run on a second thread of their own, not the process's one database thread: for
    # frequent actions that take no room lock and append no numbered event (votes on
    # statements), so they never queue the room's posts.
    pooled: bool = False
    # Taken on the event loop instead (see ``Batched``): ``handler`` is then the same
    # action run alone, for callers without a server loop.
    batched: Batched | None = None


_ACTIONS: dict[str, ActionSpec] = {}
_SNAPSHOT_PARTS: dict[str, Callable[[Session, User], dict[str, Any]]] = {}


def register_action(
    name: str,
    handler: Handler,
    *,
    permission: Permission = permissions.can_take_part,
    staff_only: bool = False,
    description: str = "",
    pooled: bool = False,
    batched: Batched | None = None,
) -> None:
    """Add a client action. ``staff_only`` is shorthand for ``permission=is_room_staff``."""
    if name in _ACTIONS:
        raise ValueError(f"action registered twice: {name!r}")
    if staff_only:
        permission = permissions.is_room_staff
    _ACTIONS[name] = ActionSpec(
        name, handler, permission, description or (handler.__doc__ or ""), pooled, batched
    )


def register_snapshot_part(name: str, fn: Callable[[Session, User], dict[str, Any]]) -> None:
    """Add ``snapshot["parts"][name] = fn(session, user)`` to every snapshot."""
    if name in _SNAPSHOT_PARTS:
        raise ValueError(f"snapshot part registered twice: {name!r}")
    _SNAPSHOT_PARTS[name] = fn


def action_table() -> dict[str, ActionSpec]:
    return dict(_ACTIONS)


def snapshot_parts() -> dict[str, Callable[[Session, User], dict[str, Any]]]:
    return dict(_SNAPSHOT_PARTS)


def lookup(name: str) -> ActionSpec | None:
    """The action named ``name`` in the table, or None (never anything else)."""
    return _ACTIONS.get(name)


# --- Validating fields -----------------------------------------------------------------


def _bad(field: str, message: str) -> ActionError:
    return ActionError("bad_field", message, field=field)


def field_int(
    payload: dict[str, Any],
    name: str,
    *,
    required: bool = True,
    default: int | None = None,
    low: int = 0,
    high: int = 2**53,
) -> int | None:
    value = payload.get(name, default)
    if value is None:
        if required:
            raise _bad(name, _("'%(f)s' 값이 필요합니다.") % {"f": name})
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(
            name,
            _("'%(f)s' 값은 %(a)d~%(b)d 사이의 정수여야 합니다.")
            % {
                "f": name,
                "a": low,
                "b": high,
            },
        )
    return value


def field_str(
    payload: dict[str, Any],
    name: str,
    *,
    required: bool = True,
    default: str | None = None,
    max_length: int = 10_000,
) -> str | None:
    value = payload.get(name, default)
    if value is None:
        if required:
            raise _bad(name, _("'%(f)s' 값이 필요합니다.") % {"f": name})
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise _bad(
            name,
            _("'%(f)s' 값은 %(n)d자 이내의 문자열이어야 합니다.")
            % {
                "f": name,
                "n": max_length,
            },
        )
    return value


def field_bool(payload: dict[str, Any], name: str) -> bool:
    value = payload.get(name)
    if not isinstance(value, bool):
        raise _bad(name, _("'%(f)s' 값은 true 또는 false여야 합니다.") % {"f": name})
    return value


# --- Running an action -------------------------------------------------------------------


def run_action(
    spec: ActionSpec, *, user_id: int, session_id: int, connection_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Load the actor and session afresh, check access and permission, run the handler."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    session = (
        Session.objects.select_related("agenda", "agenda__organisation")
        .filter(pk=session_id)
        .first()
    )
    if user is None or session is None:
        raise ActionError("access_lost", _("이 회의실에 참여할 수 없습니다."))
    admitted, staff = permissions.room_access(user, session)
    if not admitted:
        if permissions.can_still_read(user, session):
            raise ActionError("room_closed", _("지금은 회의가 진행 중이 아닙니다."))
        raise ActionError("access_lost", _("이 회의실에 참여할 수 없습니다."))
    # The two common predicates were just evaluated; any other is asked now.
    if spec.permission in (permissions.can_take_part, permissions.can_enter_room):
        allowed: bool = admitted
    elif spec.permission is permissions.is_room_staff:
        allowed = staff
    else:
        allowed = spec.permission(user, session)
    if not allowed:
        raise ActionError("forbidden", _("이 작업을 할 권한이 없습니다."))
    ctx = ActionContext(
        user=user, session=session, session_id=session.pk, staff=staff, connection_id=connection_id
    )
    return spec.handler(ctx, payload) or {}


# --- The room's own actions -------------------------------------------------------------


def _statement_post(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Post a statement (idempotent by client_msg_id)."""
    client_msg_id = field_str(
        p, "client_msg_id", required=False, default=p.get("id"), max_length=64
    )
    if not client_msg_id:
        raise _bad("client_msg_id", _("'client_msg_id' 값이 필요합니다."))
    text = field_str(p, "text", max_length=20_000)
    stance = field_str(p, "stance", required=False, max_length=10)
    parent_id = field_int(p, "parent_id", required=False)
    result = services.statement_post(
        actor=ctx.user,
        session_id=ctx.session_id,
        client_msg_id=client_msg_id,
        text=text or "",
        stance=stance,
        parent_id=parent_id,
    )
    return result.ack()


def _reaction_toggle(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Toggle one reaction on a statement."""
    statement_id = field_int(p, "statement_id")
    kind = field_str(p, "kind", max_length=10)
    assert statement_id is not None and kind is not None
    active = services.reaction_toggle(
        actor=ctx.user, session_id=ctx.session_id, statement_id=statement_id, kind=kind
    )
    return {"active": active}


def _hand_raise(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Raise a hand for the open mic."""
    return {"position": services.hand_raise(actor=ctx.user, session_id=ctx.session_id)}


def _hand_lower(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Lower one's hand."""
    services.hand_lower(actor=ctx.user, session_id=ctx.session_id)
    return {}


def _report_create(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Report a statement to the facilitators."""
    statement_id = field_int(p, "statement_id")
    reason = field_str(p, "reason", max_length=1000)
    assert statement_id is not None
    report_id, duplicate = services.report_create(
        actor=ctx.user, session_id=ctx.session_id, statement_id=statement_id, reason=reason or ""
    )
    return {"report_id": report_id, "duplicate": duplicate}


def _floor_grant(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Give the floor to the next (or a chosen) person."""
    turn = floor.floor_grant(
        actor=ctx.user, session_id=ctx.session_id, user_id=field_int(p, "user_id", required=False)
    )
    return {"turn_id": turn.pk, "ends_at": turn.ends_at.isoformat()}


def _floor_extend(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Give the speaker more time."""
    seconds = field_int(
        p, "seconds", required=False, default=floor.EXTEND_DEFAULT, low=10, high=600
    )
    assert seconds is not None
    turn = floor.floor_extend(actor=ctx.user, session_id=ctx.session_id, seconds=seconds)
    return {"ends_at": turn.ends_at.isoformat()}


def _floor_end(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """End the current turn."""
    floor.floor_end(actor=ctx.user, session_id=ctx.session_id)
    return {}


def _floor_yield(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """End one's own turn early."""
    floor.floor_yield(actor=ctx.user, session_id=ctx.session_id)
    return {}


def _floor_skip(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """End the current turn and grant the next."""
    turn = floor.floor_skip(actor=ctx.user, session_id=ctx.session_id)
    return {"turn_id": turn.pk if turn else None}


def _room_state(to_state: str) -> Handler:
    def handler(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
        session = moderation.room_set_state(
            actor=ctx.user, session_id=ctx.session_id, to_state=to_state
        )
        return {"state": session.state}

    handler.__doc__ = f"Move the session to {to_state}."
    return handler


def _room_lock(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Lock the room read-only (or unlock it)."""
    locked = field_bool(p, "locked")
    moderation.room_configure(
        actor=ctx.user,
        session_id=ctx.session_id,
        locked=locked,
        reason=field_str(p, "reason", required=False, default="") or "",
    )
    return {"locked": locked}


def _room_slow_mode(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Set slow mode seconds (0 = off)."""
    seconds = field_int(p, "seconds", high=moderation.SLOW_MODE_MAX)
    moderation.room_configure(actor=ctx.user, session_id=ctx.session_id, slow_mode_seconds=seconds)
    return {"seconds": seconds}


def _room_premoderation(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Switch pre-moderation on or off."""
    enabled = field_bool(p, "enabled")
    moderation.room_configure(actor=ctx.user, session_id=ctx.session_id, premoderation=enabled)
    return {"enabled": enabled}


def _sid(p: dict[str, Any]) -> int:
    value = field_int(p, "statement_id")
    assert value is not None
    return value


def _uid(p: dict[str, Any]) -> int:
    value = field_int(p, "user_id")
    assert value is not None
    return value


def _reason(p: dict[str, Any]) -> str:
    return field_str(p, "reason", required=False, default="", max_length=1000) or ""


def _statement_approve(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Approve a pending statement."""
    seq = moderation.statement_approve(
        actor=ctx.user, session_id=ctx.session_id, statement_id=_sid(p)
    )
    return {"seq": seq}


def _statement_reject(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Reject a pending statement."""
    moderation.statement_reject(
        actor=ctx.user, session_id=ctx.session_id, statement_id=_sid(p), reason=_reason(p)
    )
    return {}


def _pin(pinned: bool) -> Handler:
    def handler(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
        moderation.statement_pin(
            actor=ctx.user, session_id=ctx.session_id, statement_id=_sid(p), pinned=pinned
        )
        return {}

    handler.__doc__ = "Pin a statement." if pinned else "Unpin a statement."
    return handler


def _statement_hide(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Hide a statement from everyone."""
    moderation.statement_hide(
        actor=ctx.user, session_id=ctx.session_id, statement_id=_sid(p), reason=_reason(p)
    )
    return {}


def _statement_restore(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Show a hidden statement again."""
    moderation.statement_restore(
        actor=ctx.user, session_id=ctx.session_id, statement_id=_sid(p), reason=_reason(p)
    )
    return {}


def _mute(muted: bool) -> Handler:
    def handler(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
        moderation.participant_mute(
            actor=ctx.user,
            session_id=ctx.session_id,
            user_id=_uid(p),
            muted=muted,
            reason=_reason(p),
        )
        return {}

    handler.__doc__ = "Mute a participant." if muted else "Unmute a participant."
    return handler


def _participant_remove(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Send a participant out of the room."""
    moderation.participant_remove(
        actor=ctx.user, session_id=ctx.session_id, user_id=_uid(p), reason=_reason(p)
    )
    return {}


def _ban(banned: bool) -> Handler:
    def handler(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
        scope = p.get("scope", "session")
        if scope not in ("session", "organisation"):
            raise ActionError("bad_field", _("차단 범위가 올바르지 않습니다."), field="scope")
        moderation.participant_ban(
            actor=ctx.user,
            session_id=ctx.session_id,
            user_id=_uid(p),
            banned=banned,
            reason=_reason(p),
            organisation=scope == "organisation",
        )
        return {}

    handler.__doc__ = "Ban a participant." if banned else "Lift a ban."
    return handler


def _report_resolve(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Close a report."""
    report_id = field_int(p, "report_id")
    status = field_str(p, "status", max_length=20)
    assert report_id is not None and status is not None
    moderation.report_resolve(
        actor=ctx.user, session_id=ctx.session_id, report_id=report_id, status=status
    )
    return {}


register_action("statement.post", _statement_post)
register_action("reaction.toggle", _reaction_toggle)
register_action("hand.raise", _hand_raise)
register_action("hand.lower", _hand_lower)
register_action("report.create", _report_create)
register_action("floor.grant", _floor_grant, staff_only=True)
register_action("floor.extend", _floor_extend, staff_only=True)
register_action("floor.end", _floor_end, staff_only=True)
register_action("floor.skip", _floor_skip, staff_only=True)
register_action("floor.yield", _floor_yield)
register_action("room.open", _room_state(Session.State.LIVE), staff_only=True)
register_action("room.pause", _room_state(Session.State.PAUSED), staff_only=True)
register_action("room.close", _room_state(Session.State.CLOSED), staff_only=True)
register_action("room.lock", _room_lock, staff_only=True)
register_action("room.slow_mode", _room_slow_mode, staff_only=True)
register_action("room.premoderation", _room_premoderation, staff_only=True)
register_action("statement.approve", _statement_approve, staff_only=True)
register_action("statement.reject", _statement_reject, staff_only=True)
register_action("statement.pin", _pin(True), staff_only=True)
register_action("statement.unpin", _pin(False), staff_only=True)
register_action("statement.hide", _statement_hide, staff_only=True)
register_action("statement.restore", _statement_restore, staff_only=True)
register_action("participant.mute", _mute(True), staff_only=True)
register_action("participant.unmute", _mute(False), staff_only=True)
register_action("participant.remove", _participant_remove, staff_only=True)
register_action("participant.ban", _ban(True), staff_only=True)
register_action("participant.unban", _ban(False), staff_only=True)
register_action("report.resolve", _report_resolve, staff_only=True)
