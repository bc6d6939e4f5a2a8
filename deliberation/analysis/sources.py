"""Where analysed texts come from: statements (live room) and proposals (structured).

The analysis app reads other apps' models only here, through ``apps.get_model`` so it
keeps working while an app's models are not installed. One function per kind turns
object ids into (session, text) pairs for the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from deliberation.common.sanitize import strip_all_markup


@dataclass(frozen=True)
class SourceText:
    session_id: int | None
    text: str


def optional_model(app_label: str, name: str) -> type[models.Model] | None:
    """A model of another sub-app, or None while that app has not defined it yet."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _field(model: type[models.Model], *names: str) -> str | None:
    known = {f.name for f in model._meta.get_fields()}
    return next((n for n in names if n in known), None)


def statement_text_field(model: type[models.Model]) -> str:
    return _field(model, "text", "body", "content") or "text"


def _load_statements(ids: Iterable[int]) -> dict[int, SourceText]:
    model = optional_model("live", "Statement")
    if model is None:
        return {}
    text_field = statement_text_field(model)
    rows = model._default_manager.filter(pk__in=list(ids)).values_list(
        "pk", "session_id", text_field
    )
    return {pk: SourceText(session_id, text or "") for pk, session_id, text in rows}


def _load_proposals(ids: Iterable[int]) -> dict[int, SourceText]:
    model = optional_model("structured", "Proposal")
    if model is None:
        return {}
    rows = model._default_manager.filter(pk__in=list(ids)).values_list(
        "pk", "session_id", "title", "body_html"
    )
    return {
        pk: SourceText(session_id, f"{title}\n{strip_all_markup(body or '')}")
        for pk, session_id, title, body in rows
    }


def _load_reports(ids: Iterable[int]) -> dict[int, SourceText]:
    model = optional_model("live", "Report")
    if model is None:
        return {}
    rows = model._default_manager.filter(pk__in=list(ids)).values_list(
        "pk", "statement__session_id", "reason"
    )
    return {pk: SourceText(session_id, reason or "") for pk, session_id, reason in rows}


SOURCES: dict[str, Callable[[Iterable[int]], dict[int, SourceText]]] = {
    "statement": _load_statements,
    "proposal": _load_proposals,
    "report": _load_reports,
}


def load_sources(kind: str, ids: Iterable[int]) -> dict[int, SourceText]:
    """Texts of the given objects of one kind; missing objects are simply absent."""
    return SOURCES[kind](ids)
