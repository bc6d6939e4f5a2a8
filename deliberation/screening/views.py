"""The facilitators' export of screening decisions as labelled data."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from deliberation.agendas.permissions import can_moderate
from deliberation.agendas.selectors import session_get_visible

from . import selectors


def _moderated_session(request: HttpRequest, session_id: int) -> int:
    session = session_get_visible(request.user, session_id)
    if not can_moderate(request.user, session):
        raise Http404
    return session.pk


@require_GET
def flags_open(request: HttpRequest, session_id: int) -> JsonResponse:
    """The console panel's periodic read: open flags and the hold setting."""
    pk = _moderated_session(request, session_id)
    return JsonResponse(
        {"hold_flagged": selectors.hold_flagged(pk), "flags": selectors.open_flags(pk)},
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def flags_export(request: HttpRequest, session_id: int) -> HttpResponse:
    """Hidden and dismissed flags of one session as a TSV (comments, hate, ...)."""
    pk = _moderated_session(request, session_id)
    response = HttpResponse(
        selectors.labelled_export(pk), content_type="text/tab-separated-values; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="screening-session-{pk}.tsv"'
    return response
