"""Pages for agendas and sessions: thin views over selectors, services and permissions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import briefing, permissions, selectors, services
from .forms import AgendaForm, HomeFilterForm, InviteForm, SessionForm
from .models import Agenda, BriefingMaterial, Session


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields where it names them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _int_or_404(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise Http404
    return int(raw)


def home(request: HttpRequest) -> HttpResponse:
    """Live and upcoming sessions, filterable by municipality and topic."""
    filters = HomeFilterForm(request.GET or None)
    organisation_id: int | None = None
    topic: str | None = None
    if filters.is_valid():
        organisation = filters.cleaned_data.get("organisation")
        organisation_id = organisation.pk if organisation else None
        topic = filters.cleaned_data.get("topic") or None
    query = {k: v for k, v in request.GET.items() if k in ("organisation", "topic") and v}
    context = {
        "filters": filters,
        "filtered": bool(organisation_id or topic),
        "sessions": selectors.home_sessions(
            request.user, organisation_id=organisation_id, topic=topic
        ),
        "agendas": selectors.home_agendas(
            request.user,
            organisation_id=organisation_id,
            topic=topic,
            page=request.GET.get("page", 1),
        ),
        "filter_query": urlencode(query),
        "can_create": selectors.organisations_for_new_agenda(request.user).exists(),
    }
    return render(request, "agendas/home.html", context)


def agenda_detail(request: HttpRequest, agenda_id: int) -> HttpResponse:
    agenda = selectors.agenda_get_visible(request.user, agenda_id)
    return render(
        request,
        "agendas/agenda_detail.html",
        {
            "agenda": agenda,
            "sessions": selectors.agenda_sessions(agenda),
            "profile": selectors.organisation_profile(agenda.organisation),
            "can_edit": permissions.can_edit_agenda(request.user, agenda),
        },
    )


@require_http_methods(["GET", "POST"])
def agenda_invitees(request: HttpRequest, agenda_id: int) -> HttpResponse:
    """Who may see a non-public agenda beyond its disclosure level: add and remove people."""
    agenda = selectors.agenda_get_editable(request.user, agenda_id)
    form = InviteForm(request.POST if "username" in request.POST else None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                services.agenda_uninvite(
                    actor=request.user,  # type: ignore[arg-type]
                    agenda=agenda,
                    user_id=_int_or_404(request.POST["remove"]),
                )
                messages.success(request, _("초대를 거뒀습니다."))
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                invitee = services.agenda_invite(
                    actor=request.user,  # type: ignore[arg-type]
                    agenda=agenda,
                    username=form.cleaned_data["username"],
                )
                messages.success(
                    request, _("%(name)s 님을 초대했습니다.") % {"name": invitee.display_name}
                )
                return HttpResponseRedirect(request.path)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
    return render(
        request,
        "agendas/invitees.html",
        {"agenda": agenda, "form": form, "invitees": selectors.agenda_invitees(agenda)},
    )


def _agenda_initial(agenda: Agenda) -> dict[str, Any]:
    return {
        "organisation": agenda.organisation,
        "title": agenda.title,
        "description": agenda.description_html,
        "topic": agenda.topic,
        "disclosure": agenda.disclosure,
        "status": agenda.status,
    }


@require_http_methods(["GET", "POST"])
def agenda_create(request: HttpRequest) -> HttpResponse:
    """A facilitator opens an agenda for their organisation."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisations = selectors.organisations_for_new_agenda(request.user)
    if not organisations.exists():
        raise Http404
    form = AgendaForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agenda = services.agenda_create(actor=request.user, **data)  # type: ignore[arg-type]
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("의제를 만들었습니다."))
            return HttpResponseRedirect(reverse("agendas:agenda_detail", args=[agenda.pk]))
    return render(request, "agendas/agenda_form.html", {"form": form, "agenda": None})


@require_http_methods(["GET", "POST"])
def agenda_edit(request: HttpRequest, agenda_id: int) -> HttpResponse:
    agenda = selectors.agenda_get_editable(request.user, agenda_id)
    organisations = selectors.organisations_for_new_agenda(request.user)
    form = AgendaForm(
        request.POST or None,
        initial=_agenda_initial(agenda),
        organisations=organisations.filter(pk=agenda.organisation_id),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("organisation")
        try:
            services.agenda_update(actor=request.user, agenda=agenda, **data)  # type: ignore[arg-type]
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("의제를 고쳤습니다."))
            return HttpResponseRedirect(reverse("agendas:agenda_detail", args=[agenda.pk]))
    return render(request, "agendas/agenda_form.html", {"form": form, "agenda": agenda})


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, agenda_id: int) -> HttpResponse:
    agenda = selectors.agenda_get_editable(request.user, agenda_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                actor=request.user,  # type: ignore[arg-type]
                agenda=agenda,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("회의를 만들었습니다."))
            return HttpResponseRedirect(reverse("agendas:session_detail", args=[session.pk]))
    return render(
        request, "agendas/session_form.html", {"form": form, "agenda": agenda, "session": None}
    )


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_manageable(request.user, session_id)
    initial = {
        "title": session.title,
        "kind": session.kind,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "venue": session.venue,
        "turn_seconds": session.turn_seconds,
        "join_mode": session.join_mode,
        "vote_mode": session.vote_mode,
        "venue_code_minutes": session.venue_code_minutes,
    }
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                actor=request.user,  # type: ignore[arg-type]
                session=session,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("회의를 고쳤습니다."))
            return HttpResponseRedirect(reverse("agendas:session_detail", args=[session.pk]))
    return render(
        request,
        "agendas/session_form.html",
        {"form": form, "agenda": session.agenda, "session": session},
    )


def _join_qr_svg(url: str) -> str:
    """The join link as an inline SVG QR code (no image request, no network)."""
    qr = segno.make(url, error="m")
    return str(qr.svg_inline(scale=5, dark="#111111", light="#ffffff", omitsize=True)).replace(
        "<svg ", f'<svg role="img" aria-label="{escape(_("참여 링크 QR 코드"))}" ', 1
    )


def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """Before it goes live: schedule, venue and how to join; once live: the way in."""
    session = selectors.session_get_visible(request.user, session_id)
    join_path = f"/j/{session.join_code}/"
    join_url = request.build_absolute_uri(join_path)
    room_path = f"/sessions/{session.pk}/room/"
    is_open = session.state in permissions.JOINABLE_STATES
    return render(
        request,
        "agendas/session_detail.html",
        {
            "session": session,
            "agenda": session.agenda,
            "join_url": join_url,
            "join_qr": _join_qr_svg(join_url),
            "room_path": room_path,
            "console_path": f"/sessions/{session.pk}/console/",
            "is_open": is_open,
            "can_join": permissions.can_join_room(request.user, session),
            "can_manage": permissions.can_manage_session(request.user, session),
            "transitions": selectors.session_transition_choices(request.user, session),
            "States": Session.State,
        },
    )


@require_POST
def session_transition(request: HttpRequest, session_id: int) -> HttpResponse:
    """Move the session along its state machine (one button per allowed move)."""
    session = selectors.session_get_manageable(request.user, session_id)
    to_state = request.POST.get("to_state", "")
    try:
        session = services.session_transition(
            actor=request.user,  # type: ignore[arg-type]
            session=session,
            to_state=to_state,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(
            request,
            _("회의 상태를 '%(state)s'(으)로 바꿨습니다.")
            % {"state": Session.State(session.state).label},
        )
    return HttpResponseRedirect(reverse("agendas:session_detail", args=[session.pk]))


def dashboard(request: HttpRequest) -> HttpResponse:
    """My organisation: its agendas and their sessions, for facilitators and administrators."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = permissions.active_user(request.user)
    if user is None or not (user.is_admin_role or permissions.managed_organisation_ids(user)):
        raise Http404
    return render(
        request,
        "agendas/dashboard.html",
        {
            "organisation": user.organisation,
            "agendas": selectors.dashboard_agendas(user, page=request.GET.get("page", 1)),
            "can_create": selectors.organisations_for_new_agenda(user).exists(),
        },
    )


def _console_url(session: Session) -> str:
    return reverse("live:console", args=[session.pk]) + "#briefing-title"


@require_POST
def briefing_add(request: HttpRequest, session_id: int) -> HttpResponse:
    """A facilitator attaches a note, a link or a file to the session."""
    session = selectors.session_get_manageable(request.user, session_id)
    upload = request.FILES.get("upload")
    received = None
    if upload is not None:
        if upload.size is not None and upload.size > briefing.MAX_BYTES:
            messages.error(
                request,
                _("파일은 %(mb)dMB까지 올릴 수 있습니다.") % {"mb": briefing.MAX_BYTES // 2**20},
            )
            return HttpResponseRedirect(_console_url(session))
        received = briefing.Upload(name=upload.name or "", data=upload.read())
    try:
        briefing.briefing_add(
            actor=request.user,  # type: ignore[arg-type]
            session=session,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            url=request.POST.get("url", ""),
            upload=received,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("안내 자료를 붙였습니다."))
    return HttpResponseRedirect(_console_url(session))


@require_POST
def briefing_remove(request: HttpRequest, session_id: int, material_id: int) -> HttpResponse:
    """A facilitator takes a material off the session."""
    session = selectors.session_get_manageable(request.user, session_id)
    material = BriefingMaterial.objects.filter(session=session, pk=material_id).first()
    if material is None:
        raise Http404
    try:
        briefing.briefing_remove(actor=request.user, material=material)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("안내 자료를 뺐습니다."))
    return HttpResponseRedirect(_console_url(session))


def briefing_file(request: HttpRequest, session_id: int, material_id: int) -> HttpResponse:
    """A material's file, to whoever may see the session; always as a download."""
    session = selectors.session_get_visible(request.user, session_id)
    material = BriefingMaterial.objects.filter(
        session=session, pk=material_id, kind=BriefingMaterial.Kind.FILE
    ).first()
    if material is None:
        raise Http404
    response = HttpResponse(bytes(material.data), content_type=material.content_type)
    response["Content-Disposition"] = content_disposition_header(True, material.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
