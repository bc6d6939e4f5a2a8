"""Pages of the programme registry: thin views over selectors, services and permissions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliberation.agendas.permissions import visible_agendas, visible_sessions
from deliberation.people.models import Organisation

from . import permissions, selectors, services, tabular
from .forms import DesignationForm, ImportForm, MarkForm, PlanForm, ProgrammeForm
from .models import AnnualPlan, OverlapMark, Programme


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    """Visitors are sent to sign in; residents get a 404 (the registry is not theirs)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_use_registry(request.user):
        raise Http404
    return None


def _visible_programme(request: HttpRequest, programme_id: int) -> Programme:
    programme = get_object_or_404(
        Programme.objects.select_related("organisation", "kind"), pk=programme_id
    )
    if not permissions.can_view_programme(request.user, programme):
        raise Http404
    return programme


def _download(data: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=tabular.CONTENT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


def _sheet(header: list[str], rows: list[list[object]], fmt: str, title: str) -> bytes:
    if fmt == "xlsx":
        return tabular.write_xlsx(header, rows, title=title)
    return tabular.write_csv(header, rows)


@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    """Every programme this person may see, filterable, with export and import."""
    if (refused := _staff_only(request)) is not None:
        return refused
    filters = selectors.RegistryFilters.from_params(request.GET)
    programmes = selectors.registry(request.user, filters)
    page = Paginator(programmes, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "programmes/registry.html",
        {
            "page": page,
            "filters": filters,
            "choices": selectors.filter_choices(),
            "query": urlencode(query),
            "can_manage": bool(permissions.manageable_organisations(request.user)),
            "can_review": permissions.can_review_overlaps(request.user),
            "tab": "registry",
        },
    )


@require_GET
def registry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    if fmt not in tabular.EXPORT_FORMATS:
        raise Http404
    filters = selectors.RegistryFilters.from_params(request.GET)
    header, rows = selectors.registry_export_rows(list(selectors.registry(request.user, filters)))
    return _download(_sheet(header, rows, fmt, "국민외교 사업"), fmt, "programmes")


@require_http_methods(["GET", "POST"])
def programme_import(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet: all rows are written, or none and every bad row is listed."""
    if (refused := _staff_only(request)) is not None:
        return refused
    if not permissions.manageable_organisations(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = tabular.read_rows(upload.read(tabular.MAX_IMPORT_BYTES + 1), upload.name)
            result = services.programmes_import(actor=request.user, rows=rows)  # type: ignore[arg-type]
        except tabular.SheetError as exc:
            form.add_error("file", str(exc))
        if result is not None and result.ok:
            messages.success(
                request,
                _("가져오기 완료: 새 사업 %(created)d건, 고친 사업 %(updated)d건")
                % {"created": result.created, "updated": result.updated},
            )
            return HttpResponseRedirect(reverse("programmes:registry"))
    labels = {c.key: c.label for c in tabular.COLUMNS}
    return render(
        request,
        "programmes/import.html",
        {
            "form": form,
            "result": result,
            "error_rows": [
                (e.row, labels.get(e.column, e.column), e.message)
                for e in (result.errors if result else [])
            ],
            "columns": tabular.COLUMNS,
            "tab": "registry",
        },
    )


@require_GET
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    programme = _visible_programme(request, programme_id)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "similar": selectors.similar_programmes(request.user, programme),
            "agendas": list(programme.agendas.filter(pk__in=visible_agendas(request.user))),
            "sessions": list(
                programme.sessions.filter(pk__in=visible_sessions(request.user)).select_related(
                    "agenda"
                )
            ),
            "plans": [
                p for p in programme.plans.all() if permissions.can_view_plan(request.user, p)
            ],
            "can_edit": permissions.can_edit_programme(request.user, programme),
            "can_review": permissions.can_review_overlaps(request.user),
            "verdicts": OverlapMark.Verdict.choices,
            "tab": "registry",
        },
    )


def _programme_form_page(request: HttpRequest, programme: Programme | None) -> HttpResponse:
    organisations = permissions.manageable_organisations(request.user)
    if not organisations:
        raise Http404
    initial = ProgrammeForm.initial_for(programme) if programme else None
    form = ProgrammeForm(request.POST or None, initial=initial, organisations=organisations)
    agendas = list(visible_agendas(request.user).filter(organisation__in=organisations)[:200])
    sessions = list(
        visible_sessions(request.user)
        .filter(agenda__organisation__in=organisations)
        .select_related("agenda")
        .order_by("-starts_at")[:200]
    )
    chosen = [int(v) for v in request.POST.getlist("agendas") if v.isdigit()]
    chosen_sessions = [int(v) for v in request.POST.getlist("sessions") if v.isdigit()]
    if request.method == "POST" and form.is_valid():
        target = form.apply(programme or Programme())
        try:
            saved = services.programme_save(
                actor=request.user,  # type: ignore[arg-type]
                programme=target,
                agendas=[a for a in agendas if a.pk in chosen],
                sessions=[x for x in sessions if x.pk in chosen_sessions],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("사업을 저장했습니다."))
            return HttpResponseRedirect(reverse("programmes:detail", args=[saved.pk]))
    linked = set(programme.agendas.values_list("pk", flat=True)) if programme else set(chosen)
    linked_sessions = (
        set(programme.sessions.values_list("pk", flat=True)) if programme else set(chosen_sessions)
    )
    if request.method == "POST":
        linked, linked_sessions = set(chosen), set(chosen_sessions)
    return render(
        request,
        "programmes/programme_form.html",
        {
            "form": form,
            "programme": programme,
            "agendas": [(a, a.pk in linked) for a in agendas],
            "sessions": [(x, x.pk in linked_sessions) for x in sessions],
            "tab": "registry",
        },
    )


@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    return _programme_form_page(request, None)


@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    programme = _visible_programme(request, programme_id)
    if not permissions.can_edit_programme(request.user, programme):
        raise Http404
    return _programme_form_page(request, programme)


# --- The ministry's duplicate view -------------------------------------------------------


def _reviewer(request: HttpRequest) -> HttpResponse | None:
    if (refused := _staff_only(request)) is not None:
        return refused
    if not permissions.can_review_overlaps(request.user):
        raise Http404
    return None


@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    """Likely duplicate pairs across organisations, with filters and staff's marks."""
    if (refused := _reviewer(request)) is not None:
        return refused
    filters = selectors.PairFilters.from_params(request.GET)
    rows = selectors.duplicate_pairs(request.user, filters)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "programmes/duplicates.html",
        {
            "page": page,
            "total": len(rows),
            "filters": filters,
            "choices": selectors.filter_choices(),
            "regions": selectors.municipalities(),
            "verdicts": OverlapMark.Verdict.choices,
            "query": urlencode(query),
            "threshold": selectors.DUPLICATE_THRESHOLD,
            "tab": "duplicates",
        },
    )


@require_POST
def overlap_mark(request: HttpRequest) -> HttpResponse:
    if (refused := _reviewer(request)) is not None:
        return refused
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("판정을 저장하지 못했습니다. 판정을 골라 주세요."))
    else:
        data = form.cleaned_data
        first = _visible_programme(request, data["first"])
        second = _visible_programme(request, data["second"])
        try:
            services.overlap_mark(
                actor=request.user,  # type: ignore[arg-type]
                first=first,
                second=second,
                verdict=data["verdict"],
                note=data.get("note") or "",
                score=data.get("score") or 0.0,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("판정을 저장했습니다."))
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("programmes:duplicates")
    return HttpResponseRedirect(back)


@require_GET
def marks_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if (refused := _reviewer(request)) is not None:
        return refused
    if fmt not in tabular.EXPORT_FORMATS:
        raise Http404
    header, rows = selectors.marks_export_rows(request.user)
    return _download(_sheet(header, rows, fmt, "유사·중복 판정"), fmt, "overlap-marks")


# --- Plans ------------------------------------------------------------------------------


@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    return render(
        request,
        "programmes/plans.html",
        {
            "plans": [
                selectors.plan_view(request.user, p) for p in selectors.visible_plans(request.user)
            ],
            "can_plan": any(
                o.kind in (Organisation.Kind.MINISTRY, Organisation.Kind.METROPOLITAN)
                for o in permissions.manageable_organisations(request.user)
            ),
            "tab": "plans",
        },
    )


@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    plan = get_object_or_404(AnnualPlan.objects.select_related("organisation"), pk=plan_id)
    if not permissions.can_view_plan(request.user, plan):
        raise Http404
    return render(
        request,
        "programmes/plan_detail.html",
        {
            "view": selectors.plan_view(request.user, plan),
            "can_edit": permissions.can_edit_plan(request.user, plan),
            "tab": "plans",
        },
    )


def _plan_form_page(request: HttpRequest, plan: AnnualPlan | None) -> HttpResponse:
    organisations = permissions.manageable_organisations(request.user)
    initial: dict[str, Any] | None = None
    if plan is not None:
        initial = {
            "organisation": plan.organisation,
            "year": plan.year,
            "title": plan.title,
            "summary": plan.summary,
            "disclosure": plan.disclosure,
            "programmes": list(plan.programmes.all()),
        }
    form = PlanForm(request.POST or None, initial=initial, organisations=organisations)
    form.set_programmes(
        selectors.visible_programmes(request.user).order_by("organisation__name", "title")
    )
    if not form.fields["organisation"].queryset.exists():  # type: ignore[attr-defined]
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = plan or AnnualPlan()
        target.organisation = data["organisation"]
        target.kind = form.kind_for(data["organisation"])
        target.year = data["year"]
        target.title = data["title"]
        target.summary = data["summary"]
        target.disclosure = data["disclosure"]
        try:
            saved = services.plan_save(
                actor=request.user,  # type: ignore[arg-type]
                plan=target,
                programmes=list(data["programmes"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("계획을 저장했습니다."))
            return HttpResponseRedirect(reverse("programmes:plan_detail", args=[saved.pk]))
    return render(
        request, "programmes/plan_form.html", {"form": form, "plan": plan, "tab": "plans"}
    )


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    return _plan_form_page(request, None)


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    plan = get_object_or_404(AnnualPlan.objects.select_related("organisation"), pk=plan_id)
    if not permissions.can_edit_plan(request.user, plan):
        raise Http404
    return _plan_form_page(request, plan)


# --- Municipality profile ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def municipality(request: HttpRequest, slug: str) -> HttpResponse:
    """A municipality's readiness, friendly-city designations, programmes and plans."""
    if (refused := _staff_only(request)) is not None:
        return refused
    organisation = get_object_or_404(Organisation, slug=slug)
    if not organisation.is_municipality:
        raise Http404
    can_record = permissions.can_record_designation(request.user)
    form = DesignationForm(request.POST or None) if can_record else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.designation_record(
                    actor=request.user,  # type: ignore[arg-type]
                    organisation=organisation,
                    designated_on=data["designated_on"],
                    valid_until=data["valid_until"],
                    criteria=form.criteria_list(),
                    consulting=data["consulting"],
                    note=data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("친화도시 지정을 기록했습니다."))
                return HttpResponseRedirect(request.path)
    return render(
        request,
        "programmes/municipality.html",
        {
            "view": selectors.municipality_view(request.user, organisation),
            "form": form,
            "tab": "municipalities",
        },
    )


@require_GET
def municipality_list(request: HttpRequest) -> HttpResponse:
    if (refused := _staff_only(request)) is not None:
        return refused
    return render(
        request,
        "programmes/municipalities.html",
        {"organisations": selectors.municipalities(), "tab": "municipalities"},
    )


# --- Similar past agendas (the agenda form asks while a facilitator types) ---------------


@require_GET
def similar_agendas(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_registry(request.user):
        raise Http404
    exclude = request.GET.get("exclude", "")
    return render(
        request,
        "programmes/_similar_agendas.html",
        {
            "similar": selectors.similar_agendas(
                request.user,
                title=request.GET.get("title", "")[:200],
                description=request.GET.get("description", "")[:2000],
                exclude_id=int(exclude) if exclude.isdigit() else None,
            )
        },
    )
