"""Client actions of the offensive-language assistant (facilitators only)."""

from __future__ import annotations

from typing import Any

from deliberation.live.actions import (
    ActionContext,
    field_bool,
    field_int,
    register_action,
    register_snapshot_part,
)
from deliberation.live.permissions import is_room_staff

from . import selectors, services


def _flag_id(payload: dict[str, Any]) -> int:
    value = field_int(payload, "flag_id")
    assert value is not None
    return value


def _hide(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Hide a flagged text (reject it if it is waiting for approval)."""
    flag = services.flag_hide(actor=ctx.user, session_id=ctx.session_id, flag_id=_flag_id(p))
    return {"flag_id": flag.pk, "status": flag.status}


def _dismiss(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Dismiss a flag (show the text if it is waiting for approval)."""
    flag = services.flag_dismiss(actor=ctx.user, session_id=ctx.session_id, flag_id=_flag_id(p))
    return {"flag_id": flag.pk, "status": flag.status}


def _hold(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Hold flagged statements for approval in this session, or stop holding them."""
    enabled = field_bool(p, "enabled")
    return {
        "hold_flagged": services.hold_set(
            actor=ctx.user, session_id=ctx.session_id, enabled=bool(enabled)
        )
    }


def _snapshot(session: Any, user: Any) -> dict[str, Any]:
    """Facilitators get the open flags and the hold setting; residents get nothing."""
    if not is_room_staff(user, session):
        return {}
    return {
        "hold_flagged": selectors.hold_flagged(session.pk),
        "flags": selectors.open_flags(session.pk),
    }


def register() -> None:
    register_action("screening.hide", _hide, staff_only=True)
    register_action("screening.dismiss", _dismiss, staff_only=True)
    register_action("screening.hold", _hold, staff_only=True)
    register_snapshot_part("screening", _snapshot)
