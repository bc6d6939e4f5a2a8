"""Template filters of the registry: budgets in 억/만 원, scores as percentages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def krw(value: int | None) -> str:
    """1,250,000,000 -> "12억 5,000만 원" (English: "KRW 1,250,000,000")."""
    if value is None:
        return ""
    amount = int(value)
    if not (get_language() or "ko").startswith("ko"):
        return f"KRW {amount:,}"
    eok, rest = divmod(amount, 100_000_000)
    man = rest // 10_000
    parts = []
    if eok:
        parts.append(f"{eok:,}억")
    if man:
        parts.append(f"{man:,}만")
    if not parts:
        return f"{amount:,}원"
    return " ".join(parts) + " 원"


@register.filter
def percent(score: float) -> int:
    return round(float(score) * 100)
