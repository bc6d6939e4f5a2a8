"""Client actions of structured deliberation, registered in the live room's action table.

Each handler parses its fields, calls one service and returns the ack payload. The
services check the phase matrix themselves; their refusals (``PermissionDenied``,
``ValidationError``) become protocol errors here with their Korean message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from deliberation.live.actions import (
    ActionContext,
    ActionError,
    field_bool,
    field_int,
    field_str,
    register_action,
    register_snapshot_part,
)

from . import selectors, services, stances

Handler = Callable[[ActionContext, dict[str, Any]], dict[str, Any]]


def _errors(handler: Handler) -> Handler:
    """Turn a service's refusal into the protocol's error with the same Korean message."""

    @functools.wraps(handler)
    def wrapped(ctx: ActionContext, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return handler(ctx, payload)
        except PermissionDenied as exc:
            raise ActionError("forbidden", str(exc) or _("이 작업을 할 권한이 없습니다.")) from exc
        except ValidationError as exc:
            message = " ".join(exc.messages) if exc.messages else _("값이 올바르지 않습니다.")
            raise ActionError(getattr(exc, "code", None) or "invalid", message) from exc

    return wrapped


def _int_list(payload: dict[str, Any], name: str, *, limit: int = 50) -> list[int]:
    value = payload.get(name)
    if (
        not isinstance(value, list)
        or len(value) > limit
        or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
    ):
        raise ActionError(
            "bad_field", _("'%(f)s' 값은 정수 목록이어야 합니다.") % {"f": name}, field=name
        )
    return value


def _id(payload: dict[str, Any], name: str) -> int:
    value = field_int(payload, name)
    assert value is not None
    return value


# --- phases ---------------------------------------------------------------------------


@_errors
def _phase_start(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Start a phase (the next one when ``phase_id`` is absent)."""
    phase = services.phase_start(
        actor=ctx.user, session=ctx.session, phase_id=field_int(p, "phase_id", required=False)
    )
    return {"phase_id": phase.pk}


@_errors
def _phase_advance(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Finish the running phase and start the next."""
    phase = services.phase_advance(actor=ctx.user, session=ctx.session)
    return {"phase_id": phase.pk if phase else None}


@_errors
def _phase_extend(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Give the running phase more time."""
    seconds = field_int(p, "seconds", low=1, high=services.MAX_EXTEND_SECONDS)
    assert seconds is not None
    phase = services.phase_extend(actor=ctx.user, session=ctx.session, seconds=seconds)
    return {"phase_id": phase.pk, "ends_at": phase.ends_at.isoformat() if phase.ends_at else None}


@_errors
def _phases_update(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Replace the list of phases."""
    phases = p.get("phases")
    if not isinstance(phases, list):
        raise ActionError("bad_field", _("'phases' 값은 목록이어야 합니다."), field="phases")
    result = services.phases_update(actor=ctx.user, session=ctx.session, phases=phases)
    return {"phase_ids": [ph.pk for ph in result]}


# --- proposals ------------------------------------------------------------------------


@_errors
def _proposal_create(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Write a proposal (during 제안)."""
    proposal = services.proposal_create(
        actor=ctx.user,
        session=ctx.session,
        title=field_str(p, "title", max_length=1000) or "",
        body=field_str(p, "body", required=False, default="", max_length=20_000) or "",
    )
    return {"proposal_id": proposal.pk}


@_errors
def _proposal_support(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Support a proposal, or withdraw one's support (``supported: false``)."""
    supported = field_bool(p, "supported") if "supported" in p else True
    services.proposal_support(
        actor=ctx.user, session=ctx.session, proposal_id=_id(p, "proposal_id"), supported=supported
    )
    return {"proposal_id": p["proposal_id"], "supported": supported}


@_errors
def _proposal_edit(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Clarify a proposal's wording (history kept)."""
    proposal = services.proposal_edit(
        actor=ctx.user,
        session=ctx.session,
        proposal_id=_id(p, "proposal_id"),
        title=field_str(p, "title", max_length=1000) or "",
        body=field_str(p, "body", required=False, default="", max_length=20_000) or "",
        note=field_str(p, "note", required=False, default="", max_length=1000) or "",
    )
    return {"proposal_id": proposal.pk}


@_errors
def _proposal_merge(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Merge duplicate proposals into one."""
    target = services.proposal_merge(
        actor=ctx.user,
        session=ctx.session,
        target_id=_id(p, "target_id"),
        source_ids=_int_list(p, "source_ids"),
    )
    return {"proposal_id": target.pk, "supporters": target.supports.count()}


# --- votes ----------------------------------------------------------------------------


@_errors
def _vote_config(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Choose approval or ranking (top k), and whether results wait for the close."""
    config = services.vote_configure(
        actor=ctx.user,
        session=ctx.session,
        method=field_str(p, "method", max_length=20) or "",
        top_k=field_int(p, "top_k", required=False, default=3, low=1, high=services.MAX_TOP_K) or 3,
        hide_results=field_bool(p, "hide_results") if "hide_results" in p else False,
    )
    return {"config": selectors.vote_config_dict(config)}


@_errors
def _vote_close(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Close the vote now."""
    services.vote_close(actor=ctx.user, session=ctx.session)
    return {}


@_errors
def _ballot_submit(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Cast or replace one's ballot (proposal ids in order of preference)."""
    ballot = services.ballot_submit(
        actor=ctx.user, session=ctx.session, proposal_ids=_int_list(p, "proposal_ids")
    )
    return {"ballot_id": ballot.pk, "proposal_ids": selectors.my_ballot(ctx.session_id, ctx.user)}


# --- polls ----------------------------------------------------------------------------


@_errors
def _poll_create(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Launch a live poll."""
    options = p.get("options")
    if not isinstance(options, list) or len(options) > 50:
        raise ActionError("bad_field", _("'options' 값은 목록이어야 합니다."), field="options")
    poll = services.poll_create(
        actor=ctx.user,
        session=ctx.session,
        question=field_str(p, "question", max_length=1000) or "",
        options=options,
        kind=field_str(p, "kind", required=False, default="single", max_length=10) or "single",
    )
    return {"poll_id": poll.pk}


@_errors
def _poll_vote(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Answer a live poll (again, to change the answer)."""
    vote = services.poll_vote(
        actor=ctx.user,
        session=ctx.session,
        poll_id=_id(p, "poll_id"),
        option_ids=_int_list(p, "option_ids"),
    )
    return {"poll_id": vote.poll_id, "option_ids": sorted(o.pk for o in vote.options.all())}


@_errors
def _poll_close(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Close a live poll."""
    poll = services.poll_close(actor=ctx.user, session=ctx.session, poll_id=_id(p, "poll_id"))
    return {"poll_id": poll.pk}


# --- statements, questions, wrap-up -----------------------------------------------------


@_errors
def _deliberation_post(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Post a statement with a stance or as a reply, within what the phase allows."""
    client_msg_id = field_str(
        p, "client_msg_id", required=False, default=p.get("id"), max_length=64
    )
    if not client_msg_id:
        raise ActionError("bad_field", _("'client_msg_id' 값이 필요합니다."), field="client_msg_id")
    result = stances.statement_post_in_phase(
        actor=ctx.user,
        session=ctx.session,
        client_msg_id=client_msg_id,
        text=field_str(p, "text", max_length=20_000) or "",
        stance=field_str(p, "stance", required=False, max_length=10),
        parent_id=field_int(p, "parent_id", required=False),
    )
    return result.ack()


@_errors
def _question_answer(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Mark a question answered, optionally linking the answering statement."""
    question = stances.question_answer(
        actor=ctx.user,
        session=ctx.session,
        statement_id=_id(p, "statement_id"),
        answer_id=field_int(p, "answer_id", required=False),
    )
    return {"statement_id": question.pk, "answer_id": question.answer_id}


@_errors
def _wrapup_set(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Write the session's conclusion."""
    services.wrapup_set(
        actor=ctx.user,
        session=ctx.session,
        conclusion=field_str(p, "conclusion", max_length=40_000) or "",
    )
    return {}


PARTICIPANT_ACTIONS: dict[str, Handler] = {
    "deliberation.post": _deliberation_post,
    "proposal.create": _proposal_create,
    "proposal.support": _proposal_support,
    "ballot.submit": _ballot_submit,
    "poll.vote": _poll_vote,
}
STAFF_ACTIONS: dict[str, Handler] = {
    "phase.start": _phase_start,
    "phase.advance": _phase_advance,
    "phase.extend": _phase_extend,
    "phases.update": _phases_update,
    "proposal.edit": _proposal_edit,
    "proposal.merge": _proposal_merge,
    "vote.config": _vote_config,
    "vote.close": _vote_close,
    "poll.create": _poll_create,
    "poll.close": _poll_close,
    "question.answer": _question_answer,
    "wrapup.set": _wrapup_set,
}


def register() -> None:
    """Add the deliberation's actions and its snapshot part to the live room."""
    for name, handler in PARTICIPANT_ACTIONS.items():
        register_action(name, handler)
    for name, handler in STAFF_ACTIONS.items():
        register_action(name, handler, staff_only=True)
    register_snapshot_part(
        "deliberation", lambda session, user: selectors.room_state(session, user)
    )
