"""Who may see and do what with programmes, plans and overlap marks: one predicate each.

The role x action table is in docs/permissions.md (section "국민외교 사업 / Programmes")
and tests/programmes/test_permissions.py checks every cell. The registry is a staff tool:
residents and visitors never see it. A programme someone may not see is a 404.
``visible_programmes_q`` is ``can_view_programme`` written as a query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from deliberation.agendas.models import Disclosure
from deliberation.agendas.permissions import active_user, managed_organisation_ids
from deliberation.digests.permissions import CLEARANCE_LEVELS
from deliberation.people.models import Organisation, User

from .models import AnnualPlan, Programme


def _is_staff(user: User) -> bool:
    return user.is_facilitator or user.is_ministry or user.is_admin_role


def _maintains(user: User, organisation: Organisation) -> bool:
    """Facilitators of the organisation or one above it; ministry staff of the ministry."""
    if user.organisation_id is None:
        return False
    if user.is_facilitator:
        return user.organisation_id in organisation.lineage_ids()
    return user.is_ministry and user.organisation_id == organisation.pk


def readable_levels(user: User) -> tuple[str, ...]:
    """Disclosure levels of other organisations' programmes this person may read."""
    if user.is_admin_role:
        return tuple(Disclosure.values)
    if user.is_ministry:
        return CLEARANCE_LEVELS.get(user.clearance, (Disclosure.PUBLIC,))
    if user.is_facilitator:
        return (Disclosure.PUBLIC, Disclosure.INTERNAL)
    return ()


def can_use_registry(user: Any) -> bool:
    """The registry, plans and municipality pages: facilitators, ministry staff, admins."""
    u = active_user(user)
    return u is not None and _is_staff(u)


def can_create_programme(user: Any, organisation: Organisation) -> bool:
    u = active_user(user)
    return u is not None and (u.is_admin_role or _maintains(u, organisation))


def can_edit_programme(user: Any, programme: Programme) -> bool:
    """Its maintainers; ministry staff only up to their clearance."""
    u = active_user(user)
    if u is None or not can_create_programme(u, programme.organisation):
        return False
    return not u.is_ministry or programme.disclosure in readable_levels(u)


def can_view_programme(user: Any, programme: Programme) -> bool:
    u = active_user(user)
    if u is None or not _is_staff(u):
        return False
    if can_edit_programme(u, programme):
        return True
    return programme.disclosure in readable_levels(u)


def can_review_overlaps(user: Any) -> bool:
    """The ministry's duplicate view: list pairs, mark them, export the marks."""
    u = active_user(user)
    return u is not None and (u.is_ministry or u.is_admin_role)


def can_edit_plan(user: Any, plan: AnnualPlan) -> bool:
    u = active_user(user)
    if u is None or not can_create_programme(u, plan.organisation):
        return False
    return not u.is_ministry or plan.disclosure in readable_levels(u)


def can_view_plan(user: Any, plan: AnnualPlan) -> bool:
    u = active_user(user)
    if u is None or not _is_staff(u):
        return False
    return can_edit_plan(u, plan) or plan.disclosure in readable_levels(u)


def can_record_designation(user: Any) -> bool:
    """Friendly-city designations are the ministry's decision."""
    return can_review_overlaps(user)


def manageable_organisations(user: Any) -> list[Organisation]:
    """Organisations whose programmes this person may create (for forms and imports)."""
    u = active_user(user)
    if u is None:
        return []
    if u.is_admin_role:
        return list(Organisation.objects.all())
    if u.is_facilitator:
        return list(Organisation.objects.filter(pk__in=managed_organisation_ids(u)))
    if u.is_ministry and u.organisation_id is not None:
        return list(Organisation.objects.filter(pk=u.organisation_id))
    return []


def _visible_q(user: Any) -> Q:
    u = active_user(user)
    if u is None or not _is_staff(u):
        return Q(pk__in=[])
    if u.is_admin_role:
        return Q()
    q = Q(disclosure__in=readable_levels(u))
    if u.is_facilitator:
        q |= Q(organisation_id__in=managed_organisation_ids(u))
    return q


def visible_programmes_q(user: Any) -> Q:
    """A filter on Programme matching exactly what ``can_view_programme`` allows."""
    return _visible_q(user)


def visible_plans_q(user: Any) -> Q:
    """A filter on AnnualPlan matching exactly what ``can_view_plan`` allows."""
    return _visible_q(user)
