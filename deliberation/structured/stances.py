"""Stances of statements: the live count, answered questions, one-level replies."""

from __future__ import annotations

from typing import Any

from django.apps import apps

STANCES = ("for", "against", "neutral", "question")


def _statement_model() -> Any:
    return apps.get_model("live", "Statement")


def count_stances(session_id: int) -> dict[str, int]:
    """Visible statements per stance in one session."""
    counts = dict.fromkeys(STANCES, 0)
    try:
        model = _statement_model()
    except LookupError:
        return counts
    names = {f.name for f in model._meta.get_fields()}
    if "stance" not in names:
        return counts
    qs = model.objects.filter(session_id=session_id, stance__in=STANCES)
    if "status" in names:
        qs = qs.filter(status="visible")
    for stance in qs.values_list("stance", flat=True):
        counts[stance] += 1
    return counts
