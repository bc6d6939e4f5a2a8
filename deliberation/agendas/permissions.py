"""Who may see and do what with agendas and sessions: one predicate per action.

The role x action table is in docs/permissions.md and every cell is tested.
Restricted things are invisible (404), not merely forbidden, to those without access.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from deliberation.people.models import Organisation, User

from .models import Agenda, Disclosure, Session

JOINABLE_STATES = (Session.State.LIVE, Session.State.PAUSED)


def _user(user: Any) -> User | None:
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


def _lives_in(user: User, organisation: Organisation) -> bool:
    return user.region_id is not None and (
        user.region_id == organisation.pk
        or Organisation.objects.filter(pk=user.region_id, parent_id=organisation.pk).exists()
    )


def can_create_agenda(user: Any, organisation: Organisation) -> bool:
    u = _user(user)
    return u is not None and (_is_admin(u) or _belongs_to(u, organisation))


def can_edit_agenda(user: Any, agenda: Agenda) -> bool:
    u = _user(user)
    return u is not None and (_is_admin(u) or _belongs_to(u, agenda.organisation))


def can_view_agenda(user: Any, agenda: Agenda) -> bool:
    if agenda.disclosure == Disclosure.PUBLIC:
        return True
    u = _user(user)
    if u is None:
        return False
    if _is_admin(u) or _belongs_to(u, agenda.organisation):
        return True
    if u.is_ministry:
        allowed = {Disclosure.INTERNAL: ("internal", "restricted"), Disclosure.RESTRICTED: ("restricted",)}
        return u.clearance in allowed[Disclosure(agenda.disclosure)]
    if agenda.invitees.filter(pk=u.pk).exists():
        return True
    if agenda.disclosure == Disclosure.INTERNAL:
        return u.is_facilitator or (u.is_resident and _lives_in(u, agenda.organisation))
    return False


def can_manage_session(user: Any, session: Session) -> bool:
    """Create, edit, open, pause, close sessions and moderate their rooms."""
    return can_edit_agenda(user, session.agenda)


can_moderate = can_manage_session


def can_view_session(user: Any, session: Session) -> bool:
    return can_view_agenda(user, session.agenda)


def can_join_room(user: Any, session: Session) -> bool:
    """Enter the live room: see it, be someone, and the room is live or paused."""
    if not can_view_session(user, session):
        return False
    if session.state in JOINABLE_STATES:
        return _user(user) is not None
    return False


def visible_agendas_q(user: Any) -> Q:
    """A filter on Agenda matching exactly what ``can_view_agenda`` allows."""
    public = Q(disclosure=Disclosure.PUBLIC)
    u = _user(user)
    if u is None:
        return public
    if _is_admin(u):
        return Q()
    q = public | Q(invitees=u)
    if u.is_facilitator and u.organisation_id:
        org_ids = [u.organisation_id, *Organisation.objects.filter(parent_id=u.organisation_id).values_list("pk", flat=True)]
        q |= Q(organisation_id__in=org_ids)
        q |= Q(disclosure=Disclosure.INTERNAL)
    elif u.is_facilitator:
        q |= Q(disclosure=Disclosure.INTERNAL)
    if u.is_ministry:
        if u.clearance in ("internal", "restricted"):
            q |= Q(disclosure=Disclosure.INTERNAL)
        if u.clearance == "restricted":
            q |= Q(disclosure=Disclosure.RESTRICTED)
    if u.is_resident and u.region_id:
        region = u.region
        home = [u.region_id] + ([region.parent_id] if region and region.parent_id else [])
        q |= Q(disclosure=Disclosure.INTERNAL, organisation_id__in=home)
    return q


def visible_agendas(user: Any) -> Any:
    return Agenda.objects.filter(visible_agendas_q(user)).distinct()


def visible_sessions(user: Any) -> Any:
    return Session.objects.filter(agenda__in=visible_agendas(user))
