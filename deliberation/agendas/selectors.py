"""Reads for agenda and session pages; materialised, never lazy querysets for async code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from deliberation.people.models import MunicipalityProfile, Organisation, User

from . import permissions
from .models import Agenda, Session
from .permissions import can_view_agenda, can_view_session, visible_agendas, visible_sessions
from .services import TRANSITIONS

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def agenda_get_visible(user: Any, agenda_id: int) -> Agenda:
    """The agenda, or 404 when it does not exist or this person may not know it exists."""
    agenda = Agenda.objects.select_related("organisation").filter(pk=agenda_id).first()
    if agenda is None or not can_view_agenda(user, agenda):
        raise Http404
    return agenda


def agenda_get_editable(user: Any, agenda_id: int) -> Agenda:
    """The agenda for its editors; 404 to everyone else, who need not know the page exists."""
    agenda = agenda_get_visible(user, agenda_id)
    if not permissions.can_edit_agenda(user, agenda):
        raise Http404
    return agenda


def session_get_visible(user: Any, session_id: int) -> Session:
    session = (
        Session.objects.select_related("agenda", "agenda__organisation")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not can_view_session(user, session):
        raise Http404
    return session


def session_get_manageable(user: Any, session_id: int) -> Session:
    session = session_get_visible(user, session_id)
    if not permissions.can_manage_session(user, session):
        raise Http404
    return session


def clamp_page_number(raw: Any, num_pages: int) -> int:
    """Any page value a visitor types lands on a real page: junk is 1, too far is the last."""
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError, OverflowError):
        return 1
    return max(1, min(number, max(num_pages, 1)))


def paginate(items: Any, raw_page: Any, per_page: int = PAGE_SIZE) -> Page:
    """A page of ``items``; never raises on absurd page values."""
    paginator = Paginator(items, max(1, min(per_page, MAX_PAGE_SIZE)))
    page = paginator.page(clamp_page_number(raw_page, paginator.num_pages))
    page.object_list = list(page.object_list)
    return page


def _region_q(organisation_id: int | None) -> Q:
    if not organisation_id:
        return Q()
    return Q(agenda__organisation_id=organisation_id) | Q(
        agenda__organisation__parent_id=organisation_id
    )


def home_sessions(
    user: Any, *, organisation_id: int | None = None, topic: str | None = None
) -> dict[str, list[Session]]:
    """Live and upcoming sessions this person may see, filtered for the home page."""
    qs = visible_sessions(user).select_related("agenda", "agenda__organisation")
    qs = qs.filter(_region_q(organisation_id))
    if topic:
        qs = qs.filter(agenda__topic=topic)
    live = list(
        qs.filter(state__in=[Session.State.LIVE, Session.State.PAUSED]).order_by("starts_at")
    )
    upcoming = list(qs.filter(state=Session.State.SCHEDULED).order_by("starts_at")[:50])
    recent = list(qs.filter(state=Session.State.CLOSED).order_by("-starts_at")[:10])
    return {"live": live, "upcoming": upcoming, "recent": recent}


def home_agendas(
    user: Any, *, organisation_id: int | None = None, topic: str | None = None, page: Any = 1
) -> Page:
    """Agendas this person may see, newest first, one page of them."""
    qs = (
        visible_agendas(user)
        .select_related("organisation")
        .annotate(session_count=Count("sessions", distinct=True))
    )
    if organisation_id:
        qs = qs.filter(
            Q(organisation_id=organisation_id) | Q(organisation__parent_id=organisation_id)
        )
    if topic:
        qs = qs.filter(topic=topic)
    return paginate(qs.order_by("-created_at", "-pk"), page)


def agenda_sessions(agenda: Agenda) -> list[Session]:
    return list(agenda.sessions.order_by("starts_at", "pk"))


def organisation_profile(organisation: Organisation) -> MunicipalityProfile | None:
    """The host municipality's profile, or the one of the municipality above a centre."""
    for org_id in organisation.lineage_ids():
        profile = MunicipalityProfile.objects.filter(organisation_id=org_id).first()
        if profile is not None:
            return profile
    return None


def agenda_invitees(agenda: Agenda) -> list[User]:
    return list(agenda.invitees.select_related("region", "organisation").order_by("nickname", "pk"))


def agendas_visible(user: Any) -> list[Agenda]:
    return list(visible_agendas(user).select_related("organisation")[:200])


def organisations_for_new_agenda(user: Any) -> Any:
    """The organisations this person may open an agenda for (a queryset for a form field)."""
    everyone = Organisation.objects.exclude(kind=Organisation.Kind.MINISTRY)
    u = permissions.active_user(user)
    if u is None:
        return Organisation.objects.none()
    if u.is_admin_role:
        return everyone.order_by("kind", "name")
    managed = permissions.managed_organisation_ids(u)
    return everyone.filter(pk__in=managed).order_by("kind", "name")


@dataclass(frozen=True)
class TransitionChoice:
    to_state: str
    label: str
    danger: bool


_TRANSITION_LABELS = {
    (Session.State.SCHEDULED, Session.State.LIVE): _("회의 시작"),
    (Session.State.SCHEDULED, Session.State.CLOSED): _("회의 취소(종료)"),
    (Session.State.LIVE, Session.State.PAUSED): _("일시 정지"),
    (Session.State.LIVE, Session.State.CLOSED): _("회의 종료"),
    (Session.State.PAUSED, Session.State.LIVE): _("다시 시작"),
    (Session.State.PAUSED, Session.State.CLOSED): _("회의 종료"),
    (Session.State.CLOSED, Session.State.LIVE): _("회의 다시 열기"),
    (Session.State.CLOSED, Session.State.ARCHIVED): _("보관하기"),
}


def session_transition_choices(user: Any, session: Session) -> list[TransitionChoice]:
    """The moves this person may make now: one button each, nothing else."""
    if not permissions.can_manage_session(user, session):
        return []
    order = [s.value for s in Session.State]
    return [
        TransitionChoice(
            to_state=to,
            label=str(_TRANSITION_LABELS[(Session.State(session.state), Session.State(to))]),
            danger=to in (Session.State.CLOSED, Session.State.ARCHIVED),
        )
        for to in sorted(TRANSITIONS[session.state], key=order.index)
        # Reopening is offered only while the window after the close is open.
        if not (
            session.state == Session.State.CLOSED
            and to == Session.State.LIVE
            and not permissions.can_reopen_session(user, session)
        )
    ]


def dashboard_agendas(user: User, *, page: Any = 1) -> Page:
    """The agendas of the facilitator's organisation (and those below it), with sessions."""
    if user.is_admin_role:
        qs = Agenda.objects.all()
    else:
        qs = Agenda.objects.filter(organisation_id__in=permissions.managed_organisation_ids(user))
    qs = qs.select_related("organisation").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk"))
    )
    return paginate(qs.order_by("-created_at", "-pk"), page, per_page=10)
