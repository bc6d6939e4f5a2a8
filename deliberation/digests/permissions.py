"""Who may do what with digests and answers: one predicate per action.

The table is in docs/permissions.md (section "요약 보고와 답변 / Digests and answers")
and tests/digests/test_permissions.py checks every cell. A digest someone may not see
is invisible (404), not forbidden. ``visible_digests_q`` is ``can_view_digest`` as a query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from deliberation.agendas.models import Agenda, Disclosure, Session
from deliberation.agendas.permissions import can_edit_agenda, can_view_agenda, can_view_session
from deliberation.people.models import Organisation, User

from .models import Digest

# The disclosure levels each ministry clearance may read.
CLEARANCE_LEVELS: dict[str, tuple[str, ...]] = {
    User.Clearance.PUBLIC: (Disclosure.PUBLIC,),
    User.Clearance.INTERNAL: (Disclosure.PUBLIC, Disclosure.INTERNAL),
    User.Clearance.RESTRICTED: (Disclosure.PUBLIC, Disclosure.INTERNAL, Disclosure.RESTRICTED),
}


def _user(user: Any) -> User | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user  # type: ignore[no-any-return]


def readable_levels(user: Any) -> tuple[str, ...]:
    """Disclosure levels of published digests this person may read in the inbox."""
    u = _user(user)
    if u is None:
        return ()
    if u.is_admin_role:
        return tuple(Disclosure.values)
    if u.is_ministry:
        return CLEARANCE_LEVELS.get(u.clearance, ())
    return ()


def can_manage_digest(user: Any, agenda: Agenda) -> bool:
    """Generate, edit, approve and publish digests of this agenda and its sessions."""
    return can_edit_agenda(user, agenda)


def can_use_inbox(user: Any) -> bool:
    """The ministry inbox, trends and municipality overview."""
    u = _user(user)
    return u is not None and (u.is_ministry or u.is_admin_role)


def can_view_digest(user: Any, digest: Digest) -> bool:
    """Its managers at every stage; ministry staff once published, up to their clearance."""
    if can_manage_digest(user, digest.agenda):
        return True
    if digest.status != Digest.Status.PUBLISHED:
        return False
    return digest.disclosure in readable_levels(user)


def can_respond(user: Any, digest: Digest) -> bool:
    """Answer a published digest or one of its proposals: ministry staff who can read it."""
    u = _user(user)
    if u is None or not (u.is_ministry or u.is_admin_role):
        return False
    return digest.status == Digest.Status.PUBLISHED and digest.disclosure in readable_levels(u)


def can_work_on(user: Any, digest: Digest) -> bool:
    """Assign a digest, set its due date and answer status: those who may answer it."""
    return can_respond(user, digest)


def can_be_assigned(user: Any, digest: Digest) -> bool:
    """Who a digest may be assigned to: ministry staff (or administrators) who can answer it."""
    return can_respond(user, digest)


def can_view_read_log(user: Any) -> bool:
    """Who read restricted digests: administrators only."""
    u = _user(user)
    return u is not None and u.is_admin_role


def can_see_answers(user: Any, digest: Digest, *, participant: bool) -> bool:
    """The ministry's answers on the session page.

    Those who took part in the session (the answer is addressed to them) and those who
    may read the digest itself; everyone who may see the session when the digest is public.
    """
    if digest.status != Digest.Status.PUBLISHED:
        return False
    if participant or can_view_digest(user, digest):
        return True
    if digest.disclosure != Disclosure.PUBLIC:
        return False
    session: Session | None = digest.session
    if session is not None:
        return can_view_session(user, session)
    return can_view_session_agenda(user, digest.agenda)


def can_view_session_agenda(user: Any, agenda: Agenda) -> bool:
    return can_view_agenda(user, agenda)


def _managed_organisation_ids(user: User) -> list[int]:
    """The facilitator's organisation and everything below it (as ``can_edit_agenda``)."""
    if not user.is_facilitator or user.organisation_id is None:
        return []
    ids = [user.organisation_id]
    frontier = [user.organisation_id]
    while frontier:
        frontier = list(
            Organisation.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def visible_digests_q(user: Any) -> Q:
    """Digests ``can_view_digest`` allows, as a filter."""
    u = _user(user)
    if u is None:
        return Q(pk__in=[])
    if u.is_admin_role:
        return Q()
    q = Q(pk__in=[])
    managed = _managed_organisation_ids(u)
    if managed:
        q |= Q(agenda__organisation_id__in=managed)
    levels = readable_levels(u)
    if levels:
        q |= Q(status=Digest.Status.PUBLISHED, disclosure__in=levels)
    return q
