"""The session state machine: every allowed move works, every other move is refused."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deliberation.agendas import services
from deliberation.agendas.models import Session
from deliberation.people.models import User
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("scheduled", "live"),
    ("scheduled", "closed"),
    ("live", "paused"),
    ("live", "closed"),
    ("paused", "live"),
    ("paused", "closed"),
    ("closed", "archived"),
    ("closed", "live"),  # reopening, within REOPEN_WINDOW of the close
}
STATES = [s.value for s in Session.State]
ALL_PAIRS = list(itertools.product(STATES, STATES))


def test_the_table_in_code_is_the_documented_one() -> None:
    in_code = {(a, b) for a, targets in services.TRANSITIONS.items() for b in targets}
    assert in_code == ALLOWED


def _session_and_host(state: str) -> tuple[Session, User]:
    session = SessionFactory(state=state)
    host = UserFactory(role=User.Role.FACILITATOR, organisation=session.agenda.organisation)
    return session, host


@pytest.mark.parametrize(("from_state", "to_state"), sorted(ALLOWED))
def test_allowed_transition(from_state: str, to_state: str) -> None:
    session, host = _session_and_host(from_state)
    seen: list[tuple[str, str]] = []
    hook = services.on_session_transition(
        lambda *, session, from_state, to_state, actor: seen.append((from_state, to_state))
    )
    try:
        services.session_transition(actor=host, session=session, to_state=to_state)
    finally:
        services._transition_hooks.remove(hook)
    session.refresh_from_db()
    assert session.state == to_state
    assert seen == [(from_state, to_state)]
    record = session.transitions.get()
    assert (record.from_state, record.to_state, record.actor) == (from_state, to_state, host)


@pytest.mark.parametrize(("from_state", "to_state"), [p for p in ALL_PAIRS if p not in ALLOWED])
def test_refused_transition_changes_nothing(from_state: str, to_state: str) -> None:
    session, host = _session_and_host(from_state)
    with pytest.raises(ValidationError) as refused:
        services.session_transition(actor=host, session=session, to_state=to_state)
    assert refused.value.code == "bad_transition"
    session.refresh_from_db()
    assert session.state == from_state
    assert not session.transitions.exists()


@pytest.mark.parametrize("to_state", ["", "LIVE", "deleted", "live ", None])
def test_unknown_states_are_refused(to_state: Any) -> None:
    session, host = _session_and_host("scheduled")
    with pytest.raises(ValidationError):
        services.session_transition(actor=host, session=session, to_state=to_state)
    session.refresh_from_db()
    assert session.state == "scheduled"


def test_a_stranger_cannot_move_a_session() -> None:
    session, _host = _session_and_host("scheduled")
    stranger = UserFactory(role=User.Role.FACILITATOR)
    with pytest.raises(PermissionDenied):
        services.session_transition(actor=stranger, session=session, to_state="live")
    session.refresh_from_db()
    assert session.state == "scheduled"


def test_a_failing_hook_rolls_the_move_back() -> None:
    session, host = _session_and_host("scheduled")

    def broken(**_: Any) -> None:
        raise RuntimeError("hook failed")

    services.on_session_transition(broken)
    try:
        with pytest.raises(RuntimeError):
            services.session_transition(actor=host, session=session, to_state="live")
    finally:
        services._transition_hooks.remove(broken)
    session.refresh_from_db()
    assert session.state == "scheduled"
    assert not session.transitions.exists()


def test_a_closed_session_reopens_only_within_the_window() -> None:
    from datetime import timedelta

    from deliberation.agendas import permissions

    session, host = _session_and_host("live")
    services.session_transition(actor=host, session=session, to_state="closed")
    session.refresh_from_db()
    deadline = permissions.reopen_deadline(session)
    assert deadline is not None
    assert permissions.can_reopen_session(host, session)
    assert not permissions.can_reopen_session(UserFactory(role=User.Role.RESIDENT), session)
    assert not permissions.can_reopen_session(host, session, now=deadline + timedelta(seconds=1))
    services.session_transition(actor=host, session=session, to_state="live")
    session.refresh_from_db()
    assert session.state == "live"
    # Closed again and left past the window: reopening is refused and nothing changes.
    services.session_transition(actor=host, session=session, to_state="closed")
    session.transitions.filter(to_state="closed").update(
        at=session.transitions.latest("at").at - permissions.REOPEN_WINDOW - timedelta(minutes=1)
    )
    session.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.session_transition(actor=host, session=session, to_state="live")
    assert refused.value.code == "reopen_expired"
    session.refresh_from_db()
    assert session.state == "closed"
