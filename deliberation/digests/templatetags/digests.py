"""Template pieces other pages include: the header's notifications, a session's answers."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from deliberation.digests import selectors

register = template.Library()


@register.inclusion_tag("digests/_notifications_badge.html", takes_context=True)
def notifications_badge(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return {
        "signed_in": signed_in,
        "unread": selectors.unread_count(user) if signed_in else 0,
        "can_use_inbox": signed_in and selectors.permissions.can_use_inbox(user),
    }


@register.inclusion_tag("digests/_session_answers.html", takes_context=True)
def session_answers(context: dict[str, Any], session: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"answered": selectors.session_answers(user, session) if session else []}


@register.simple_tag
def activity_chart(content: dict[str, Any]) -> SafeString:
    """The activity chart, rebuilt from the stored numbers (never stored markup)."""
    from deliberation.analysis.charts import activity_bar_chart
    from deliberation.analysis.content import ActivityBin

    part = (content or {}).get("participation") or {}
    bins = []
    for item in part.get("activity") or []:
        try:
            bins.append(
                ActivityBin(
                    start=str(item["start"]),
                    label=str(item["label"]),
                    statements=int(item["statements"]),
                    reactions=int(item.get("reactions", 0)),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    # charts.activity_bar_chart escapes every label it writes.
    return SafeString(activity_bar_chart(bins))


@register.filter
def dict_get(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(str(key))
    return None


@register.filter
def staff_badge(user: Any) -> str:
    """The staff badge of whoever wrote something (진행자, 외교부, 관리자), or ""."""
    from deliberation.people.names import staff_badge as badge

    return badge(user) if user is not None else ""


@register.filter
def official(value: Any) -> str:
    """A datetime (or ISO text) in Korean official style, "2026. 12. 3.(목) 14:05"."""
    from deliberation.digests.document import _parse_time, official_date

    if isinstance(value, str):
        value = _parse_time(value)
    return official_date(value) if value else ""


@register.filter
def stance_name(value: Any) -> str:
    from deliberation.digests.document import stance_label

    return stance_label(str(value or ""))


@register.filter
def clock(value: Any) -> str:
    """The Seoul time of day of a datetime (or ISO text), "14:05"."""
    from django.utils import timezone

    from deliberation.digests.document import _parse_time

    if isinstance(value, str):
        value = _parse_time(value)
    return timezone.localtime(value).strftime("%H:%M") if value else ""
