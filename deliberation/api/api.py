"""The JSON API for ministry and municipal systems, built on django-ninja.

Its OpenAPI document is generated from this module (served at /api/openapi.json, with
an interactive page at /api/docs). Systems authenticate with a token
(``Authorization: Bearer mdg_...``, issued per organisation in the back office); the
pages' browser session works too. A token acts as its account: every list and record is
filtered by the same permission predicates as the pages (what that account may not see
answers 404), and writing needs a token of scope ``write``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field, field_validator

from deliberation.agendas import permissions as agenda_permissions
from deliberation.agendas.models import Agenda, Session
from deliberation.digests import permissions as digest_permissions
from deliberation.digests import selectors as digest_selectors
from deliberation.digests import services as digest_services
from deliberation.digests.api import digest_detail_dict, digest_summary_dict, response_dict
from deliberation.digests.models import Digest
from deliberation.live.models import Statement
from deliberation.programmes import permissions as programme_permissions
from deliberation.programmes import selectors as programme_selectors
from deliberation.programmes.models import Programme
from deliberation.structured import selectors as structured_selectors

from . import schemas, services
from .models import ApiToken

CLOSED_STATES = (Session.State.CLOSED, Session.State.ARCHIVED)
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the request then acts as the token's account."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = services.token_authenticate(
            raw=token.strip(),
            method=request.method or "",
            path=request.path,
            ip=request.META.get("REMOTE_ADDR"),
        )
        if found is not None:
            request.user = found.account
            request.api_token = found  # type: ignore[attr-defined]
        return found


class BrowserSession(SessionAuth):
    """The pages' signed-in session (writes need the CSRF token, as forms do)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        return user


api = NinjaAPI(
    title="Madang API",
    version="2.0.0",
    description=(
        "마당의 의제, 회의 공개 기록, 요약 보고와 외교부 답변, 국민외교 사업을 다른 시스템이 "
        "읽고 쓰는 API. "
        "토큰(Authorization: Bearer mdg_...)은 관리자가 기관별로 발급하며, 토큰의 계정이 "
        "화면에서 볼 수 있는 것만 보입니다. / Agendas, the public record of sessions, "
        "digests, the ministry's answers and people's diplomacy programmes for other "
        "systems. Tokens are issued per organisation by administrators; a token sees "
        "exactly what its account sees."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), BrowserSession()],
)

ERRORS = {400: schemas.Error, 401: schemas.Error, 404: schemas.Error}


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message}}, status=status
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = sorted({".".join(str(p) for p in e.get("loc", [])[1:]) for e in exc.errors})
    message = _("요청 값이 올바르지 않습니다: %(fields)s") % {"fields": ", ".join(fields)}
    return _error(request, 400, "invalid", message)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("토큰이나 로그인이 필요합니다."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("찾을 수 없습니다."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or _("권한이 없습니다."))


class ListFilters(Schema):
    @field_validator("*", mode="before")
    @classmethod
    def _without_nul(cls, value: object) -> object:
        """A NUL character can be neither stored nor searched (PostgreSQL refuses it)."""
        return value.replace("\x00", "") if isinstance(value, str) else value

    municipality: int | None = Field(
        default=None, ge=1, le=2**53, description="기관 id; 그 아래 시·군·구 포함"
    )
    since: dt.date | None = Field(default=None, description="이 날짜 이후(포함)")
    until: dt.date | None = Field(default=None, description="이 날짜 이전(포함)")
    page: int = Field(default=1, description="1부터; 범위를 벗어나면 가장 가까운 쪽")
    page_size: int = Field(default=PAGE_SIZE_DEFAULT, description="1..100으로 맞춥니다")


class DigestFilters(ListFilters):
    topic: str | None = Field(default=None, max_length=30, description="주제 코드")
    disclosure: str | None = Field(default=None, max_length=12)
    q: str | None = Field(default=None, max_length=100, description="한국어 검색어")


class ProgrammeFilters(ListFilters):
    since: dt.date | None = Field(
        default=None, description="이 날짜 이후에도 진행하는 사업(종료일이 없으면 진행 중)"
    )
    until: dt.date | None = Field(default=None, description="이 날짜까지 시작한 사업")
    kind: str | None = Field(default=None, max_length=40, description="사업 유형 slug")
    stage: Literal["preparing", "pioneering", "advanced"] | None = Field(
        default=None, description="협력 단계"
    )
    status: Literal["planned", "running", "finished", "suspended"] | None = None
    q: str | None = Field(default=None, max_length=100, description="사업명·내용에서 찾을 말")


def _municipality_q(field: str, organisation_id: int | None) -> Q:
    if organisation_id is None:
        return Q()
    from deliberation.people.models import Organisation

    ids = [organisation_id]
    ids += list(Organisation.objects.filter(parent_id=organisation_id).values_list("pk", flat=True))
    return Q(**{f"{field}__in": ids})


def _page(qs: Any, f: ListFilters, dump: Any) -> dict[str, Any]:
    page = digest_selectors.paginate(qs, page=f.page, size=f.page_size)
    return {
        "count": page.total,
        "page": page.number,
        "page_size": page.size,
        "pages": page.pages,
        "results": [dump(item) for item in page.items],
    }


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _org(organisation: Any) -> dict[str, Any]:
    return {"id": organisation.pk, "name": str(organisation)}


def _agenda_dict(agenda: Agenda) -> dict[str, Any]:
    return {
        "id": agenda.pk,
        "title": agenda.title,
        "description_html": agenda.description_html,
        "municipality": _org(agenda.organisation),
        "topic": agenda.topic,
        "topic_label": str(agenda.get_topic_display()),
        "disclosure": agenda.disclosure,
        "status": agenda.status,
        "created_at": _iso(agenda.created_at),
        "sessions": [
            {
                "id": s.pk,
                "title": s.title,
                "kind": s.kind,
                "state": s.state,
                "starts_at": _iso(s.starts_at),
            }
            for s in agenda.sessions.order_by("starts_at", "pk")
        ],
    }


def _session_dict(session: Session) -> dict[str, Any]:
    agenda = session.agenda
    return {
        "id": session.pk,
        "agenda_id": agenda.pk,
        "title": session.title,
        "kind": session.kind,
        "state": session.state,
        "municipality": _org(agenda.organisation),
        "disclosure": agenda.disclosure,
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
        "venue": session.venue,
    }


def _public_statements(session: Session) -> list[dict[str, Any]]:
    """The statements residents see in the room: visible ones, in room order."""
    rows = (
        Statement.objects.filter(session=session, status=Statement.Status.VISIBLE)
        .select_related("author")
        .order_by("seq", "pk")
    )
    return [
        {
            "id": s.pk,
            "seq": s.seq,
            "nickname": s.author.display_name,
            "text": s.text,
            "stance": s.stance,
            "on_stage": s.on_stage,
            "parent_id": s.parent_id,
            "created_at": _iso(s.created_at),
        }
        for s in rows
    ]


# ---------------------------------------------------------------- agendas


@api.get("/agendas/", response={200: schemas.Page[schemas.Agenda], **ERRORS}, tags=["agendas"])
def agenda_list(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    """Agendas the caller may see (as on the pages), newest first."""
    qs = agenda_permissions.visible_agendas(request.user).filter(
        _municipality_q("organisation_id", filters.municipality)
    )
    if filters.since:
        qs = qs.filter(created_at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(created_at__date__lte=filters.until)
    qs = qs.select_related("organisation").order_by("-created_at", "-pk")
    return _page(qs, filters, _agenda_dict)


@api.get("/agendas/{agenda_id}/", response={200: schemas.Agenda, **ERRORS}, tags=["agendas"])
def agenda_detail(request: HttpRequest, agenda_id: int) -> dict[str, Any]:
    """One agenda and its sessions."""
    agenda = Agenda.objects.select_related("organisation").filter(pk=agenda_id).first()
    if agenda is None or not agenda_permissions.can_view_agenda(request.user, agenda):
        raise Http404
    return _agenda_dict(agenda)


# ---------------------------------------------------------------- sessions


@api.get(
    "/sessions/", response={200: schemas.Page[schemas.SessionSummary], **ERRORS}, tags=["sessions"]
)
def session_list(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    """Sessions of the agendas the caller may see, by start time (latest first)."""
    qs = agenda_permissions.visible_sessions(request.user).filter(
        _municipality_q("agenda__organisation_id", filters.municipality)
    )
    if filters.since:
        qs = qs.filter(starts_at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(starts_at__date__lte=filters.until)
    qs = qs.select_related("agenda__organisation").order_by("-starts_at", "-pk")
    return _page(qs, filters, _session_dict)


@api.get(
    "/sessions/{session_id}/", response={200: schemas.SessionRecord, **ERRORS}, tags=["sessions"]
)
def session_record(request: HttpRequest, session_id: int) -> dict[str, Any]:
    """A session's public record: statements as residents saw them, proposals, and the
    vote and poll results once the session is closed."""
    session = Session.objects.select_related("agenda__organisation").filter(pk=session_id).first()
    if session is None or not agenda_permissions.can_view_session(request.user, session):
        raise Http404
    data = _session_dict(session)
    data["statements"] = _public_statements(session)
    data["proposals"] = structured_selectors.proposals_list(session.pk, include_merged=True)
    data["results"] = (
        structured_selectors.frozen_results(session.pk) if session.state in CLOSED_STATES else None
    )
    return data


# ---------------------------------------------------------------- digests


def _published_visible(request: HttpRequest, digest_id: int) -> Digest:
    digest = digest_selectors.digest_get_visible(request.user, digest_id)
    if digest.status != Digest.Status.PUBLISHED:
        raise Http404
    return digest


@api.get(
    "/digests/",
    response={200: schemas.Page[schemas.DigestSummary], **ERRORS},
    tags=["digests"],
    url_name="digest_list",
)
def digest_list(request: HttpRequest, filters: Query[DigestFilters]) -> dict[str, Any]:
    """Published digests the caller may read (as the ministry inbox), latest meeting first."""
    f = digest_selectors.InboxFilter.from_params(
        {k: v for k, v in filters.dict().items() if v is not None}
    )
    return _page(
        digest_selectors.published_digests_qs(request.user, f), filters, digest_summary_dict
    )


@api.get(
    "/digests/{digest_id}/",
    response={200: schemas.Digest, **ERRORS},
    tags=["digests"],
    url_name="digest_detail",
)
def digest_detail(request: HttpRequest, digest_id: int) -> dict[str, Any]:
    """One published digest with its sections, cited statements and answers."""
    digest = _published_visible(request, digest_id)
    token = getattr(request, "api_token", None)
    digest_services.digest_read_record(
        reader=request.user,
        digest=digest,
        channel="api",
        detail=f"token {token.pk}" if token is not None else "",
    )
    return digest_detail_dict(digest, digest_selectors.answer_threads(digest))


@api.get(
    "/digests/{digest_id}/responses/",
    response={200: schemas.Responses, **ERRORS},
    tags=["answers"],
    url_name="digest_responses",
)
def response_list(request: HttpRequest, digest_id: int) -> dict[str, Any]:
    """The ministry's answers to a digest, newest first, with their history."""
    digest = _published_visible(request, digest_id)
    threads = digest_selectors.answer_threads(digest)
    return {"results": [response_dict(r) for t in threads for r in [t.current, *t.history]]}


@api.post(
    "/digests/{digest_id}/responses/",
    response={201: schemas.Response, 403: schemas.Error, **ERRORS},
    tags=["answers"],
)
def response_create(
    request: HttpRequest, digest_id: int, body: schemas.ResponseIn
) -> Status[dict[str, Any]]:
    """Answer a digest (or one of its proposals): ministry staff, tokens of scope write."""
    digest = _published_visible(request, digest_id)
    token = getattr(request, "api_token", None)
    if token is not None and token.scope != ApiToken.Scope.WRITE:
        raise PermissionDenied(_("이 토큰은 읽기 전용입니다."))
    if not digest_permissions.can_respond(request.user, digest):
        raise PermissionDenied(_("답변할 권한이 없습니다."))
    try:
        response = digest_services.response_post(
            actor=request.user,  # type: ignore[arg-type]
            digest=digest,
            status=body.status,
            text=body.text,
            proposal_id=body.proposal_id,
        )
    except ValidationError as exc:
        return Status(400, {"error": {"code": "invalid", "message": " ".join(exc.messages)}})
    return Status(201, response_dict(response))


# ---------------------------------------------------------------- programmes


def _programme_summary(p: Programme) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "organisation": _org(p.organisation),
        "kind": {"slug": p.kind.slug, "name": p.kind.name, "name_en": p.kind.name_en},
        "target_groups": list(p.target_groups),
        "starts_on": p.starts_on.isoformat() if p.starts_on else None,
        "ends_on": p.ends_on.isoformat() if p.ends_on else None,
        "budget_krw": p.budget_krw,
        "funding": p.funding,
        "stage": p.stage,
        "status": p.status,
        "disclosure": p.disclosure,
        "updated_at": _iso(p.updated_at),
    }


@api.get(
    "/programmes/",
    response={200: schemas.Page[schemas.ProgrammeSummary], **ERRORS},
    tags=["programmes"],
)
def programme_list(request: HttpRequest, filters: Query[ProgrammeFilters]) -> dict[str, Any]:
    """People's diplomacy programmes the caller may see (as the registry page lists them):
    by organisation, then title. ``since``/``until`` keep the programmes running during
    that period (a programme without dates is left out; one without an end is ongoing)."""
    qs = programme_selectors.registry(
        request.user,
        programme_selectors.RegistryFilters(
            q=(filters.q or "").strip(),
            kind=filters.kind or "",
            organisation=filters.municipality,
            stage=filters.stage or "",
            status=filters.status or "",
        ),
    )
    if filters.since:
        qs = qs.filter(
            Q(ends_on__gte=filters.since) | Q(ends_on__isnull=True, starts_on__isnull=False)
        )
    if filters.until:
        qs = qs.filter(starts_on__lte=filters.until)
    return _page(qs, filters, _programme_summary)


@api.get(
    "/programmes/{programme_id}/",
    response={200: schemas.Programme, **ERRORS},
    tags=["programmes"],
)
def programme_detail(request: HttpRequest, programme_id: int) -> dict[str, Any]:
    """One programme, its agendas and sessions the caller may see, and the most similar
    programmes of other organisations with the terms that explain them (as on its page)."""
    programme = (
        Programme.objects.select_related("organisation", "kind").filter(pk=programme_id).first()
    )
    if programme is None or not programme_permissions.can_view_programme(request.user, programme):
        raise Http404
    data = _programme_summary(programme)
    data.update(
        description=programme.description,
        goals=programme.goals,
        partners_domestic=list(programme.partners_domestic),
        partners_abroad=list(programme.partners_abroad),
        agenda_ids=list(
            programme.agendas.filter(
                pk__in=agenda_permissions.visible_agendas(request.user)
            ).values_list("pk", flat=True)
        ),
        session_ids=list(
            programme.sessions.filter(
                pk__in=agenda_permissions.visible_sessions(request.user)
            ).values_list("pk", flat=True)
        ),
        similar=[
            {
                "id": s.programme.pk,
                "title": s.programme.title,
                "organisation": _org(s.programme.organisation),
                "score": round(s.match.score, 4),
                "shared_terms": list(s.match.shared_terms),
            }
            for s in programme_selectors.similar_programmes(request.user, programme)
        ],
    )
    return data
