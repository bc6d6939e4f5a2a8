"""Who may see and do what with agendas and sessions: one predicate per action.

The role x action table is in docs/permissions.md and every cell is tested.
Restricted things are invisible (404), not merely forbidden, to those without access.
``visible_agendas_q`` is the same rule as ``can_view_agenda`` written as a query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from deliberation.people.models import Organisation, User

from .models import Agenda, Disclosure, Session

JOINABLE_STATES = (Session.State.LIVE, Session.State.PAUSED)

# A session closed by mistake can be reopened (closed -> live) for this long after closing.
REOPEN_WINDOW = dt.timedelta(minutes=30)

# The highest disclosure level each ministry clearance opens.
_CLEARANCE_OPENS: dict[str, tuple[str, ...]] = {
    User.Clearance.PUBLIC: (),
    User.Clearance.INTERNAL: (Disclosure.INTERNAL,),
    User.Clearance.RESTRICTED: (Disclosure.INTERNAL, Disclosure.RESTRICTED),
}


def active_user(user: Any) -> User | None:
    """The signed-in, active person, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user  # type: ignore[no-any-return]


def _is_admin(user: User) -> bool:
    return user.is_admin_role


def _belongs_to(user: User, organisation: Organisation) -> bool:
    """A facilitator of the organisation itself or of one above it (광역 over 시·군·구)."""
    return (
        user.is_facilitator
        and user.organisation_id is not None
        and user.organisation_id in organisation.lineage_ids()
    )


def managed_organisation_ids(user: User) -> list[int]:
    """The facilitator's organisation and everything below it (for queries and lists)."""
    if not user.is_facilitator or user.organisation_id is None:
        return []
    ids = [user.organisation_id]
    frontier = [user.organisation_id]
    while frontier:
        children = list(
            Organisation.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.extend(children)
        frontier = children
    return ids


def _home_organisation_ids(user: User) -> list[int]:
    """The resident's region and the region above it."""
    if not user.is_resident or user.region_id is None:
        return []
    parent_id = Organisation.objects.filter(pk=user.region_id).values_list("parent_id", flat=True)
    return [user.region_id, *[p for p in parent_id if p is not None]]


def can_create_agenda(user: Any, organisation: Organisation) -> bool:
    u = active_user(user)
    return u is not None and (_is_admin(u) or _belongs_to(u, organisation))


def can_edit_agenda(user: Any, agenda: Agenda) -> bool:
    u = active_user(user)
    return u is not None and (_is_admin(u) or _belongs_to(u, agenda.organisation))


def can_view_agenda(user: Any, agenda: Agenda) -> bool:
    """Public agendas to all; drafts only to their editors; the rest by disclosure level."""
    u = active_user(user)
    if u is not None and (_is_admin(u) or _belongs_to(u, agenda.organisation)):
        return True
    if agenda.status == Agenda.Status.DRAFT:
        return False
    if agenda.disclosure == Disclosure.PUBLIC:
        return True
    if u is None:
        return False
    if agenda.invitees.filter(pk=u.pk).exists():
        return True
    if u.is_ministry:
        return agenda.disclosure in _CLEARANCE_OPENS.get(u.clearance, ())
    if agenda.disclosure == Disclosure.INTERNAL:
        return u.is_facilitator or agenda.organisation_id in _home_organisation_ids(u)
    return False


def can_manage_session(user: Any, session: Session) -> bool:
    """Create, edit, open, pause, close sessions and moderate their rooms."""
    return can_edit_agenda(user, session.agenda)


can_moderate = can_manage_session


def session_closed_at(session: Session) -> dt.datetime | None:
    """When the session was last closed (None unless it is closed now)."""
    if session.state != Session.State.CLOSED:
        return None
    closing = (
        session.transitions.filter(to_state=Session.State.CLOSED).order_by("-at", "-pk").first()
    )
    return closing.at if closing is not None else session.updated_at


def reopen_deadline(session: Session) -> dt.datetime | None:
    """Until when a closed session may be reopened, or None if it is not closed."""
    closed_at = session_closed_at(session)
    return closed_at + REOPEN_WINDOW if closed_at is not None else None


def can_reopen_session(user: Any, session: Session, *, now: dt.datetime | None = None) -> bool:
    """Reopen a closed session: its managers, within REOPEN_WINDOW of closing it."""
    deadline = reopen_deadline(session)
    if deadline is None or (now or timezone.now()) >= deadline:
        return False
    return can_manage_session(user, session)


def can_view_session(user: Any, session: Session) -> bool:
    return can_view_agenda(user, session.agenda)


def can_join_room(user: Any, session: Session) -> bool:
    """Enter the live room: see it, be someone, and the room is live or paused."""
    if session.state not in JOINABLE_STATES or active_user(user) is None:
        return False
    return can_view_session(user, session)


def visible_agendas_q(user: Any) -> Q:
    """A filter on Agenda matching exactly what ``can_view_agenda`` allows."""
    u = active_user(user)
    not_draft = ~Q(status=Agenda.Status.DRAFT)
    public = Q(disclosure=Disclosure.PUBLIC) & not_draft
    if u is None:
        return public
    if _is_admin(u):
        return Q()
    q = public | (Q(invitees=u) & not_draft)
    managed = managed_organisation_ids(u)
    if managed:
        q |= Q(organisation_id__in=managed)
    if u.is_ministry:
        opens = _CLEARANCE_OPENS.get(u.clearance, ())
        if opens:
            q |= Q(disclosure__in=opens) & not_draft
    elif u.is_facilitator:
        q |= Q(disclosure=Disclosure.INTERNAL) & not_draft
    else:
        home = _home_organisation_ids(u)
        if home:
            q |= Q(disclosure=Disclosure.INTERNAL, organisation_id__in=home) & not_draft
    return q


def visible_agendas(user: Any) -> Any:
    return Agenda.objects.filter(visible_agendas_q(user)).distinct()


def visible_sessions(user: Any) -> Any:
    return Session.objects.filter(agenda__in=visible_agendas(user))
