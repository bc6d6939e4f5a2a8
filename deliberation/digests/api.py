"""The REST API for published digests and ministry answers (JSON, session auth).

Same permissions as the pages: the inbox rule for lists, ``can_view_digest`` for one
digest (404 otherwise), ``can_respond`` to answer. The OpenAPI 3 document describing it
is ``OPENAPI`` below, served at /api/openapi.json and written to docs/openapi.json.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import permissions, selectors, services
from .document import digest_document
from .models import Digest, MinistryResponse


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def response_dict(response: MinistryResponse) -> dict[str, Any]:
    return {
        "id": response.pk,
        "digest_id": response.digest_id,
        "proposal_id": response.proposal_id,
        "proposal_title": response.proposal_title or None,
        "status": response.status,
        "status_label": str(response.get_status_display()),
        "text": response.text,
        "created_at": _iso(response.created_at),
    }


def digest_summary_dict(digest: Digest) -> dict[str, Any]:
    return {
        "id": digest.pk,
        "scope": digest.scope,
        "title": digest.title,
        "municipality": {"id": digest.organisation_id, "name": str(digest.organisation)},
        "topic": digest.topic,
        "topic_label": str(digest.get_topic_display()),
        "disclosure": digest.disclosure,
        "held_at": _iso(digest.held_at),
        "published_at": _iso(digest.published_at),
        "participants": digest.participant_count,
        "statements": digest.statement_count,
        "proposals": digest.proposal_count,
        "keywords": [k["word"] for k in (digest.keywords or [])[:10]],
    }


def digest_detail_dict(digest: Digest, answers: list[Any]) -> dict[str, Any]:
    doc = digest_document(digest)
    data = digest_summary_dict(digest)
    data.update(
        {
            "status": digest.status,
            "summary": doc.summary,
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "paragraphs": s.paragraphs,
                    "lines": [{"text": line.text, "sources": line.sources} for line in s.lines],
                    "tables": [{"headers": t.headers, "rows": t.rows} for t in s.tables],
                    "note": s.note,
                }
                for s in doc.sections
            ],
            "content": digest.content,
            "responses": [
                response_dict(r) for thread in answers for r in [thread.current, *thread.history]
            ],
        }
    )
    return data


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        orjson.dumps(data), status=status, content_type="application/json; charset=utf-8"
    )


def _error(status: int, code: str, message: str) -> HttpResponse:
    return _json({"error": {"code": code, "message": message}}, status=status)


def _authenticated(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return _error(401, "unauthenticated", _("로그인이 필요합니다."))
    return None


@require_http_methods(["GET"])
def digest_list(request: HttpRequest) -> HttpResponse:
    """GET /api/digests/: published digests the caller may read, filtered and paginated."""
    if (denied := _authenticated(request)) is not None:
        return denied
    f = selectors.InboxFilter.from_params(request.GET)
    page = selectors.paginate(
        selectors.published_digests_qs(request.user, f),
        page=request.GET.get("page"),
        size=request.GET.get("page_size"),
    )
    return _json(
        {
            "count": page.total,
            "page": page.number,
            "page_size": page.size,
            "pages": page.pages,
            "results": [digest_summary_dict(d) for d in page.items],
        }
    )


def _published_visible(request: HttpRequest, digest_id: int) -> Digest:
    digest = selectors.digest_get_visible(request.user, digest_id)
    if digest.status != Digest.Status.PUBLISHED:
        raise Http404
    return digest


@require_http_methods(["GET"])
def digest_detail(request: HttpRequest, digest_id: int) -> HttpResponse:
    """GET /api/digests/<id>/: one published digest with its sections and answers."""
    if (denied := _authenticated(request)) is not None:
        return denied
    try:
        digest = _published_visible(request, digest_id)
    except Http404:
        return _error(404, "not_found", _("찾을 수 없습니다."))
    return _json(digest_detail_dict(digest, selectors.answer_threads(digest)))


@require_http_methods(["GET", "POST"])
def digest_responses(request: HttpRequest, digest_id: int) -> HttpResponse:
    """GET the answer history of a digest; POST a new answer (ministry staff)."""
    if (denied := _authenticated(request)) is not None:
        return denied
    try:
        digest = _published_visible(request, digest_id)
    except Http404:
        return _error(404, "not_found", _("찾을 수 없습니다."))
    if request.method == "GET":
        threads = selectors.answer_threads(digest)
        return _json(
            {"results": [response_dict(r) for t in threads for r in [t.current, *t.history]]}
        )
    if not permissions.can_respond(request.user, digest):
        return _error(403, "forbidden", _("답변할 권한이 없습니다."))
    try:
        body = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        return _error(400, "bad_json", _("JSON 형식이 올바르지 않습니다."))
    if not isinstance(body, dict):
        return _error(400, "bad_json", _("JSON 객체를 보내 주세요."))
    proposal_id = body.get("proposal_id")
    if proposal_id is not None and not isinstance(proposal_id, int):
        return _error(400, "invalid", _("제안 번호가 올바르지 않습니다."))
    try:
        response = services.response_post(
            actor=request.user,  # type: ignore[arg-type]
            digest=digest,
            status=str(body.get("status", "")),
            text=str(body.get("text", "")),
            proposal_id=proposal_id,
        )
    except ValidationError as exc:
        return _error(400, "invalid", " ".join(exc.messages))
    except PermissionDenied as exc:
        return _error(403, "forbidden", str(exc))
    return _json(response_dict(response), status=201)


def openapi(request: HttpRequest) -> JsonResponse:
    """GET /api/openapi.json."""
    return JsonResponse(OPENAPI, json_dumps_params={"ensure_ascii": False})


_ERROR = {"$ref": "#/components/schemas/Error"}
_FILTERS = [
    {"name": "municipality", "in": "query", "schema": {"type": "integer"},
     "description": "지자체(기관) id; 그 아래 시·군·구 포함"},
    {"name": "topic", "in": "query", "schema": {"type": "string"}, "description": "주제 코드"},
    {"name": "disclosure", "in": "query",
     "schema": {"type": "string", "enum": ["public", "internal", "restricted"]}},
    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "until", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100},
     "description": "한국어 검색어(조사는 떼고 찾습니다)"},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1},
     "description": "범위를 벗어나면 가장 가까운 쪽으로 맞춥니다"},
    {"name": "page_size", "in": "query",
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
     "description": "1..100으로 맞춥니다"},
]  # fmt: skip

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Madang digests API",
        "version": "1.0.0",
        "description": (
            "외교부 담당자를 위한 요약 보고와 답변 API. 세션 로그인(쿠키)으로 인증하며 "
            "POST에는 CSRF 토큰(X-CSRFToken 헤더)이 필요합니다. 권한은 화면과 같습니다: "
            "열람 등급보다 높은 공개 수준의 요약 보고는 목록에 없고 404로 답합니다."
        ),
    },
    "servers": [{"url": "/"}],
    "components": {
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}
        },
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                        },
                        "required": ["code", "message"],
                    }
                },
            },
            "Response": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "digest_id": {"type": "integer"},
                    "proposal_id": {"type": "integer", "nullable": True},
                    "proposal_title": {"type": "string", "nullable": True},
                    "status": {
                        "type": "string",
                        "enum": ["reviewing", "adopted", "partly", "not_adopted"],
                        "description": "검토 중 / 반영 / 일부 반영 / 미반영",
                    },
                    "status_label": {"type": "string"},
                    "text": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                },
            },
            "DigestSummary": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "scope": {"type": "string", "enum": ["session", "agenda"]},
                    "title": {"type": "string"},
                    "municipality": {
                        "type": "object",
                        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                    },
                    "topic": {"type": "string"},
                    "topic_label": {"type": "string"},
                    "disclosure": {
                        "type": "string",
                        "enum": ["public", "internal", "restricted"],
                    },
                    "held_at": {"type": "string", "format": "date-time"},
                    "published_at": {"type": "string", "format": "date-time"},
                    "participants": {"type": "integer"},
                    "statements": {"type": "integer"},
                    "proposals": {"type": "integer"},
                    "keywords": {"type": "array", "items": {"type": "string"}},
                },
            },
            "Digest": {
                "allOf": [
                    {"$ref": "#/components/schemas/DigestSummary"},
                    {
                        "type": "object",
                        "properties": {
                            "status": {"type": "string"},
                            "summary": {"type": "string"},
                            "sections": {"type": "array", "items": {"type": "object"}},
                            "content": {"type": "object"},
                            "responses": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Response"},
                            },
                        },
                    },
                ]
            },
        },
    },
    "security": [{"session": []}],
    "paths": {
        "/api/digests/": {
            "get": {
                "summary": "열람 가능한 전달된 요약 보고 목록",
                "parameters": _FILTERS,
                "responses": {
                    "200": {
                        "description": "한 쪽의 목록",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "count": {"type": "integer"},
                                        "page": {"type": "integer"},
                                        "page_size": {"type": "integer"},
                                        "pages": {"type": "integer"},
                                        "results": {
                                            "type": "array",
                                            "items": {
                                                "$ref": "#/components/schemas/DigestSummary"
                                            },
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "401": {"description": "로그인 필요",
                            "content": {"application/json": {"schema": _ERROR}}},
                },
            }
        },
        "/api/digests/{digest_id}/": {
            "parameters": [
                {"name": "digest_id", "in": "path", "required": True,
                 "schema": {"type": "integer"}}
            ],
            "get": {
                "summary": "요약 보고 한 건(항목, 근거 발언, 답변 포함)",
                "responses": {
                    "200": {"description": "요약 보고",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Digest"}}}},
                    "401": {"description": "로그인 필요",
                            "content": {"application/json": {"schema": _ERROR}}},
                    "404": {"description": "없거나 열람 등급 밖",
                            "content": {"application/json": {"schema": _ERROR}}},
                },
            },
        },
        "/api/digests/{digest_id}/responses/": {
            "parameters": [
                {"name": "digest_id", "in": "path", "required": True,
                 "schema": {"type": "integer"}}
            ],
            "get": {
                "summary": "답변 이력(최신순)",
                "responses": {
                    "200": {"description": "답변 목록",
                            "content": {"application/json": {"schema": {
                                "type": "object",
                                "properties": {"results": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Response"}}}}}}},
                    "404": {"description": "없거나 열람 등급 밖",
                            "content": {"application/json": {"schema": _ERROR}}},
                },
            },
            "post": {
                "summary": "답변 등록(외교부 담당자)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["status", "text"],
                        "properties": {
                            "status": {"type": "string",
                                       "enum": ["reviewing", "adopted", "partly",
                                                "not_adopted"]},
                            "text": {"type": "string", "maxLength": 10000},
                            "proposal_id": {"type": "integer", "nullable": True},
                        },
                    }}},
                },
                "responses": {
                    "201": {"description": "등록된 답변",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Response"}}}},
                    "400": {"description": "입력 오류",
                            "content": {"application/json": {"schema": _ERROR}}},
                    "403": {"description": "답변 권한 없음",
                            "content": {"application/json": {"schema": _ERROR}}},
                    "404": {"description": "없거나 열람 등급 밖",
                            "content": {"application/json": {"schema": _ERROR}}},
                },
            },
        },
    },
}  # fmt: skip
